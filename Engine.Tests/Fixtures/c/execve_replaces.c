/* The program replaces itself (no fork): the new one keeps the descriptors, gets the environment passed
   to execve, and keeps the signal mask and the ignored signals. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    signal(SIGHUP, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);

    int fds[2];
    pipe(fds);
    const char *message = "through the inherited descriptor\n";
    write(fds[1], message, strlen(message));
    close(fds[1]);

    printf("before exec\n");
    fflush(stdout);
    /* grep reads what the new process has: its own status and environment, and the pipe's read end. */
    char inherited[32];
    snprintf(inherited, sizeof inherited, "/dev/fd/%d", fds[0]);
    char *args[] = {"grep", "-a", "-o", "-h", "-E", "^Sig(Blk|Ign):.*|EXEC_MARK=[a-z ]*|through the inherited descriptor",
                    "/proc/self/status", "/proc/self/environ", inherited, NULL};
    char *environment[] = {"EXEC_MARK=given to execve", NULL};
    execve("/bin/grep", args, environment);
    perror("execve");
    return 1;
}
