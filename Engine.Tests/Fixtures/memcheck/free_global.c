/* free() of a global: Invalid free(), the address is inside a data symbol. */
#include <stdlib.h>

char message[64] = "not from malloc";

int main(void)
{
    char *volatile p = message + 4;
    free(p);
    return 0;
}
