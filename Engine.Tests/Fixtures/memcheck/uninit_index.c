/* An uninitialised value used as an array index: Use of uninitialised value of size 8 (the
   address computation), not a conditional jump. */
#include <stdio.h>
#include <stdlib.h>

int table[16];

int main(void)
{
    unsigned *slot = malloc(sizeof *slot);
    unsigned *volatile s = slot;
    int v = table[*s & 15];
    printf("%d\n", v);
    free(slot);
    return 0;
}
