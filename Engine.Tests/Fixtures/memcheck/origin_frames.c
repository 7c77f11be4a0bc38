/* Stack origins in functions other than main: a big frame (created by the instruction that moves
   the stack pointer down, after two pushes at -O2) and a leaf function's red zone (created by the
   call into it: its entry). */
#include <stdio.h>

__attribute__((noinline)) int sum(int n)
{
    int a[100];
    __asm__ volatile("" : : "r"(a) : "memory");
    int s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    s += puts("summed");
    return s + n;
}

__attribute__((noinline)) static int leaf(void)
{
    int a[4];
    __asm__ volatile("" : : "r"(a) : "memory");
    return a[1];
}

int main(void)
{
    if (sum(3) > 5) puts("big sum");
    if (leaf() > 2) puts("big leaf");
    return 0;
}
