// realloc as programs use it: a buffer doubling from a null pointer, shrinking in place, growing within its rounding,
// and realloc to size 0 as a free; each from its own call site.
#include <stdlib.h>
#include <string.h>

static char *grow(char *buffer, size_t size) { return realloc(buffer, size); }

int main(void)
{
    char *buffer = NULL;
    for (size_t size = 64; size <= 64 * 1024; size *= 2) {
        buffer = grow(buffer, size);
        memset(buffer, 'x', size);
    }
    buffer = realloc(buffer, 10000);    // shrinks in place
    buffer = realloc(buffer, 10008);    // grows within the block's rounding
    char *other = malloc(100);
    other = realloc(other, 0);           // frees, returns null
    char *same = malloc(300);
    same = realloc(same, 300);
    free(same);
    free(other);
    free(buffer);
    return 0;
}
