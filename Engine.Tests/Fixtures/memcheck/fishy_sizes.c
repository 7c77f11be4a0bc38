/* Negative sizes passed to the allocators: Argument 'size' of function malloc has a fishy
   (possibly negative) value, for malloc and for realloc(NULL, n), which is malloc; calloc refuses
   the overflowing product without a report. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    long volatile minus = -1;
    void *a = malloc((size_t)minus);
    void *b = calloc((size_t)minus, 4);
    void *c = realloc(NULL, (size_t)minus * 16);
    printf("%p %p %p\n", a, b, c);
    return 0;
}
