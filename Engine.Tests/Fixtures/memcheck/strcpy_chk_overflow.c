/* strcpy of a 15-character string into an 8-byte array, built with -D_FORTIFY_SOURCE=2 so the call is
   __strcpy_chk: "*** strcpy_chk: buffer overflow detected ***: program terminated", exit status 1. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char destination[8];
    char source[16];
    memset(source, 's', 15);
    source[15] = '\0';
    char *volatile from = source;
    strcpy(destination, from);
    printf("%s\n", destination);
    return 0;
}
