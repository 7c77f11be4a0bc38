/* A 5-node linked list: the head kept in a global is still reachable; a second list whose head is
   dropped is 1 block definitely lost and 4 indirectly lost. */
#include <stdlib.h>

struct node { struct node *next; long value; };

struct node *kept;

static struct node *build(int length)
{
    struct node *head = NULL;
    for (int i = 0; i < length; i++) {
        struct node *n = malloc(sizeof *n);
        n->next = head;
        n->value = i;
        head = n;
    }
    return head;
}

int main(void)
{
    kept = build(5);
    struct node *volatile lost = build(5);
    lost = NULL;
    return 0;
}
