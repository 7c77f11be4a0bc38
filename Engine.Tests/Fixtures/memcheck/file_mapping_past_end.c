/* A read past the end of a one-byte file through a two-page mapping of it: SIGBUS, not SIGSEGV. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    int fd = open("one-byte.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "x", 1) != 1) return 2;
    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return 3;
    printf("mapped\n");
    fflush(stdout);
    printf("%d\n", p[5000]);
    return 0;
}
