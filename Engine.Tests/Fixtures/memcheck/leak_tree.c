/* A binary tree of depth 4 (15 nodes) whose root is lost: 1 definitely lost, 14 indirectly lost. */
#include <stdlib.h>

struct tree { struct tree *left, *right; int key; };

static struct tree *grow(int depth, int key)
{
    if (depth == 0) return NULL;
    struct tree *t = malloc(sizeof *t);
    t->key = key;
    t->left = grow(depth - 1, key * 2);
    t->right = grow(depth - 1, key * 2 + 1);
    return t;
}

int main(void)
{
    struct tree *volatile root = grow(4, 1);
    root = NULL;
    return 0;
}
