/* SSE byte compares of a vector whose upper half is undefined: the mask bits of the defined lanes
   can be tested, the bits of undefined lanes cannot. */
#include <emmintrin.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    unsigned char bytes[16];
    __asm__ volatile("" : "+m"(bytes));
    memset(bytes, 'a', 8);
    __m128i v = _mm_loadu_si128((const __m128i *)bytes);
    __m128i eq = _mm_cmpeq_epi8(v, _mm_set1_epi8('a'));
    int mask = _mm_movemask_epi8(eq);
    if ((mask & 0xff) == 0xff) puts("low half matches");
    if (mask & 0x100) puts("byte 8 matches");
    return 0;
}
