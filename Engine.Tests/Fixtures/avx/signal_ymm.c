/* A signal handler that uses AVX registers (here directly, as memcpy's AVX2 variant would) must not change the
   interrupted code's YMM registers; a change the handler makes to the saved XMM state in its frame takes effect. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static void handler(int sig, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
    __asm__ volatile("vpcmpeqb %%ymm0, %%ymm0, %%ymm0\n\tvpxor %%ymm1, %%ymm1, %%ymm1" ::: "xmm0", "xmm1");
    *(uint32_t *)(fp + 160 + 16) = 0x12345678; /* xmm1's low dword in the saved state */
    printf("signal %d xstate %s\n", sig, *(uint32_t *)(fp + 464) == 0x46505853 ? "yes" : "no");
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    uint64_t out[8];
    __asm__ volatile(
        "vpcmpeqd %%ymm2, %%ymm2, %%ymm2\n\t"
        "vpsrlq $1, %%ymm2, %%ymm0\n\t"
        "vpsllq $3, %%ymm2, %%ymm1\n\t"
        "mov $62, %%eax\n\tmov %1, %%edi\n\tmov $10, %%esi\n\tsyscall\n\t"
        "vmovdqu %%ymm0, (%0)\n\tvmovdqu %%ymm1, 32(%0)\n\t"
        "vzeroupper"
        : : "r"(out), "r"(getpid()) : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "xmm1", "xmm2", "memory");
    for (int i = 0; i < 8; i++) printf("%016llx%c", (unsigned long long)out[i], i == 7 ? '\n' : ' ');
    return 0;
}
