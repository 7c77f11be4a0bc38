// A heap that grows through three call sites at different depths, comes down to a peak's half, then grows
// again: enough allocations and frees for massif to cull its snapshots and record a peak.
#include <stdlib.h>

static void *blocks[400];

static void *leaf_alloc(size_t size) { return malloc(size); }
static void *middle_alloc(size_t size) { return leaf_alloc(size); }
static void *outer_alloc(size_t size) { return middle_alloc(size); }

int main(void)
{
    for (int i = 0; i < 200; i++) {
        if (i % 3 == 0) blocks[i] = malloc(1000);
        else if (i % 3 == 1) blocks[i] = middle_alloc(2000);
        else blocks[i] = outer_alloc(400);
    }
    for (int i = 0; i < 200; i += 2) free(blocks[i]);
    for (int i = 200; i < 300; i++) blocks[i] = leaf_alloc(3000);
    for (int i = 1; i < 300; i += 2) free(blocks[i]);
    return 0;
}
