/* An uninitialised int passed to printf: the errors come from inside the C library's formatting. */
#include <stdio.h>

int main(void)
{
    int x;
    __asm__ volatile("" : "+m"(x));
    printf("x = %d\n", x);
    return 0;
}
