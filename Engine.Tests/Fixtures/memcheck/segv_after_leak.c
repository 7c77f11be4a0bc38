/* Leaks, then dies of SIGSEGV writing through a null pointer: the invalid write is reported, then
   the fatal signal, then the heap and leak summaries. */
#include <stdio.h>
#include <stdlib.h>

int *volatile target;

int main(void)
{
    void *volatile lost = malloc(33);
    lost = NULL;
    puts("crashing");
    fflush(stdout);
    *target = 1;
    return 0;
}
