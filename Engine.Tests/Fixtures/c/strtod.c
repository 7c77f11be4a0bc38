/* strtod/strtol parsing, printed back with round-trip precision. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    const char *doubles[] = { "0", "1.5", "-3.25e4", "1e-300", "2.2250738585072014e-308", "0x1.8p3",
                              "inf", "-nan", "123456789012345678901234567890", "  42.0xyz" };
    for (unsigned i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
        char *end;
        double d = strtod(doubles[i], &end);
        printf("strtod(\"%s\") = %.17g, rest \"%s\"\n", doubles[i], d, end);
    }
    const char *longs[] = { "0", "-17", "0x7fffffffffffffff", "0777", "99999999999999999999", "12abc" };
    for (unsigned i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        char *end;
        long l = strtol(longs[i], &end, 0);
        printf("strtol(\"%s\") = %ld, rest \"%s\"\n", longs[i], l, end);
    }
    return 0;
}
