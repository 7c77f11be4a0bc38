#include <stdlib.h>

int do_alloc(int count, int size) {
    int leaked = 0;
    for (int i = 0; i < count; ++i) {
        void * mem = malloc(size);
        if (rand() % 100  < 50) { // leak 50%
            ++leaked;
        } else {
            free(mem);
        }
    }
    return leaked;
}
