/* A store to a string literal: the page is the program's, read-only. The host MMU refuses it, not a check. */
#include <stdio.h>

int main(void)
{
    char *s = "hello";
    printf("before\n");
    fflush(stdout);
    s[0] = 'H';
    printf("after %s\n", s);
    return 0;
}
