/* write() of a heap block whose first 5 of 16 bytes are initialised. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char *block = malloc(16);
    memcpy(block, "hello", 5);
    write(1, block, 16);
    free(block);
    return 0;
}
