/* 32-byte and masked accesses at the end of heap blocks (stores checked in 8-byte pieces, as Valgrind does), and definedness through AVX2 operations, as memcheck
   reports them: partial aligned loads, straddling loads and stores, masked loads and stores whose unselected
   elements lie past the end, a gather, and branches on vector compares of partly initialised data. */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>

static __m256 sink;

__attribute__((noinline)) static void consume(__m256 v) { sink = _mm256_add_ps(sink, v); }

int main(void) {
    float *volatile a = aligned_alloc(32, 40 * sizeof(float)); /* 160 bytes: five aligned 32-byte chunks */
    for (int i = 0; i < 40; i++) a[i] = (float)i;

    consume(_mm256_load_ps(a + 40));        /* wholly past the end: invalid read of size 32 */
    consume(_mm256_loadu_ps(a + 36));       /* straddles the end, unaligned */
    _mm256_storeu_ps(a + 36, sink);         /* invalid write of size 32 */

    __m256i half = _mm256_set_epi32(0, 0, 0, 0, -1, -1, -1, -1);
    consume(_mm256_maskload_ps(a + 36, half));     /* the selected elements are in the block: nothing */
    _mm256_maskstore_ps(a + 36, half, sink);        /* likewise */
    __m256i all = _mm256_set1_epi32(-1);
    consume(_mm256_maskload_ps(a + 36, all));      /* elements past the end: invalid reads of size 4 */

    __m256i index = _mm256_set_epi32(0, 5, 10, 15, 20, 25, 30, 41);
    consume(_mm256_i32gather_ps(a, index, 4));    /* one element past the end */

    int *volatile b = malloc(16 * sizeof(int));    /* half initialised */
    for (int i = 0; i < 8; i++) b[i] = i;
    __m256i lo = _mm256_loadu_si256((const __m256i *)b), hi = _mm256_loadu_si256((const __m256i *)(b + 8));
    int mask = _mm256_movemask_epi8(_mm256_cmpeq_epi32(lo, _mm256_set1_epi32(3)));
    if (mask) printf("found 3\n");                  /* defined: fine */
    int mask2 = _mm256_movemask_epi8(_mm256_cmpeq_epi32(hi, _mm256_set1_epi32(3)));
    if (mask2) printf("found 3 again\n");           /* depends on uninitialised values */
    if (_mm256_testz_si256(hi, hi)) printf("zero\n");

    float *volatile c = aligned_alloc(16, 24);
    _mm_storeu_ps(c + 4, _mm_set1_ps(1.0f));         /* a 16-byte store half past the end: one 8-byte piece */
    free(c);

    float s[8];
    _mm256_storeu_ps(s, sink);
    printf("%d\n", s[0] > 1e30f);
    free(b);
    free(a);
    return 0;
}
