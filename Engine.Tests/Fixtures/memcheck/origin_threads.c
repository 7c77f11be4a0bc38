/* Each thread tests a value it never set: one in a block it allocated, one on its own stack. The
   origins name the thread's malloc and the thread function's frame. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *heap_worker(void *arg)
{
    int *cell = malloc(4 * sizeof *cell);
    int *volatile c = cell;
    if (c[2] > 0) puts("heap positive");
    free(cell);
    return arg;
}

static void *stack_worker(void *arg)
{
    int value;
    __asm__ volatile("" : "+m"(value));
    if (value > 0) puts("stack positive");
    return arg;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, heap_worker, NULL);
    pthread_join(a, NULL);
    pthread_create(&b, NULL, stack_worker, NULL);
    pthread_join(b, NULL);
    return 0;
}
