/* realloc() growing a block moves it: reading through the old pointer is a read of a freed block,
   whose free stack is realloc's. The new block leaks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *old = malloc(16);
    strcpy(old, "growing");
    char *grown = realloc(old, 4000);
    char *volatile stale = old;
    printf("%s %c\n", grown, stale[0]);
    return 0;
}
