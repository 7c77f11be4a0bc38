/* realloc keeps the old bytes' definedness but not their origin, and the grown tail was created by
   the realloc: a test of an old undefined byte has no origin line, one of the tail names realloc. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(16);
    p[0] = 1;
    char *volatile q = realloc(p, 64);
    if (q[1]) puts("old byte set");
    if (q[40]) puts("new byte set");
    free(q);
    return 0;
}
