/* Undefined heap bytes travel through memcpy into a stack buffer and through strcpy into another
   heap block; the tests after each copy, and strcpy's own test of the string, name the first block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *source = malloc(32);
    source[0] = 'a';
    source[2] = '\0';
    char local[32];
    memcpy(local, source, sizeof local);
    char *volatile l = local;
    if (l[20] == 'x') puts("x");
    char *copy = malloc(32);
    strcpy(copy, source);
    char *volatile c = copy;
    if (c[1] == 'y') puts("y");
    free(copy);
    free(source);
    return 0;
}
