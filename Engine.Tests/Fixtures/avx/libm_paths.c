/* libm's FMA-variant paths (glibc binds them when CPUID reports FMA and AVX2): every result printed exactly (%a). */
#include <math.h>
#include <stdio.h>

int main(void) {
    static const double inputs[] = {0.0, -0.0, 1e-310, 0.1, 0.5, 1.0, 1.5, 2.0, 3.14159, 10.0, 100.5, 709.0, -3.7, 1e300, INFINITY, NAN};
    for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        double x = inputs[i];
        float f = (float)x;
        printf("%a: exp %a log %a pow %a sin %a cos %a tan %a atan %a atan2 %a exp2 %a log2 %a log10 %a cbrt %a\n",
               x, exp(x), log(x), pow(x, 1.7), sin(x), cos(x), tan(x), atan(x), atan2(x, 0.3), exp2(x), log2(x), log10(x), cbrt(x));
        printf("%a: expf %a logf %a powf %a sinf %a cosf %a exp2f %a log2f %a sqrtf %a erf %a lgamma %a\n",
               (double)f, (double)expf(f), (double)logf(f), (double)powf(f, 2.5f), (double)sinf(f), (double)cosf(f),
               (double)exp2f(f), (double)log2f(f), (double)sqrtf(f), erf(x), lgamma(x));
    }
    double s = 0;
    for (int i = 1; i < 20000; i++) s += sin(i * 0.001) * exp(-i * 1e-4) + log1p(i) / pow(i, 0.3);
    printf("sum %a\n", s);
    return 0;
}
