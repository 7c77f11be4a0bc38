/* strlen of a heap string with no terminator: Invalid read of size 1, 0 bytes after the block,
   reported in strlen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *s = malloc(8);
    memcpy(s, "abcdefgh", 8);
    char *volatile unknown = s; /* keeps gcc -O2 from deciding strlen(s) >= 8 itself */
    printf("%zu\n", strlen(unknown) >= 8);
    free(s);
    return 0;
}
