// Stack use that rises and falls: recursion with a local array at each level, for --stacks=yes.
#include <stdlib.h>
#include <string.h>

static int recurse(int depth)
{
    char frame[512];
    memset(frame, depth, sizeof frame);
    if (depth == 0) return frame[10];
    return recurse(depth - 1) + frame[depth % sizeof frame];
}

int main(void)
{
    void *block = malloc(4000);
    int total = 0;
    for (int i = 1; i <= 20; i++) total += recurse(i * 5);
    free(block);
    return total == 0;
}
