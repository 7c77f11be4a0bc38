/* Calls through a pointer to an address nothing is mapped at: the guest must die of SIGSEGV. */
#include <stdio.h>

int main(void)
{
    void (*volatile target)(void) = (void (*)(void))0x12345000;
    printf("before\n");
    fflush(stdout);
    target();
    printf("after\n");
    return 0;
}
