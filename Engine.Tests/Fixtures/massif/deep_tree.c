// Allocations at the bottom of 40-deep recursions from two places: deeper than massif's default --depth of 30.
#include <stdlib.h>

static void *descend(int levels, size_t size)
{
    if (levels == 0) return malloc(size);
    void *block = descend(levels - 1, size);
    __asm__ volatile("" ::: "memory"); // keeps the recursion from becoming a loop
    return block;
}

static void *left(void) { return descend(40, 5000); }
static void *right(void) { return descend(35, 3000); }

int main(void)
{
    void *blocks[6];
    for (int i = 0; i < 3; i++) blocks[i] = left();
    for (int i = 3; i < 6; i++) blocks[i] = right();
    for (int i = 0; i < 6; i++) free(blocks[i]);
    return 0;
}
