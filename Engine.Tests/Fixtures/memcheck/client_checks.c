/* VALGRIND_CHECK_MEM_IS_DEFINED, VALGRIND_CHECK_MEM_IS_ADDRESSABLE and VALGRIND_CHECK_VALUE_IS_DEFINED report the
   first bad byte ("Uninitialised byte(s) found during client check request") and answer its address. */
#include <stdlib.h>
#include <valgrind/memcheck.h>

int main(void)
{
    char *block = malloc(16);
    block[0] = 1;
    unsigned long undefined = VALGRIND_CHECK_MEM_IS_DEFINED(block, 8);
    unsigned long outside = VALGRIND_CHECK_MEM_IS_ADDRESSABLE(block, 20);
    unsigned long fine = VALGRIND_CHECK_MEM_IS_ADDRESSABLE(block, 16);
    int local;
    VALGRIND_CHECK_VALUE_IS_DEFINED(local);
    VALGRIND_PRINTF("first bad bytes at +%lu and +%lu, %lu\n", undefined - (unsigned long)block, outside - (unsigned long)block, fine);
    free(block);
    return 0;
}
