/* Inlined calls at -O2: the fault is in a static inline helper inlined twice deep into outer. */
#include <stdio.h>

static volatile int sink;
int *volatile bad = (int *)0x10;

static inline void store(int *p, int v)
{
    *p = sink + v;
}

static inline __attribute__((always_inline)) void store_twice(int *p, int v)
{
    store(p + 1, v);
    store(p, v);
}

__attribute__((noinline)) void outer(int *p)
{
    puts("storing");
    store_twice(p, 42);
    puts("unreached");
}

int main(void)
{
    outer(bad);
    return 0;
}
