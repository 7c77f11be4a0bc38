/* calloc() zeroes what it returns, and fails (NULL) when nmemb * size overflows; the block it did
   allocate is read one element past its end. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    long *zeros = calloc(4, sizeof *zeros);
    size_t volatile huge = SIZE_MAX / 2;
    void *overflow = calloc(huge, 4);
    long *volatile z = zeros;
    printf("%ld %s %ld\n", z[3], overflow == NULL ? "null" : "block", z[4]);
    free(zeros);
    return 0;
}
