/* Blocks reachable from globals at exit: one from .data, one from .bss, one through a static
   local; none is lost. */
#include <stdlib.h>

void *in_bss;
char *in_data = (char *)1;

static void remember(void)
{
    static int *cache;
    cache = malloc(40 * sizeof *cache);
}

int main(void)
{
    in_bss = malloc(100);
    in_data = malloc(200);
    remember();
    return 0;
}
