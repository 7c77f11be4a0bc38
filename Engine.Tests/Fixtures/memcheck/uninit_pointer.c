/* Dereferencing a pointer field nobody set (a fresh heap block, so its value is 0): Use of
   uninitialised value of size 8, then an invalid read at address 0x0 and SIGSEGV. */
#include <stdio.h>
#include <stdlib.h>

struct holder { int *target; int spare; };

int main(void)
{
    struct holder *h = malloc(sizeof *h);
    h->spare = 1;
    struct holder *volatile v = h;
    printf("%d\n", *v->target);
    return 0;
}
