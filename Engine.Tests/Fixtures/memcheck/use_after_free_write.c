/* Writes into a heap block after free(): Invalid write of size 4, 4 bytes inside a freed block. */
#include <stdlib.h>

static void release(int *p) { free(p); }

int main(void)
{
    int *a = calloc(6, sizeof *a);
    release(a);
    int *volatile q = a;
    q[1] = 7;
    return 0;
}
