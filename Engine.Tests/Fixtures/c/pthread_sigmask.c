/* Signal masks and alternate stacks are per thread: a signal sent to the process goes to the thread that
   does not block it, even while that thread sleeps; a signal sent to a thread waits for that thread. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t worker_thread;
static volatile sig_atomic_t usr1_on_worker, usr1_count, usr2_on_worker;
static volatile int ready;

static void on_usr1(int signal)
{
    (void)signal;
    usr1_count++;
    usr1_on_worker = pthread_equal(pthread_self(), worker_thread);
}

static void on_usr2(int signal)
{
    (void)signal;
    usr2_on_worker = pthread_equal(pthread_self(), worker_thread);
}

static int blocks(int signal)
{
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, NULL, &mask);
    return sigismember(&mask, signal);
}

static void *worker(void *argument)
{
    (void)argument;
    printf("worker starts blocking SIGUSR1: %d\n", blocks(SIGUSR1));
    stack_t altstack;
    sigaltstack(NULL, &altstack);
    printf("worker has no alternate stack: %d\n", (altstack.ss_flags & SS_DISABLE) != 0);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);

    struct timespec nap = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 500 && !usr1_count; i++) nanosleep(&nap, NULL);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) != 2) nanosleep(&nap, NULL);

    sigset_t pending;
    sigpending(&pending);
    printf("worker sees SIGUSR2 pending: %d\n", sigismember(&pending, SIGUSR2));
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    printf("worker took SIGUSR2: %d\n", usr2_on_worker);
    return NULL;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    static char stack_memory[1 << 16];
    stack_t altstack = {.ss_sp = stack_memory, .ss_size = sizeof stack_memory};
    sigaltstack(&altstack, NULL);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_create(&worker_thread, NULL, worker, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST)) usleep(1000);

    printf("main still blocks SIGUSR1: %d, not SIGUSR2: %d\n", blocks(SIGUSR1), !blocks(SIGUSR2));
    kill(getpid(), SIGUSR1);
    struct timespec nap = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 500 && !usr1_count; i++) nanosleep(&nap, NULL);
    printf("SIGUSR1 handled once, on the worker: %d %d\n", usr1_count, usr1_on_worker);

    pthread_kill(worker_thread, SIGUSR2);
    sigset_t pending;
    sigpending(&pending);
    printf("main sees SIGUSR2 pending: %d\n", sigismember(&pending, SIGUSR2));
    __atomic_store_n(&ready, 2, __ATOMIC_SEQ_CST);
    pthread_join(worker_thread, NULL);
    stack_t mine;
    sigaltstack(NULL, &mine);
    printf("main keeps its alternate stack: %d\n", mine.ss_sp == stack_memory && !(mine.ss_flags & SS_DISABLE));
    return 0;
}
