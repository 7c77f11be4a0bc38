/* The only pointer to a block is in a register (r15) of a second thread, spinning when main calls
   exit(): the leak checker scans every thread's registers, so the block is still reachable. */
#include <pthread.h>
#include <stdlib.h>

void *volatile handoff;
volatile int holding;

static void *hold(void *unused)
{
    (void)unused;
    __asm__ volatile("mov %0, %%r15\n\t"
                     "movq $0, %0\n\t"
                     "movl $1, %1\n"
                     "1:\tpause\n\t"
                     "jmp 1b"
                     : "+m"(handoff), "+m"(holding) : : "r15", "memory");
    return NULL;
}

int main(void)
{
    handoff = malloc(72);
    pthread_t thread;
    pthread_create(&thread, NULL, hold, NULL);
    while (!holding) { }
    exit(0);
}
