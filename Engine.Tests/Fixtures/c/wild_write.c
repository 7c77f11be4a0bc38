/* A store through a wild pointer: SIGSEGV kills the process (exit status 139). */
#include <stdio.h>

int main(void)
{
    int *volatile wild = (int *)0x10;
    puts("writing");
    fflush(stdout);
    *wild = 42;
    puts("unreachable");
    return 0;
}
