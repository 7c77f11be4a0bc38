/* memcpy of 12 bytes into an 8-byte array, built with -D_FORTIFY_SOURCE=2 so the call is __memcpy_chk with the
   array's size: Valgrind's replacement prints "*** memcpy_chk: buffer overflow detected ***: program terminated"
   with the stack and the program exits with status 1 (the heap block is never freed, printf never runs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char destination[8];
    size_t volatile length = 12;
    char *source = malloc(length);
    memset(source, 'x', length);
    memcpy(destination, source, length);
    printf("%c\n", destination[0]);
    free(source);
    return 0;
}
