/* Reads a heap block after free(): Invalid read inside a freed block, with free and alloc stacks. */
#include <stdio.h>
#include <stdlib.h>

struct point { long x, y, z, w; };

static struct point *make(void)
{
    struct point *p = malloc(sizeof *p);
    p->x = 1; p->y = 2; p->z = 3; p->w = 4;
    return p;
}

int main(void)
{
    struct point *p = make();
    free(p);
    struct point *volatile q = p;
    printf("%ld\n", q->y);
    return 0;
}
