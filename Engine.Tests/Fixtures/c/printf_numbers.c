/* printf's integer, floating point and long double conversions (long double goes through x87). */
#include <stdio.h>
#include <limits.h>

int main(void)
{
    printf("%d %i %u %x %X %o\n", -42, 17, 3000000000u, 0xbeef, 0xCAFE, 0755);
    printf("%ld %lu %lld %llx\n", LONG_MIN, ULONG_MAX, LLONG_MAX, 0x0123456789abcdefULL);
    printf("[%8d] [%-8d] [%08d] [%+d]\n", 123, 123, 123, 123);
    printf("%hhd %hd %zu %c %s %%\n", (signed char)200, (short)70000, sizeof(long), 'x', "str");

    double values[] = { 0.0, -0.0, 1.0, 3.14159265358979, -2.5e-10, 6.02214076e23, 1.0 / 3.0 };
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++)
        printf("%f %e %g %.3f %a\n", values[i], values[i], values[i], values[i], values[i]);

    /* Values exact in 53 bits: Valgrind (and this engine) run x87 at double precision, so wider
       long double results print differently there than natively. */
    long double ld = 1.0L / 4.0L * 3.0L;
    printf("%Lf %.20Lg %Le\n", ld, ld, ld * -1024.0L);
    long double big = 1e15L + 0.5L;
    printf("%.1Lf %Lg %La\n", big, -big, big);
    return 0;
}
