/* AVX2, FMA, F16C, BMI1/2, AES-NI and PCLMULQDQ through their intrinsics: each result printed, for comparison
   between the native run and the engine. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void show(const char *name, __m256i v) {
    uint64_t q[4];
    _mm256_storeu_si256((__m256i *)q, v);
    printf("%-14s %016llx %016llx %016llx %016llx\n", name, (unsigned long long)q[3], (unsigned long long)q[2],
           (unsigned long long)q[1], (unsigned long long)q[0]);
}

/* With -mbmi2, gcc turns these into rorx, sarx, shrx and shlx (the count masked as the instructions mask it). */
__attribute__((noinline)) static uint32_t rotate(uint32_t v) { return v >> 13 | v << 19; }
__attribute__((noinline)) static int32_t arithmetic(int32_t v, int n) { return v >> (n & 31); }
__attribute__((noinline)) static uint32_t logical(uint32_t v, int n) { return v >> (n & 31); }
__attribute__((noinline)) static uint32_t left(uint32_t v, int n) { return v << (n & 31); }

static void show128(const char *name, __m128i v) { show(name, _mm256_zextsi128_si256(v)); }

int main(void) {
    int32_t data[64];
    for (int i = 0; i < 64; i++) data[i] = i * 0x01010101 ^ (i << 28);
    __m256i a = _mm256_loadu_si256((const __m256i *)data), b = _mm256_loadu_si256((const __m256i *)(data + 8));
    __m256 fa = _mm256_set_ps(1.5f, -2.25f, 3.0f, 1e-8f, 65504.0f, 1e10f, -0.0f, 7.75f);
    __m256d da = _mm256_set_pd(1.0 / 3, -2.5, 1e300, 4.0), db = _mm256_set_pd(3.0, 0.5, 1e10, -0.25);

    show("permute4x64", _mm256_permute4x64_epi64(a, 0x1B));
    show("permutevar8", _mm256_permutevar8x32_epi32(a, _mm256_set_epi32(0, 7, 1, 6, 2, 5, 3, 4)));
    show("perm2x128", _mm256_permute2x128_si256(a, b, 0x21));
    show("insert128", _mm256_inserti128_si256(a, _mm256_castsi256_si128(b), 1));
    show128("extract128", _mm256_extracti128_si256(b, 1));
    show("blend32", _mm256_blend_epi32(a, b, 0xA5));
    show("shuffle8", _mm256_shuffle_epi8(a, b));
    show("alignr", _mm256_alignr_epi8(a, b, 5));
    show("sllv", _mm256_sllv_epi32(a, _mm256_set_epi32(0, 1, 5, 31, 32, 40, 3, 7)));
    show("srav", _mm256_srav_epi32(a, _mm256_set_epi32(0, 1, 5, 31, 32, 40, 3, 7)));
    show("broadcastb", _mm256_broadcastb_epi8(_mm256_castsi256_si128(b)));
    show("gather", _mm256_i32gather_epi32(data, _mm256_set_epi32(63, 1, 2, 40, 5, 8, 13, 21), 4));
    show("maskgather", _mm256_mask_i64gather_epi64(a, (const long long *)data, _mm256_set_epi64x(3, 0, 31, 7), _mm256_set_epi64x(-1, 0, -1, 0), 8));
    show("maskload", _mm256_maskload_epi32(data + 3, _mm256_set_epi32(-1, 0, 0, -1, 1, -5, 0, -1)));
    int32_t out[8] = {0};
    _mm256_maskstore_epi32(out, _mm256_set_epi32(0, -1, 0, -1, 0, -1, 0, -1), a);
    show("maskstore", _mm256_loadu_si256((const __m256i *)out));
    show("cmpgt", _mm256_cmpgt_epi64(a, b));
    printf("movemask %08x testz %d testc %d\n", _mm256_movemask_epi8(a), _mm256_testz_si256(a, b), _mm256_testc_si256(a, a));
    show("fmadd", _mm256_castpd_si256(_mm256_fmadd_pd(da, db, da)));
    show("fnmsub", _mm256_castps_si256(_mm256_fnmsub_ps(fa, fa, _mm256_set1_ps(0.1f))));
    show("fmaddsub", _mm256_castpd_si256(_mm256_fmaddsub_pd(da, db, db)));
    show("cmp_ps", _mm256_castps_si256(_mm256_cmp_ps(fa, _mm256_set1_ps(1.5f), _CMP_NGE_UQ)));
    show("round", _mm256_castpd_si256(_mm256_round_pd(db, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)));
    show("cvtps2pd", _mm256_castpd_si256(_mm256_cvtps_pd(_mm256_castps256_ps128(fa))));
    show128("cvtpd2ps", _mm_castps_si128(_mm256_cvtpd_ps(da)));
    show128("cvtps2ph", _mm256_cvtps_ph(fa, _MM_FROUND_TO_ZERO));
    show("cvtph2ps", _mm256_castps_si256(_mm256_cvtph_ps(_mm256_cvtps_ph(fa, 0))));
    show("permutevar_ps", _mm256_castps_si256(_mm256_permutevar_ps(fa, _mm256_set_epi32(3, 2, 1, 0, 0, 1, 2, 3))));
    show("unpackhi", _mm256_unpackhi_epi16(a, b));
    show("packus", _mm256_packus_epi32(a, b));
    show("mpsadbw", _mm256_mpsadbw_epu8(a, b, 0x2B));
    show("cvtepu8", _mm256_cvtepu8_epi32(_mm256_castsi256_si128(a)));

    __m128i key = _mm_set_epi32(0x2b7e1516, 0x28aed2a6, (int)0xabf71588, 0x09cf4f3c), block = _mm_set_epi32(0x3243f6a8, (int)0x885a308d, 0x313198a2, (int)0xe0370734);
    __m128i enc = _mm_aesenc_si128(block, key), last = _mm_aesenclast_si128(enc, key);
    show128("aesenc", enc);
    show128("aesenclast", last);
    show128("aesdec", _mm_aesdec_si128(last, key));
    show128("aesdeclast", _mm_aesdeclast_si128(last, key));
    show128("aesimc", _mm_aesimc_si128(key));
    show128("keygen", _mm_aeskeygenassist_si128(key, 0x1B));
    show128("clmul", _mm_clmulepi64_si128(key, block, 0x11));

    uint64_t x = 0x8F3C00F0A5A5C3E1ULL, m = 0x0F0F00FF00F0F0F0ULL;
    unsigned long long hi;
    unsigned long long lo = _mulx_u64(x, m, &hi);
    printf("pdep %016llx pext %016llx bzhi %016llx mulx %016llx:%016llx\n", (unsigned long long)_pdep_u64(x, m),
           (unsigned long long)_pext_u64(x, m), (unsigned long long)_bzhi_u64(x, 37), hi, lo);
    printf("bextr %08x blsi %016llx blsmsk %016llx blsr %016llx andn %016llx tzcnt %d lzcnt %d\n", _bextr_u32((uint32_t)x, 5, 13),
           (unsigned long long)_blsi_u64(m), (unsigned long long)_blsmsk_u64(m), (unsigned long long)_blsr_u64(m),
           (unsigned long long)_andn_u64(m, x), (int)_tzcnt_u64(m << 9), (int)_lzcnt_u64(m >> 9));
    static volatile uint32_t value = 0xA5A5C3E1;
    static volatile int counts[3] = {35, 7, 63};
    printf("rorx %08x sarx %d shrx %u shlx %u\n", rotate(value), arithmetic((int32_t)value, counts[0]), logical(value, counts[1]), left(value, counts[2]));
    uint32_t big;
    memcpy(&big, data + 5, 4);
    printf("movbe %08x\n", __builtin_bswap32(big));
    unsigned long long r1;
    printf("rdrand %d rdseed %d xgetbv %llx\n", _rdrand64_step(&r1), _rdseed64_step(&r1), (unsigned long long)(_xgetbv(0) & 7));  /* the host may enable more than x87|SSE|AVX */
    return 0;
}
