// A fault inside a member function template, called through a namespace function.
#include <vector>
#include <cstdio>

namespace shapes {
template <typename T> struct Box {
    std::vector<T> items;
    __attribute__((noinline)) void poke(T *where, const T &value)
    {
        items.push_back(value);
        *where = value;
    }
};

__attribute__((noinline)) void fill(Box<int> &box, int *where) { box.poke(where, 7); std::puts("x"); }
}

int main()
{
    shapes::Box<int> box;
    shapes::fill(box, reinterpret_cast<int *>(0x10));
    return 0;
}
