/* Seed "Indirectly lost": a 10-node list whose head is forgotten, with a main that calls it. */
#include <stdlib.h>

struct node {
    void* val;
    struct node* next;
};

struct node* root;

void case_ll_with_no_head() {
    // Allocate a linked list of length 10.
    struct node sentinel;
    struct node* cur = &sentinel;
    for (int i = 0; i < 10; ++i) {
        cur->val = NULL;
        cur->next = malloc(sizeof(struct node));
        cur = cur->next;
    }
    cur->next = NULL;
    // We forget to keep a track of the head.
    //root = sentinel.next;
}

int main()
{
    case_ll_with_no_head();
    return 0;
}
