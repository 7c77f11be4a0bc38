/* SIGCHLD reaches the handler the program installs: once while it waits in sigsuspend with SIGCHLD
   blocked around the fork, once in pause(), with si_code, si_pid and si_status of the exited child. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile sig_atomic_t got;
static volatile int code, status, from_child;
static pid_t child;

static void on_child(int signal, siginfo_t *info, void *context)
{
    (void)context;
    got = signal;
    code = info->si_code;
    status = info->si_status;
    from_child = info->si_pid == child;
}

static pid_t spawn(int exit_status)
{
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        _exit(exit_status);
    }
    return pid;
}

static void report(const char *how)
{
    int wstatus;
    pid_t reaped = waitpid(child, &wstatus, 0);
    printf("%s: signal %d code %d status %d from child %d reaped %d exit %d\n", how, got, code, status, from_child,
           reaped == child, WEXITSTATUS(wstatus));
    got = 0;
}

int main(void)
{
    struct sigaction action = {0};
    action.sa_sigaction = on_child;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGCHLD, &action, NULL);

    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    child = spawn(7);
    while (!got) sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    report("sigsuspend");

    child = spawn(9);
    while (!got) pause();
    report("pause");

    /* With the default action again, a child's exit interrupts nothing: sleep runs to its end. */
    signal(SIGCHLD, SIG_DFL);
    child = spawn(3);
    unsigned left = sleep(1);
    printf("sleep left %u\n", left);
    report("default");
    return 0;
}
