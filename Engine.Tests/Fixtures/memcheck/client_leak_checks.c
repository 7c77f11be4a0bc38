/* Leak searches the client asks for mid-run: VALGRIND_DO_LEAK_CHECK (full), the added and changed forms, and the
   quick one (summary), each printed as Valgrind prints it; VALGRIND_COUNT_LEAKS and VALGRIND_COUNT_LEAK_BLOCKS
   answer with the last search's numbers. */
#include <stdlib.h>
#include <valgrind/memcheck.h>

static void *kept;

int main(void)
{
    void *lost = malloc(10);
    lost = NULL;
    kept = malloc(20);
    VALGRIND_DO_LEAK_CHECK;
    unsigned long leaked, dubious, reachable, suppressed;
    VALGRIND_COUNT_LEAKS(leaked, dubious, reachable, suppressed);
    VALGRIND_PRINTF("bytes %lu %lu %lu %lu\n", leaked, dubious, reachable, suppressed);
    VALGRIND_COUNT_LEAK_BLOCKS(leaked, dubious, reachable, suppressed);
    VALGRIND_PRINTF("blocks %lu %lu %lu %lu\n", leaked, dubious, reachable, suppressed);
    void *more = malloc(30);
    more = NULL;
    VALGRIND_DO_ADDED_LEAK_CHECK;
    free(kept);
    kept = NULL;
    VALGRIND_DO_CHANGED_LEAK_CHECK;
    VALGRIND_DO_QUICK_LEAK_CHECK;
    return 0;
}
