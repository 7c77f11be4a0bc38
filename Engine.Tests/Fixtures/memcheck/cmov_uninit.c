/* A conditional move whose condition is undefined (cmovne after test on an uninitialised value):
   memcheck does not report the cmov itself; the result becomes undefined and the errors come from
   printf, which branches on it. */
#include <stdio.h>

__attribute__((noinline)) static long choose(long flag, long a, long b)
{
    long result = b;
    __asm__("test %1, %1\n\tcmovne %2, %0" : "+r"(result) : "r"(flag), "r"(a) : "cc");
    return result;
}

int main(void)
{
    long flag;
    __asm__ volatile("" : "+m"(flag));
    long picked = choose(flag, 1, 2);
    long known = choose(0, 3, 4);
    printf("%ld\n", picked + known > 100);
    return 0;
}
