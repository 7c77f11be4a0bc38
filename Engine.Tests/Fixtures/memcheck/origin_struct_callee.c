/* A struct with a field never set is passed by value to a callee two calls down, which tests that
   field: the origin is the caller's stack frame, wherever the copies went. */
#include <stdio.h>

struct point { long x; long y; long z; };

__attribute__((noinline)) static int far_side(struct point p)
{
    if (p.z > 0) return puts("positive");
    return puts("not positive");
}

__attribute__((noinline)) static int near_side(struct point p) { return far_side(p) + 1; }

__attribute__((noinline)) static int build(void)
{
    struct point p;
    p.x = 1;
    p.y = 2;
    __asm__ volatile("" : : "r"(&p) : "memory");
    return near_side(p);
}

int main(void)
{
    return build() < 0;
}
