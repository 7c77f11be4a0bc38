/* malloc/realloc/calloc/free churn with a fixed pattern; prints a checksum of the surviving data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    enum { SLOTS = 256, ROUNDS = 20000 };
    static unsigned char *slots[SLOTS];
    static size_t sizes[SLOTS];
    unsigned seed = 7;
    for (int round = 0; round < ROUNDS; round++) {
        seed = seed * 1664525u + 1013904223u;
        unsigned slot = (seed >> 10) % SLOTS;
        size_t size = (seed >> 20) % 2000 + 1;
        switch (round % 4) {
        case 0: free(slots[slot]); slots[slot] = malloc(size); break;
        case 1: free(slots[slot]); slots[slot] = calloc(size, 1); break;
        case 2: slots[slot] = realloc(slots[slot], size); break;
        default: free(slots[slot]); slots[slot] = NULL; sizes[slot] = 0; continue;
        }
        if (!slots[slot]) { puts("out of memory"); return 1; }
        memset(slots[slot], (int)(round & 0xff), size);
        sizes[slot] = size;
    }
    unsigned long checksum = 0, bytes = 0;
    for (int i = 0; i < SLOTS; i++) {
        for (size_t j = 0; j < sizes[i]; j++) checksum = checksum * 33 + slots[i][j];
        bytes += sizes[i];
        free(slots[i]);
    }
    printf("live bytes %lu checksum %lu\n", bytes, checksum);
    return 0;
}
