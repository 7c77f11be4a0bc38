/* Writes to a pipe whose reader has exited: by default SIGPIPE ends the program (status 141 in a shell);
   with "ignore" as the argument, SIGPIPE is ignored and write fails with EPIPE; with "handle", a handler sees
   SIGPIPE sent by the kernel (SI_USER, from this process) and write fails with EPIPE too. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t handled, from_self;

static void on_sigpipe(int signal, siginfo_t *info, void *context)
{
    (void)context;
    handled = signal;
    from_self = info->si_code == SI_USER && info->si_pid == getpid();
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "ignore") == 0) signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "handle") == 0)
    {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = on_sigpipe;
        action.sa_flags = SA_SIGINFO;
        sigaction(SIGPIPE, &action, NULL);
    }
    int ends[2];
    if (pipe(ends) != 0) return 2;
    pid_t reader = fork();
    if (reader == 0)
    {
        char line[2];
        close(ends[1]);
        _exit(read(ends[0], line, sizeof line) == sizeof line ? 0 : 3);
    }
    close(ends[0]);
    const char text[] = "y\n";
    if (write(ends[1], text, sizeof text - 1) != sizeof text - 1) return 4;
    int status;
    waitpid(reader, &status, 0);
    printf("reader read a line and exited with %d\n", WEXITSTATUS(status));
    fflush(stdout);
    for (int i = 0; i < 1000; i++)
    {
        if (write(ends[1], text, sizeof text - 1) < 0)
        {
            printf("write failed: EPIPE %d, SIGPIPE handled %d, sent by the kernel for this process %d\n", errno == EPIPE,
                   (int)handled, (int)from_self);
            return 0;
        }
    }
    puts("never failed");
    return 1;
}
