// An element of an array from new[] that was never set decides a branch: the origin is the
// allocation by operator new[].
#include <cstdio>

int main()
{
    int *values = new int[8];
    values[0] = 3;
    int *volatile v = values;
    if (v[5] > 2) std::puts("big");
    delete[] values;
    return 0;
}
