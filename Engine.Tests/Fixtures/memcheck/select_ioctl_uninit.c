/* What pselect6 and ioctl read: fd_sets (nfds/8 bytes, as Valgrind checks them), pselect6's signal-mask pair and
   the mask it points to, and the arguments of terminal and _IOC-encoded ioctls, named as Valgrind names them;
   TCGETS writing past a block is unaddressable. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
    struct timespec now = {0, 0};
    char *fds = malloc(128);
    memset(fds, 0, 8);
    syscall(SYS_pselect6, 70, fds, NULL, NULL, &now, NULL);
    syscall(SYS_pselect6, 16, NULL, fds + 8, fds + 8, &now, NULL);
    struct { sigset_t *set; size_t size; } *mask = malloc(16);
    mask->set = malloc(sizeof(sigset_t));
    syscall(SYS_pselect6, 0, NULL, NULL, NULL, &now, mask);

    int *flag = malloc(sizeof *flag);
    ioctl(0, FIONBIO, flag);
    struct winsize *size = malloc(sizeof *size);
    ioctl(1, TIOCSWINSZ, size);
    struct termios *terminal = malloc(sizeof *terminal);
    ioctl(1, TCSETSW, terminal);
    ioctl(1, TCGETS, (char *)terminal + 40);
    ioctl(1, _IOW('x', 1, int), flag);
    int *group = malloc(sizeof *group);
    ioctl(0, TIOCSPGRP, group);
    return 0;
}
