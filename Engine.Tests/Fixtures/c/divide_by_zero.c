/* Integer division by zero: SIGFPE kills the process (exit status 136). */
#include <stdio.h>

int main(void)
{
    volatile int zero = 0;
    puts("dividing");
    fflush(stdout);
    printf("%d\n", 100 / zero);
    return 0;
}
