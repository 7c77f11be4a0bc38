/* Reads one int past the end of a 40-byte heap block: Invalid read of size 4, 0 bytes after the block. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int *a = malloc(10 * sizeof *a);
    for (int i = 0; i < 10; i++) a[i] = i;
    int *volatile p = a;
    printf("%d\n", p[10]);
    free(a);
    return 0;
}
