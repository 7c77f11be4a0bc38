/* The main thread spins until another thread sets a flag: the other thread must get its turn meanwhile. */
#include <pthread.h>
#include <stdio.h>

static volatile int flag;

static void *set_flag(void *arg)
{
    (void)arg;
    flag = 42;
    return NULL;
}

int main(void)
{
    pthread_t thread;
    pthread_create(&thread, NULL, set_flag, NULL);
    while (!flag) continue;
    pthread_join(thread, NULL);
    printf("flag %d\n", flag);
    return 0;
}
