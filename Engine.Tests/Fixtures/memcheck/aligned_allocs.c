/* posix_memalign and aligned_alloc blocks leak, a memalign block stays reachable; each loss
   record's stack starts at its allocator. A non-power-of-two alignment makes posix_memalign fail
   with EINVAL. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

void *keep[3];

int main(void)
{
    void *a = NULL;
    int status = posix_memalign(&a, 64, 100);
    void *bad = NULL;
    int invalid = posix_memalign(&bad, 24, 100);
    void *b = aligned_alloc(128, 256);
    void *c = memalign(32, 40);
    printf("%d %d %d\n", status, invalid, ((unsigned long)a | (unsigned long)b | (unsigned long)c) % 32 == 0);
    keep[0] = c;
    a = b = NULL;
    return 0;
}
