/* VALGRIND_DISABLE_ERROR_REPORTING turns this thread's errors off (they are neither shown nor counted) until
   VALGRIND_ENABLE_ERROR_REPORTING; VALGRIND_COUNT_ERRORS counts the ones found. */
#include <stdlib.h>
#include <valgrind/valgrind.h>

int main(void)
{
    char *block = malloc(8);
    VALGRIND_DISABLE_ERROR_REPORTING;
    block[8] = 1;
    block[9] = 1;
    VALGRIND_ENABLE_ERROR_REPORTING;
    unsigned hidden = VALGRIND_COUNT_ERRORS;
    block[10] = 1;
    unsigned shown = VALGRIND_COUNT_ERRORS;
    VALGRIND_PRINTF("errors %u then %u\n", hidden, shown);
    free(block);
    return 0;
}
