/* A fault three calls below main: the stack at the fault is main -> outer -> middle -> leaf. */
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) static void leaf(int *p)
{
    sink = 1;
    *p = 42;
}

__attribute__((noinline)) void middle(int *p, int depth)
{
    if (depth > 0) middle(p, depth - 1);
    else leaf(p);
    sink++;
}

__attribute__((noinline)) void outer(int *p)
{
    middle(p, 2);
    puts("unreached");
}

int main(void)
{
    outer((int *)0x10);
    return 0;
}
