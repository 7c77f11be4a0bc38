/* alarm() delivers SIGALRM to a handler while the program waits in pause(). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void on_alarm(int signal) { alarms += signal; }

int main(void)
{
    struct sigaction action = {0};
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, NULL);
    alarm(1);
    while (!alarms) pause();
    printf("handled SIGALRM, sum %d\n", (int)alarms);
    return 0;
}
