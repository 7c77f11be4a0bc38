/* qsort through a callback, over pseudo-random ints from a fixed LCG. */
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    enum { N = 5000 };
    static int values[N];
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        values[i] = (int)(seed >> 8) % 100000 - 50000;
    }
    qsort(values, N, sizeof values[0], compare);
    for (int i = 1; i < N; i++)
        if (values[i - 1] > values[i]) { puts("not sorted"); return 1; }
    printf("min %d max %d median %d\n", values[0], values[N - 1], values[N / 2]);
    for (int i = 0; i < N; i += 500) printf("%d ", values[i]);
    putchar('\n');
    return 0;
}
