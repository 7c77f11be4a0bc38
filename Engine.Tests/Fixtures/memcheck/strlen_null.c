/* strlen of a null pointer: the replacement's read is reported, then the program dies of SIGSEGV in it. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *volatile string = NULL;
    printf("%zu\n", strlen(string));
    return 0;
}
