/* Four threads, each leaking a block of its own size (16, 32, 48, 64 bytes) and keeping one in
   a per-thread slot of a global array. */
#include <pthread.h>
#include <stdlib.h>

void *kept[4];

static void *work(void *arg)
{
    long id = (long)arg;
    void *volatile lost = malloc(16 * (id + 1));
    lost = NULL;
    kept[id] = malloc(100 + id);
    return NULL;
}

int main(void)
{
    pthread_t threads[4];
    for (long i = 0; i < 4; i++) pthread_create(&threads[i], NULL, work, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    return 0;
}
