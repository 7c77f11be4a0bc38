#include <stdlib.h>

void* do_alloc(int size) {
    return malloc(size);
}

void do_free(void* mem)  {
    free(mem);
}
