/* setjmp/longjmp across nested calls, and locals preserved through volatile. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;

static void dive(int depth)
{
    if (depth >= 5) longjmp(env, depth * 10);
    printf("dive %d\n", depth);
    dive(depth + 1);
}

int main(void)
{
    volatile int rounds = 0;
    int code = setjmp(env);
    printf("setjmp returned %d (round %d)\n", code, rounds);
    if (rounds++ < 3) dive(0);
    printf("done after %d rounds\n", rounds);
    return 0;
}
