/* memcpy between overlapping ranges of a buffer of known size, built with -D_FORTIFY_SOURCE=2 so
   the call is __memcpy_chk: Source and destination overlap in memcpy_chk(dst, src, 32). */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char buffer[64];
    memset(buffer, 'm', sizeof buffer);
    size_t volatile length = 32;
    memcpy(buffer + 8, buffer, length);
    printf("%c\n", buffer[40]);
    return 0;
}
