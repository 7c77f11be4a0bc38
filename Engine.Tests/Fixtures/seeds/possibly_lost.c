/* Seed "Possibly lost": the global root advanced into its array, with casts where the seed relied
   on int/pointer conversions, and a main that calls it. */
#include <stdio.h>
#include <stdlib.h>

struct node {
    void* val;
    struct node* next;
};

struct node* root;

void case_ll_array() {
    // Allocate a linked list of length 10.
    root = malloc(sizeof(struct node) * 10);
    root[0].val = (void*)(long)rand();
    for (int i = 1; i < 10; ++i) {
        root[i].val = (void*)(long)rand();
        root[i-1].next = &root[i];
    }
    // Print it
    for (int i = 0; i < 9; ++i) { // NOTE: We moved 9 only.
        printf("%d ", (int)(long)root->val);
        ++root; // Possible loss is happening here.
    }
    printf("\n");

}

int main()
{
    case_ll_array();
    return 0;
}
