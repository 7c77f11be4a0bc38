/* A SIGSEGV handler (SA_SIGINFO) reads si_addr and siglongjmps out of the faulting write, twice. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

static sigjmp_buf recovery;
static volatile void *fault_address;

static void on_segv(int signal, siginfo_t *info, void *context)
{
    (void)signal; (void)context;
    fault_address = info->si_addr;
    siglongjmp(recovery, 1);
}

int main(void)
{
    struct sigaction action = {0};
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, NULL);
    for (int round = 0; round < 2; round++) {
        if (sigsetjmp(recovery, 1) == 0) {
            *(volatile int *)(uintptr_t)(0x1000 + 8 * round) = 1;
            puts("not reached");
        } else {
            printf("round %d: recovered from a fault at %p\n", round, (void *)fault_address);
        }
    }
    return 0;
}
