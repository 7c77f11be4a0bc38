/* A ring of 6 nodes (a cycle) nothing outside points into: every node is pointed to by another, yet
   all are lost; memcheck reports one definitely lost and five indirectly lost. */
#include <stdlib.h>

struct link { struct link *next; char payload[40]; };

int main(void)
{
    struct link *first = malloc(sizeof *first), *last = first;
    for (int i = 1; i < 6; i++) {
        last->next = malloc(sizeof *last);
        last = last->next;
    }
    last->next = first;
    struct link *volatile forget = first;
    forget = NULL;
    first = last = NULL;
    return 0;
}
