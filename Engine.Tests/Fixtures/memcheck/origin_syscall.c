/* Syscall parameters with origins: a register argument never set (close's fd) and a buffer of
   the stack partly set (write's buf): each error names the stack allocation. */
#include <unistd.h>

__attribute__((noinline)) static int report(void)
{
    char line[16];
    line[0] = 'o';
    line[1] = 'k';
    line[15] = '\n';
    return write(1, line, sizeof line) != sizeof line;
}

int main(void)
{
    int fd;
    __asm__ volatile("" : "+r"(fd));
    close(fd);
    return report();
}
