/* Reads and writes one element past a global array. Globals have no redzones, so memcheck reports
   nothing: the access lands in the next global, which the program owns. */
#include <stdio.h>

int table[8];
int after[8];

int main(int argc, char **argv)
{
    (void)argv;
    int *volatile t = table;
    t[8] = argc;
    printf("%d %d\n", t[8], after[0]);
    return 0;
}
