/* An int read from a fresh malloc'd block decides a branch; with --track-origins=yes the origin
   is the heap allocation. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int *counts = malloc(8 * sizeof *counts);
    counts[0] = 1;
    int *volatile c = counts;
    if (c[3] == 0) puts("zero");
    free(counts);
    return 0;
}
