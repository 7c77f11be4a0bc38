/* sendmsg and recvmsg read the msghdr (name and namelen, iov to controllen), the name, the iovec array and each
   buffer, and sendmsg the control data: partly undefined buffers, an undefined control block, a header with
   undefined fields, each reported as Valgrind words it ("sendmsg(msg.msg_iov[1])", "recvmsg(msg)"). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(void)
{
    int pair[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, pair);
    char *data = malloc(16);
    memset(data, 'd', 10);
    char *more = malloc(4);
    struct iovec iov[2] = {{data, 16}, {more, 4}};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    sendmsg(pair[0], &msg, 0);
    msg.msg_control = malloc(32);
    msg.msg_controllen = 32;
    sendmsg(pair[0], &msg, 0);

    struct msghdr *partial = malloc(sizeof *partial);
    partial->msg_iov = iov;
    partial->msg_iovlen = 1;
    partial->msg_name = NULL;
    sendmsg(pair[0], partial, 0);

    char in[64];
    struct iovec into = {in, sizeof in};
    struct msghdr *received = malloc(sizeof *received);
    received->msg_iov = &into;
    received->msg_iovlen = 1;
    received->msg_name = NULL;
    received->msg_control = NULL;
    received->msg_controllen = 0;
    recvmsg(pair[1], received, MSG_DONTWAIT);
    return 0;
}
