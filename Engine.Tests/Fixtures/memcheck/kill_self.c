/* A process that kills itself with kill(): the signal's si_code is SI_USER (0), which the XML fatal_signal shows;
   raise() and abort() send theirs with tgkill, SI_TKILL (-6). */
#include <signal.h>
#include <unistd.h>

int main(void)
{
    kill(getpid(), SIGTERM);
    pause();
    return 0;
}
