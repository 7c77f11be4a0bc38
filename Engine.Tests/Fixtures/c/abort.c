/* abort() ends the program with SIGABRT after its output is flushed. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    puts("about to abort");
    fflush(stdout);
    abort();
}
