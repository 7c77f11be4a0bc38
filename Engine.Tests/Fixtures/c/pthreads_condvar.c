/* Four threads take turns through a mutex and condition variable; the main thread joins them. */
#include <pthread.h>
#include <stdio.h>

enum { Threads = 4, Rounds = 1000 };
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn;
static long total;

static void *worker(void *arg)
{
    int me = (int)(long)arg;
    for (int round = 0; round < Rounds; round++) {
        pthread_mutex_lock(&lock);
        while (turn % Threads != me) pthread_cond_wait(&turn_changed, &lock);
        total += me + 1;
        turn++;
        pthread_cond_broadcast(&turn_changed);
        pthread_mutex_unlock(&lock);
    }
    return (void *)(long)(me * 10);
}

int main(void)
{
    pthread_t threads[Threads];
    for (long i = 0; i < Threads; i++) pthread_create(&threads[i], NULL, worker, (void *)i);
    long sum = 0;
    for (int i = 0; i < Threads; i++) {
        void *result;
        pthread_join(threads[i], &result);
        sum += (long)result;
    }
    printf("turns %d total %ld joined %ld\n", turn, total, sum);
    return 3;
}
