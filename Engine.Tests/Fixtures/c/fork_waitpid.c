/* The child writes through a pipe and exits with a status the parent reads back with waitpid. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0) return 1;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        const char message[] = "from the child";
        write(fds[1], message, sizeof message);
        _exit(42);
    }
    char buffer[64] = {0};
    read(fds[0], buffer, sizeof buffer - 1);
    int status;
    if (waitpid(child, &status, 0) != child) return 2;
    printf("parent read \"%s\", child exited %d\n", buffer, WEXITSTATUS(status));
    return 0;
}
