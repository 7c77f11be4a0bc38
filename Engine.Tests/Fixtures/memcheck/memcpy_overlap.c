/* memcpy between overlapping ranges through the plain memcpy symbol. glibc's ifunc picks an
   implementation by CPU; on an AVX machine Valgrind 3.19 replaces the one it picks
   (__memcpy_avx_unaligned_erms) with memmove, so it reports nothing here (memcpy_chk_overlap.c
   shows the report). */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char buffer[64];
    memset(buffer, 'm', sizeof buffer);
    char *volatile base = buffer;
    size_t volatile length = 32; /* a constant length would be inlined as moves */
    memcpy(base + 8, base, length);
    printf("%c\n", buffer[40]);
    return 0;
}
