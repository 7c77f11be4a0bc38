/* Descriptors the guest may not name: valgrind refuses them with EBADF and a warning in its commentary (close of
   -1, dup2 onto -1), and the guest sees its own RLIMIT_NOFILE, soft and hard alike. */
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
    struct rlimit files;
    printf("close(-1) = %d\n", close(-1));
    printf("dup2(1, -1) = %d\n", dup2(1, -1));
    getrlimit(RLIMIT_NOFILE, &files);
    printf("soft == hard: %d\n", files.rlim_cur == files.rlim_max);
    return 0;
}
