/* An error twelve calls deep, to show --num-callers cutting the stack. */
#include <stdlib.h>

__attribute__((noinline)) static int level(int depth, char *block)
{
    if (depth == 0) return block[24];
    int result = level(depth - 1, block);
    __asm__ volatile("" ::: "memory");
    return result;
}

int main(void)
{
    char *block = malloc(24);
    int r = level(10, block);
    free(block);
    return r == 1000;
}
