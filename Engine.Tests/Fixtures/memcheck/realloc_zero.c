/* realloc(p, 0) frees p; realloc(NULL, n) is malloc(n). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(32);
    char *r = realloc(p, 0);
    printf("%s\n", r == NULL ? "null" : "block");
    char *fresh = realloc(NULL, 48);
    fresh[0] = 'x';
    free(r);
    return 0;
}
