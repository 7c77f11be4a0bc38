// Memory from the page allocation syscalls directly: anonymous mmaps, a munmap of part of one, brk growth,
// and a big malloc glibc serves with mmap, for --pages-as-heap=yes.
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    char *first = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *second = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (first == MAP_FAILED || second == MAP_FAILED) return 1;
    munmap(first + 32 * 4096, 32 * 4096);
    sbrk(8 * 4096);
    void *big = malloc(1 << 20);
    free(big);
    munmap(second, 16 * 4096);
    munmap(first, 32 * 4096);
    return 0;
}
