/* A fully defined value keeps the origin tag of what it was computed from, through memory too: x is defined (an
   undefined word and'ed with 0) but carries b's tag, so the sum of x and a's undefined word is blamed on b's
   allocation, the later one, as memcheck blames it. An origin load skipped for defined V bits would blame a's. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    volatile int zero = 0;
    int *a = malloc(4);
    int *b = malloc(4);
    volatile int x = *b & zero;
    int y = x + *a;
    if (y) printf("nonzero\n");
    free(a);
    free(b);
    return 0;
}
