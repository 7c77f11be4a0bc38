// Allocation wrappers for --alloc-fn (xmalloc, and xstrdup on top of it) and a function whose allocations
// --ignore-fn leaves out. (Valgrind 3.19 files a realloc of an ignored block in the tree but not in the heap
// size, which known-differences.txt lists; so nothing here reallocs one.)
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL) abort();
    return p;
}

char *xstrdup(const char *text)
{
    char *copy = xmalloc(strlen(text) + 1);
    return strcpy(copy, text);
}

void *scratch(size_t size) { return malloc(size); }

static void *table(int n) { return xmalloc(n * sizeof(long)); }

int main(void)
{
    void *kept[20];
    for (int i = 0; i < 10; i++) kept[i] = table(100 + i * 50);
    for (int i = 10; i < 15; i++) kept[i] = xstrdup("a string of some length, copied five times over");
    void *work = scratch(8000);
    for (int i = 15; i < 20; i++) kept[i] = scratch(500);
    free(work);
    for (int i = 0; i < 20; i++) free(kept[i]);
    return 0;
}
