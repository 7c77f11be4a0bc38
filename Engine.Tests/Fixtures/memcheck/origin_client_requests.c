/* With --track-origins=yes, memory a client request makes undefined is created by that request, memory of the
   client's own allocator (MALLOCLIKE_BLOCK, a RESIZEINPLACE_BLOCK that grows) by its heap allocation, and a failed
   VALGRIND_CHECK_MEM_IS_DEFINED names the origin of its first undefined byte. */
#include <stdio.h>
#include <stdlib.h>
#include <valgrind/memcheck.h>

static char pool[256];

static void forget(int *value)
{
    VALGRIND_MAKE_MEM_UNDEFINED(value, sizeof *value);
}

int main(void)
{
    int known = 1;
    forget(&known);
    if (known == 1) printf("made undefined\n");

    char *block = malloc(16);
    VALGRIND_CHECK_MEM_IS_DEFINED(block, 8);

    char *mine = pool + 64;
    VALGRIND_MALLOCLIKE_BLOCK(mine, 32, 16, 0);
    if (mine[4] == 'x') printf("custom block\n");
    VALGRIND_RESIZEINPLACE_BLOCK(mine, 32, 64, 16);
    if (mine[40] == 'x') printf("grown block\n");
    VALGRIND_FREELIKE_BLOCK(mine, 16);

    free(block);
    return 0;
}
