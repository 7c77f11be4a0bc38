// malloc() released with delete: Mismatched free() / delete / delete [].
#include <cstdlib>

int main()
{
    int *value = static_cast<int *>(std::malloc(sizeof(int)));
    *value = 3;
    delete value;
    return 0;
}
