/* posix_spawn of a program with its own arguments and environment; the parent waits for its status. */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int main(void)
{
    char *argv[] = {"sh", "-c", "echo spawned $0; exit 5", "child", NULL};
    pid_t child;
    fflush(stdout);
    if (posix_spawn(&child, "/bin/sh", NULL, NULL, argv, environ) != 0) return 1;
    int status;
    if (waitpid(child, &status, 0) != child) return 2;
    printf("child exited %d\n", WEXITSTATUS(status));
    return 0;
}
