/* An uninitialised local tested in an if: memcheck reports the conditional jump in main. */
#include <stdio.h>

int main(int argc, char **argv)
{
    int x;
    if (argc > 5)
        x = 1;
    if (x == 3)
        puts("three");
    return 0;
}
