/* signalfd: SIGUSR2 the process sends itself while blocking it is read from the descriptor (poll sees it
   readable first), not delivered to the handler; an empty non-blocking signalfd reads EAGAIN; signalfd4 on an
   existing descriptor changes its mask. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_signal(int signal) { handled = signal; }

int main(void)
{
    signal(SIGUSR2, on_signal);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);

    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("signalfd: %d\n", fd >= 0);

    struct signalfd_siginfo info;
    ssize_t got = read(fd, &info, sizeof info);
    printf("empty read: %zd, EAGAIN: %d\n", got, errno == EAGAIN);
    struct pollfd watch = {fd, POLLIN, 0};
    printf("poll before: %d\n", poll(&watch, 1, 0));

    kill(getpid(), SIGUSR2);
    int ready = poll(&watch, 1, 1000);
    printf("poll after kill: %d, readable: %d\n", ready, (watch.revents & POLLIN) != 0);
    memset(&info, 0, sizeof info);
    got = read(fd, &info, sizeof info);
    printf("read a whole record: %d, %s, SI_USER: %d, from this process: %d, handler ran: %d\n", (int)got == (int)sizeof info,
           strsignal((int)info.ssi_signo), info.ssi_code == SI_USER, info.ssi_pid == (unsigned)getpid(), (int)handled);
    got = read(fd, &info, sizeof info);
    printf("read again: %zd, EAGAIN: %d\n", got, errno == EAGAIN);

    got = read(fd, &info, sizeof info - 1);
    printf("short buffer: %zd, EINVAL: %d\n", got, errno == EINVAL);

    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("signalfd4 on it: %d\n", signalfd(fd, &set, 0) == fd);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR2);
    struct signalfd_siginfo two[4];
    got = read(fd, two, sizeof two);
    printf("read both: %d records, %s then %s\n", (int)(got / (ssize_t)sizeof info),
           strsignal((int)two[0].ssi_signo), strsignal((int)two[1].ssi_signo));
    close(fd);

    printf("not a signalfd: %d, EINVAL: %d\n", signalfd(0, &set, 0), errno == EINVAL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("handler ran: %d\n", (int)handled);
    return 0;
}
