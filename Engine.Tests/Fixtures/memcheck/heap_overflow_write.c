/* Writes one byte past the end of a 16-byte heap block: Invalid write of size 1, 0 bytes after the block. */
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *s = malloc(16);
    char *volatile p = s;
    memset(s, 'x', 16);
    p[16] = '\0';
    free(s);
    return 0;
}
