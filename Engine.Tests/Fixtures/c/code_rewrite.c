/* Generates code at run time, runs it, rewrites it (through mprotect, then through munmap and a fresh
   mapping at the same address) and runs it again: stale translations must never run. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*answer_fn)(void);

static void emit_return(unsigned char *code, int value)
{
    code[0] = 0xb8; /* mov eax, imm32 */
    memcpy(code + 1, &value, 4);
    code[5] = 0xc3; /* ret */
}

int main(void)
{
    size_t size = 4096;
    unsigned char *code = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    emit_return(code, 1);
    mprotect(code, size, PROT_READ | PROT_EXEC);
    printf("%d\n", ((answer_fn)code)());

    mprotect(code, size, PROT_READ | PROT_WRITE);
    emit_return(code, 2);
    mprotect(code, size, PROT_READ | PROT_EXEC);
    printf("%d\n", ((answer_fn)code)());

    munmap(code, size);
    unsigned char *again = mmap(code, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (again != code) return 2;
    emit_return(again, 3);
    mprotect(again, size, PROT_READ | PROT_EXEC);
    printf("%d\n", ((answer_fn)again)());
    return 0;
}
