/* Waits for SIGINT from outside: with an argument it handles it and exits 0, without it dies of it. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_interrupt(int signal) { interrupted = signal; }

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) signal(SIGINT, on_interrupt);
    puts("ready");
    fflush(stdout);
    for (int i = 0; i < 100 && !interrupted; i++) usleep(100 * 1000);
    printf("interrupted by %d\n", (int)interrupted);
    return interrupted ? 0 : 1;
}
