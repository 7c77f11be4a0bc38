/* A local that is never initialised decides a branch: Conditional jump or move depends on
   uninitialised value(s). With --track-origins=yes the origin is main's stack frame. */
#include <stdio.h>

__attribute__((noinline)) static int check(int value)
{
    if (value > 10) return puts("big");
    return puts("small");
}

int main(void)
{
    int x;
    __asm__ volatile("" : "+m"(x));
    return check(x) < 0;
}
