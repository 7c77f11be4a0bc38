/* A fault inside a SIGSEGV handler: the stack runs from the handler through the signal frame
   (__restore_rt, described by CFI expressions in libc) back into the code that faulted first. */
#include <signal.h>
#include <string.h>

static int *volatile wild = (int *)0x10;
static int *volatile wilder = (int *)0x20;

__attribute__((noinline)) static void on_segv(int sig)
{
    *wilder = sig;
}

__attribute__((noinline)) static void poke(void)
{
    *wild = 1;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, 0);
    poke();
    return 0;
}
