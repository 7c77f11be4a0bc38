/* Calls into a writable, non-executable data array: the guest must die of SIGSEGV. */
#include <stdio.h>

static unsigned char data[64] = { 0xc3 }; /* ret, which must never run */

int main(void)
{
    void (*volatile target)(void) = (void (*)(void))data;
    printf("before\n");
    fflush(stdout);
    target();
    printf("after\n");
    return 0;
}
