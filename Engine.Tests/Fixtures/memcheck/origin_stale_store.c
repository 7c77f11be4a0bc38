/* Origins are kept per 4-byte word and a store writes its value's origin whatever its definedness:
   a defined byte computed from an undefined stack int (x & 0) and stored into a fresh heap block
   renames the origin of the block's still-undefined neighbouring byte to the stack. */
#include <stdio.h>
#include <stdlib.h>

volatile int zero = 0;

int main(void)
{
    char *p = malloc(8);
    int x;
    __asm__ volatile("" : "+m"(x));
    int v = x & zero;
    p[0] = (char)v;
    if (p[1]) puts("neighbour set");
    if (p[5]) puts("other word set");
    if (v) puts("v set");
    free(p);
    return 0;
}
