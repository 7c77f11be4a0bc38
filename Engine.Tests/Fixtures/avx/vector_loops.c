/* Loops gcc vectorises with AVX2/FMA at -O2/-O3: arithmetic, reductions, conversions, indexed (gather) loads,
   conditional stores, byte scans, shuffles and bit tricks. Prints results and checksums; run natively and under
   the engine, the output must be the same. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>

#define N 1003

static float fa[N], fb[N], fc[N];
static double da[N], db[N], dc[N];
static int32_t ia[N], ib[N], ic[N], idx[N];
static int64_t la[N];
static uint8_t ba[N + 64], bb[N + 64];
static uint16_t wa[N];

static uint64_t hash(const void *p, size_t n) {
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

__attribute__((noinline)) void saxpy(float a, const float *x, float *y, int n) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }
__attribute__((noinline)) double dot(const double *x, const double *y, int n) { double s = 0; for (int i = 0; i < n; i++) s += x[i] * y[i]; return s; }
__attribute__((noinline)) void fused(double *r, const double *x, const double *y, int n) { for (int i = 0; i < n; i++) r[i] = fma(x[i], y[i], -r[i]); }
__attribute__((noinline)) int32_t isum(const int32_t *x, int n) { int32_t s = 0; for (int i = 0; i < n; i++) s += x[i] * 3 - (x[i] >> 2); return s; }
__attribute__((noinline)) void imax(int32_t *r, const int32_t *x, const int32_t *y, int n) { for (int i = 0; i < n; i++) r[i] = x[i] > y[i] ? x[i] : y[i] - 7; }
__attribute__((noinline)) void gather(float *r, const float *x, const int32_t *ix, int n) { for (int i = 0; i < n; i++) r[i] = x[ix[i]] * 2.0f; }
__attribute__((noinline)) void gather64(int64_t *r, const int64_t *x, const int32_t *ix, int n) { for (int i = 0; i < n; i++) r[i] += x[ix[i]]; }
__attribute__((noinline)) void cond_store(int32_t *r, const int32_t *x, int n) { for (int i = 0; i < n; i++) if (x[i] & 1) r[i] = x[i] * 5; }
__attribute__((noinline)) void widen(int64_t *r, const int32_t *x, int n) { for (int i = 0; i < n; i++) r[i] = (int64_t)x[i] * x[i]; }
__attribute__((noinline)) void narrow(uint8_t *r, const uint16_t *x, int n) { for (int i = 0; i < n; i++) r[i] = (uint8_t)(x[i] >> 3); }
__attribute__((noinline)) void to_float(float *r, const int32_t *x, int n) { for (int i = 0; i < n; i++) r[i] = (float)x[i] / 3.0f; }
__attribute__((noinline)) void to_int(int32_t *r, const double *x, int n) { for (int i = 0; i < n; i++) r[i] = (int32_t)x[i] + (int32_t)lrint(x[i]); }
__attribute__((noinline)) void avg_bytes(uint8_t *r, const uint8_t *x, int n) { for (int i = 0; i < n; i++) r[i] = (r[i] + x[i] + 1) / 2; }
__attribute__((noinline)) int count_byte(const uint8_t *x, int n, uint8_t c) { int k = 0; for (int i = 0; i < n; i++) k += x[i] == c; return k; }
__attribute__((noinline)) void shifts(uint32_t *r, const uint32_t *x, const uint32_t *s, int n) { for (int i = 0; i < n; i++) r[i] = (x[i] << (s[i] & 31)) ^ (x[i] >> (s[i] & 15)); }
__attribute__((noinline)) void reverse(int32_t *r, const int32_t *x, int n) { for (int i = 0; i < n; i++) r[i] = x[n - 1 - i]; }
__attribute__((noinline)) float fmin_all(const float *x, int n) { float m = x[0]; for (int i = 1; i < n; i++) m = x[i] < m ? x[i] : m; return m; }
__attribute__((noinline)) double norm(const double *x, int n) { double s = 0; for (int i = 0; i < n; i++) s += x[i] * x[i]; return sqrt(s); }
__attribute__((noinline)) uint64_t bits(const int64_t *x, int n) {
    uint64_t h = 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = (uint64_t)x[i];
        h += (v & (v - 1)) ^ (v & -v) ^ (~v & h) ^ (v >> (i & 63)) ^ __builtin_ctzll(v | 1) ^ __builtin_clzll(v | 1) ^ __builtin_popcountll(v);
    }
    return h;
}
__attribute__((noinline)) void complex_mul(float *re, float *im, const float *are, const float *aim, int n) {
    for (int i = 0; i < n; i++) { float r = re[i] * are[i] - im[i] * aim[i]; im[i] = re[i] * aim[i] + im[i] * are[i]; re[i] = r; }
}

int main(void) {
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        fa[i] = (float)((int32_t)seed % 1000) / 7.0f;
        fb[i] = (float)(i % 37) - 18.5f;
        da[i] = (double)((int32_t)(seed >> 3) % 100000) / 13.0;
        db[i] = 1.0 / (i + 1);
        dc[i] = i * 0.25;
        ia[i] = (int32_t)seed;
        ib[i] = (int32_t)(seed >> 7) - 5000;
        idx[i] = (int32_t)((seed >> 11) % N);
        la[i] = (int64_t)seed * 2654435761LL;
        wa[i] = (uint16_t)(seed >> 5);
        ba[i] = (uint8_t)(seed >> 13);
        bb[i] = (uint8_t)(i * 7);
    }
    saxpy(1.5f, fa, fb, N);
    printf("saxpy %016llx\n", (unsigned long long)hash(fb, sizeof fb));
    printf("dot %.17g\n", dot(da, db, N));
    fused(dc, da, db, N);
    printf("fma %016llx\n", (unsigned long long)hash(dc, sizeof dc));
    printf("isum %d\n", isum(ia, N));
    imax(ic, ia, ib, N);
    printf("imax %016llx\n", (unsigned long long)hash(ic, sizeof ic));
    gather(fc, fa, idx, N);
    printf("gather %016llx\n", (unsigned long long)hash(fc, sizeof fc));
    int64_t g[N] = {0};
    gather64(g, la, idx, N);
    printf("gather64 %016llx\n", (unsigned long long)hash(g, sizeof g));
    cond_store(ic, ia, N);
    printf("cond %016llx\n", (unsigned long long)hash(ic, sizeof ic));
    widen(g, ib, N);
    printf("widen %016llx\n", (unsigned long long)hash(g, sizeof g));
    narrow(bb, wa, N);
    printf("narrow %016llx\n", (unsigned long long)hash(bb, N));
    to_float(fc, ib, N);
    printf("tofloat %016llx\n", (unsigned long long)hash(fc, sizeof fc));
    to_int(ic, da, N);
    printf("toint %016llx\n", (unsigned long long)hash(ic, sizeof ic));
    avg_bytes(bb, ba, N);
    printf("avg %016llx count %d\n", (unsigned long long)hash(bb, N), count_byte(ba, N, ba[17]));
    shifts((uint32_t *)ic, (const uint32_t *)ia, (const uint32_t *)ib, N);
    printf("shifts %016llx\n", (unsigned long long)hash(ic, sizeof ic));
    reverse(ic, ia, N);
    printf("reverse %016llx\n", (unsigned long long)hash(ic, sizeof ic));
    printf("fmin %.9g norm %.17g\n", fmin_all(fa, N), norm(da, N));
    printf("bits %016llx\n", (unsigned long long)bits(la, N));
    complex_mul(fa, fb, fc, fc + 1, N - 1);
    printf("complex %016llx %016llx\n", (unsigned long long)hash(fa, sizeof fa), (unsigned long long)hash(fb, sizeof fb));
    char text[300];
    memset(text, 'x', sizeof text);
    text[257] = 0;
    printf("strlen %zu strchr %td memcmp %d\n", strlen(text), strchr(text, 0) - text, memcmp(fa, fa + 1, 64) > 0);
    return 0;
}
