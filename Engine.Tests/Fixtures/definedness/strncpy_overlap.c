/* strncpy between overlapping ranges on the stack (plain memcpy overlaps go unreported by Valgrind on an AVX
   machine: its ifunc picks an implementation Valgrind replaces with memmove). */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char buffer[64];
    memset(buffer, 'a', sizeof buffer - 1);
    buffer[63] = 0;
    char *volatile base = buffer;
    strncpy(base + 1, base, 10);
    printf("%c\n", buffer[5]);
    return 0;
}
