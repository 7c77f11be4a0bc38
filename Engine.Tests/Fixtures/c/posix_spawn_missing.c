/* posix_spawn of a program that does not exist fails in the parent with ENOENT; one that exists runs. */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static void spawn(const char *path, int search)
{
    pid_t pid = 0;
    char *args[] = {(char *)path, NULL};
    int error = search ? posix_spawnp(&pid, path, NULL, NULL, args, environ)
                       : posix_spawn(&pid, path, NULL, NULL, args, environ);
    int status = -1;
    if (error == 0) waitpid(pid, &status, 0);
    printf("%s: %s, exit %d\n", path, error ? strerror(error) : "spawned", error ? -1 : WEXITSTATUS(status));
}

int main(void)
{
    spawn("/nonexistent/program", 0);
    spawn("no-such-program-anywhere", 1);
    spawn("/bin/true", 0);
    spawn("false", 1);
    return 0;
}
