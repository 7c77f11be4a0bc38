// Inlined C++ at -O2: a member function template and a namespace function template inlined into
// outer, the fault in the innermost; then a call to a non-inlined leaf from inlined code.
#include <cstdio>

static volatile int sink;
int *volatile bad = reinterpret_cast<int *>(0x10);

namespace shapes {
template <typename T> struct Box {
    T *slot;
    void put(T v) { *slot = sink + v; }
};

template <typename T> inline void fill(Box<T> &box, T v)
{
    box.put(v);
}
}

__attribute__((noinline)) void outer(int *p)
{
    std::puts("storing");
    shapes::Box<int> box{p};
    shapes::fill(box, 42);
    std::puts("unreached");
}

int main()
{
    outer(bad);
    return 0;
}
