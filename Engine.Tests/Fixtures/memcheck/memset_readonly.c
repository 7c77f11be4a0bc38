/* memset over a string literal: addressable memory the program may not write, so no error, but SIGSEGV
   ("Bad permissions for mapped region") in the replacement. */
#include <string.h>

int main(void)
{
    char *volatile literal = (char *)"a string literal";
    memset(literal, 'w', 8);
    return 0;
}
