/* system() runs a shell through posix_spawn (clone with CLONE_VM|CLONE_VFORK) and waits for it. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

int main(void)
{
    fflush(stdout);
    int status = system("echo hi");
    printf("system returned %d\n", WEXITSTATUS(status));
    status = system("exit 7");
    printf("system returned %d\n", WEXITSTATUS(status));
    return 0;
}
