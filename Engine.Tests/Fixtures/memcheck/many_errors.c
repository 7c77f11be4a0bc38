/* The same invalid read repeated 5 times from one place, and once from another, plus a leak:
   errors are merged into contexts, which -s lists. */
#include <stdlib.h>

int main(void)
{
    int *a = malloc(4 * sizeof *a);
    int *volatile p = a;
    int sum = 0;
    for (int i = 0; i < 5; i++) sum += p[4];
    sum += p[-1];
    void *volatile lost = malloc(8);
    lost = NULL;
    free(a);
    return sum == 12345;
}
