/* Waits for a signal another process sends, in the way the argument names, after printing "ready":
   read       blocked reading stdin with every signal at its default action; prints what read returned
   restart    the same with a SIGUSR1 handler installed with SA_RESTART: read goes on after it
   interrupt  the same with a SIGUSR1 handler installed without SA_RESTART: read fails with EINTR
   sigwait    SIGTERM blocked and taken by sigwaitinfo
   signalfd   SIGTERM blocked and read from a signalfd once poll finds it readable */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void on_usr1(int signal)
{
    (void)signal;
    static const char line[] = "handled SIGUSR1\n";
    write(STDOUT_FILENO, line, sizeof line - 1);
}

static int read_stdin(void)
{
    char buffer[64];
    ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
    if (got < 0) printf("read failed: %s\n", errno == EINTR ? "EINTR" : strerror(errno));
    else printf("read returned %zd\n", got);
    return 0;
}

static void ready(void)
{
    puts("ready");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "read";
    if (strcmp(mode, "restart") == 0 || strcmp(mode, "interrupt") == 0)
    {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_usr1;
        action.sa_flags = strcmp(mode, "restart") == 0 ? SA_RESTART : 0;
        sigaction(SIGUSR1, &action, NULL);
    }
    if (strcmp(mode, "sigwait") != 0 && strcmp(mode, "signalfd") != 0)
    {
        ready();
        return read_stdin();
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    if (strcmp(mode, "sigwait") == 0)
    {
        ready();
        siginfo_t info;
        int taken = sigwaitinfo(&set, &info);
        printf("sigwaitinfo took %s from another process: %d\n", strsignal(taken), info.si_pid != getpid());
        return 0;
    }
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    ready();
    struct pollfd watch = {fd, POLLIN, 0};
    int readable = poll(&watch, 1, 30 * 1000);
    struct signalfd_siginfo info;
    ssize_t got = read(fd, &info, sizeof info);
    printf("poll %d, read %zd bytes: %s from another process: %d\n", readable, got, strsignal((int)info.ssi_signo),
           info.ssi_pid != (unsigned)getpid());
    return 0;
}
