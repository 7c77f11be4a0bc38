/* free() of a stack address: Invalid free(), the address is on thread 1's stack. */
#include <stdlib.h>

int main(void)
{
    char buffer[32];
    char *volatile p = buffer + 8;
    buffer[0] = 0;
    free(p);
    return buffer[0];
}
