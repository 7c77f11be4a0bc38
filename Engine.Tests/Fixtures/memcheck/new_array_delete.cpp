// new[] released with delete: Mismatched free() / delete / delete [].
#include <cstdio>

int main()
{
    int *values = new int[12];
    values[0] = 1;
    std::printf("%d\n", values[0]);
    delete values;
    return 0;
}
