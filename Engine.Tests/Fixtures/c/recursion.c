/* Loops and deep-ish recursion: fib, ackermann, a nested-loop checksum. */
#include <stdio.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int ackermann(int m, int n)
{
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

int main(void)
{
    for (int i = 0; i <= 25; i += 5)
        printf("fib(%d) = %ld\n", i, fib(i));
    for (int m = 0; m <= 2; m++)
        for (int n = 0; n <= 3; n++)
            printf("ackermann(%d, %d) = %d\n", m, n, ackermann(m, n));
    printf("ackermann(3, 4) = %d\n", ackermann(3, 4));

    unsigned sum = 0;
    for (unsigned i = 0; i < 1000; i++)
        for (unsigned j = 0; j < 100; j++)
            sum = sum * 31 + (i ^ j);
    printf("checksum = %u\n", sum);
    return 0;
}
