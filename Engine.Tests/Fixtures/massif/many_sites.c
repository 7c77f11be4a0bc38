// Sixty allocation sites of sizes from 16 to 960 bytes beside a few big blocks: most sites fall below massif's
// significance threshold and are folded into "in N places" entries at each level of the tree.
#include <stdlib.h>

#define SITE(n) static void *site##n(void) { return malloc(16 * ((n) + 1)); }
#define TEN(t) SITE(t##0) SITE(t##1) SITE(t##2) SITE(t##3) SITE(t##4) SITE(t##5) SITE(t##6) SITE(t##7) SITE(t##8) SITE(t##9)
TEN(1) TEN(2) TEN(3) TEN(4) TEN(5) TEN(6)

#define CALL(n) site##n();
#define CALLS(t) CALL(t##0) CALL(t##1) CALL(t##2) CALL(t##3) CALL(t##4) CALL(t##5) CALL(t##6) CALL(t##7) CALL(t##8) CALL(t##9)

static void *big(size_t size) { return malloc(size); }

int main(void)
{
    void *a = big(20000);
    CALLS(1) CALLS(2) CALLS(3)
    void *b = big(30000);
    CALLS(4) CALLS(5) CALLS(6)
    free(a);
    free(b);
    return 0;
}
