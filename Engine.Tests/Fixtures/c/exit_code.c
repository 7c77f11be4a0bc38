/* exit(3) from a nested call, after output that must be flushed by exit. */
#include <stdio.h>
#include <stdlib.h>

static void leave(void)
{
    printf("leaving with 3\n");
    exit(3);
}

int main(void)
{
    leave();
    return 0;
}
