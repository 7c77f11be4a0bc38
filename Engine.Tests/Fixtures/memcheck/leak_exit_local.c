/* exit() from a function called by main: main's locals are still on the stack, so the block they
   point to is still reachable (contrast leak_return_local.c). */
#include <stdlib.h>

static void finish(void) { exit(0); }

int main(void)
{
    char *volatile local = malloc(50);
    local[0] = 'x';
    finish();
    return 0;
}
