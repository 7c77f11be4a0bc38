/* Returning from main: main's frame is gone when the leak check runs, so the block only a local
   pointed to is definitely lost (contrast leak_exit_local.c). */
#include <stdlib.h>

int main(void)
{
    char *volatile local = malloc(50);
    local[0] = 'x';
    return 0;
}
