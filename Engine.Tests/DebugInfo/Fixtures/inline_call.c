/* A call made from inlined code at -O2: the caller frames of leaf are return addresses inside
   helpers inlined into main, so each expands into its inlined frames. */
#include <stdio.h>

static volatile int sink;
int *volatile bad = (int *)0x10;

__attribute__((noinline)) static void leaf(int *p)
{
    sink = 1;
    *p = 42;
}

static inline void check(int *p)
{
    if (sink >= 0) leaf(p);
    sink++;
}

static inline __attribute__((always_inline)) void run(int *p)
{
    check(p);
    sink += 2;
}

int main(void)
{
    run(bad);
    puts("unreached");
    return 0;
}
