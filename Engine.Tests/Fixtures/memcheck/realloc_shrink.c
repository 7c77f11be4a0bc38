/* realloc() shrinking a block: bytes past the new size are no longer addressable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *p = malloc(64);
    memset(p, 'a', 64);
    p = realloc(p, 8);
    char *volatile q = p;
    printf("%c\n", q[20]);
    free(p);
    return 0;
}
