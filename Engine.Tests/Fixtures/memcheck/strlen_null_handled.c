/* strlen of a null pointer under a SIGSEGV handler that jumps out: the replacement's read is reported, the
   handler runs (the signal is the guest's, raised in the replacement) and the program goes on. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf recovery;

static void on_segv(int signal)
{
    siglongjmp(recovery, signal);
}

int main(void)
{
    signal(SIGSEGV, on_segv);
    const char *volatile string = NULL;
    int caught = sigsetjmp(recovery, 1);
    if (caught == 0) printf("%zu\n", strlen(string));
    else printf("caught signal %d in strlen\n", caught);
    return 0;
}
