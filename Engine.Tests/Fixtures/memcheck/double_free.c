/* Frees the same block twice: Invalid free() with the first free's stack and the alloc stack. */
#include <stdlib.h>

static void drop(char *p) { free(p); }

int main(void)
{
    char *p = malloc(24);
    drop(p);
    drop(p);
    return 0;
}
