/* Threads calling a replaced malloc: two workers in turn (each the only other live thread), then a worker that
 * ends the process with exit() while the main thread waits for it, so the exit-time cleanups run on a worker.
 * Writes to argv[1] (stdout reopened there). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *probe(void *arg)
{
    free(malloc(12346));
    return arg;
}

static void *quit(void *arg)
{
    printf("worker exits\n");
    exit(0);
    return arg;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !freopen(argv[1], "w", stdout)) return 2;
    printf("start\n");
    pthread_t thread;
    for (int i = 0; i < 2; i++) {
        pthread_create(&thread, NULL, probe, NULL);
        pthread_join(thread, NULL);
    }
    pthread_create(&thread, NULL, quit, NULL);
    pthread_join(thread, NULL);
    return 1;
}
