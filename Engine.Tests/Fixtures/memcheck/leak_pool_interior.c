/* A memory pool handing out chunks of one big block: only interior pointers into it survive,
   so the pool is possibly lost; a second pool reachable through its start is still reachable. */
#include <stdlib.h>

struct pool { char *base; size_t used; };

static void *take(struct pool *p, size_t n)
{
    void *chunk = p->base + p->used;
    p->used += n;
    return chunk;
}

void *chunk_in_lost_pool;
struct pool kept_pool;

int main(void)
{
    struct pool lost_pool = { malloc(1024), 0 };
    take(&lost_pool, 100);
    chunk_in_lost_pool = take(&lost_pool, 200);
    lost_pool.base = NULL;
    kept_pool.base = malloc(512);
    take(&kept_pool, 64);
    return 0;
}
