/* A signal the guest blocks and waits for is taken by the wait, not by its handler: sigwait takes SIGUSR1
   that another thread sends the process, sigwaitinfo takes one sent to the thread with its sender, and
   sigtimedwait gives up with EAGAIN when nothing comes before its timeout. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static pthread_t main_thread;

static void on_signal(int signal) { handled = signal; }

static void nap(void)
{
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

static void *send_to_process(void *argument)
{
    (void)argument;
    nap(); /* main is most likely waiting by now; the signal stays pending if not */
    kill(getpid(), SIGUSR1);
    return NULL;
}

static void *send_to_main_thread(void *argument)
{
    (void)argument;
    nap();
    pthread_kill(main_thread, SIGUSR2);
    return NULL;
}

int main(void)
{
    signal(SIGUSR1, on_signal);
    signal(SIGUSR2, on_signal);
    main_thread = pthread_self();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    pthread_t sender;
    pthread_create(&sender, NULL, send_to_process, NULL);
    int taken = 0;
    int error = sigwait(&set, &taken);
    pthread_join(sender, NULL);
    printf("sigwait: %d, took %s, handler ran: %d\n", error, strsignal(taken), (int)handled);

    pthread_create(&sender, NULL, send_to_main_thread, NULL);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    taken = sigwaitinfo(&set, &info);
    pthread_join(sender, NULL);
    printf("sigwaitinfo: %s, si_signo %s, si_code %d, from this process: %d, handler ran: %d\n",
           strsignal(taken), strsignal(info.si_signo), info.si_code, info.si_pid == getpid(), (int)handled);

    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    printf("raised and pending: %d\n", sigismember(&pending, SIGUSR1));
    struct timespec none = {0, 0};
    taken = sigtimedwait(&set, &info, &none);
    printf("sigtimedwait with a pending signal: %s, si_code %d\n", strsignal(taken), info.si_code);

    struct timespec timeout = {0, 100 * 1000 * 1000};
    struct timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    taken = sigtimedwait(&set, &info, &timeout);
    int failure = errno;
    clock_gettime(CLOCK_MONOTONIC, &after);
    long waited_ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
    printf("sigtimedwait with nothing sent: %d, EAGAIN: %d, waited the timeout: %d\n",
           taken, failure == EAGAIN, waited_ms >= 100);

    taken = sigtimedwait(&set, &info, &none);
    printf("sigtimedwait polling: %d, EAGAIN: %d\n", taken, errno == EAGAIN);

    /* Unblocked again, a signal goes to the handler as before. */
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGUSR2);
    printf("handler ran after unblocking: %s\n", strsignal((int)handled));
    return 0;
}
