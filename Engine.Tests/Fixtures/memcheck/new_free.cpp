// new released with free(), and malloc() released with delete[]: two mismatches.
#include <cstdlib>

struct Pair { long a, b; };

int main()
{
    Pair *p = new Pair{1, 2};
    std::free(p);
    char *c = static_cast<char *>(std::malloc(10));
    delete[] c;
    return 0;
}
