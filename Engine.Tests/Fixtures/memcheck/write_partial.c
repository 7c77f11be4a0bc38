/* write() of a buffer whose second half was never set: Syscall param write(buf) points to
   uninitialised byte(s), with the block it points into. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char *buffer = malloc(16);
    memcpy(buffer, "eight ch", 8);
    buffer[15] = '\n';
    ssize_t n = write(1, buffer, 16);
    free(buffer);
    return n != 16;
}
