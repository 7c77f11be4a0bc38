/* A pool allocator that tells memcheck about its blocks: VALGRIND_MALLOCLIKE_BLOCK makes a block counted, checked
   and leak-searched like a malloc'd one (its stack the allocator's), VALGRIND_FREELIKE_BLOCK frees it (a second
   free is invalid, a late write hits a freed block), VALGRIND_RESIZEINPLACE_BLOCK changes its size in place. */
#include <valgrind/memcheck.h>

static char pool[256];
static char *next = pool;

static void *pool_alloc(unsigned long size)
{
    char *block = next + 8;
    next += size + 16;
    VALGRIND_MALLOCLIKE_BLOCK(block, size, 8, 0);
    return block;
}

static void pool_free(void *block)
{
    VALGRIND_FREELIKE_BLOCK(block, 8);
}

int main(void)
{
    VALGRIND_MAKE_MEM_NOACCESS(pool, sizeof pool);
    char *first = pool_alloc(16);
    char *second = pool_alloc(24);
    first[16] = 1;
    if (second[3]) first[0] = 2;
    pool_free(first);
    first[1] = 3;
    pool_free(first);
    VALGRIND_RESIZEINPLACE_BLOCK(second, 24, 8, 8);
    second[10] = 1;
    char *third = pool_alloc(40);
    third = 0;
    return 0;
}
