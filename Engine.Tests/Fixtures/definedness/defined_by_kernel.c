#define _GNU_SOURCE
/* Bytes the kernel writes are defined: read() into a heap block, stat, and a signal handler's siginfo and
   ucontext on the frame the kernel (the engine) builds. Valgrind reports nothing here. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile int seen;

static void handler(int signal, siginfo_t *info, void *context)
{
    if (info->si_signo == signal && ((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP] != 0)
        seen = 1;
}

int main(void)
{
    char *block = malloc(64);
    int fd = open("/proc/self/exe", O_RDONLY);
    if (read(fd, block, 64) != 64 || block[1] != 'E')
        return 1;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size == 0)
        return 2;
    close(fd);
    struct sigaction action = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
    sigemptyset(&action.sa_mask);
    sigaction(SIGUSR1, &action, NULL);
    raise(SIGUSR1);
    free(block);
    printf("%d\n", seen);
    return 0;
}
