/* A tight loop that only a signal handler ends: the handler must run while the loop spins. */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static volatile sig_atomic_t stop;

static void on_alarm(int signal) { stop = signal; }

int main(void)
{
    struct sigaction action = {0};
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    struct itimerval timer = {.it_value = {.tv_usec = 50 * 1000}};
    setitimer(ITIMER_REAL, &timer, NULL);
    unsigned long spins = 0;
    while (!stop) spins++;
    printf("stopped by %d after spinning: %s\n", (int)stop, spins > 0 ? "yes" : "no");
    return 0;
}
