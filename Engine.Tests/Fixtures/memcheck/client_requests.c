/* The answers of Valgrind's core and memcheck client requests, printed through VALGRIND_PRINTF (each result in
   its own statement: the order of a printf's arguments is the compiler's): running on Valgrind, the MAKE_MEM
   requests, block handles, V-bit copies, the error count, stack ids, source locations, printf's conversions and
   VALGRIND_PRINTF_BACKTRACE with its stack. */
#include <stdlib.h>
#include <valgrind/memcheck.h>

static void where(void) {}

int main(void)
{
    char *block = malloc(16);
    unsigned long running = RUNNING_ON_VALGRIND;
    long noaccess = VALGRIND_MAKE_MEM_NOACCESS(block, 4);
    long undefined = VALGRIND_MAKE_MEM_UNDEFINED(block, 4);
    long defined = VALGRIND_MAKE_MEM_DEFINED(block, 4);
    long if_addressable = VALGRIND_MAKE_MEM_DEFINED_IF_ADDRESSABLE(block, 20);
    VALGRIND_PRINTF("running %lu make-mem %ld %ld %ld %ld\n", running, noaccess, undefined, defined, if_addressable);

    int handle = VALGRIND_CREATE_BLOCK(block, 8, "described");
    long discarded = VALGRIND_DISCARD(handle);
    long again = VALGRIND_DISCARD(handle);
    long unknown = VALGRIND_DISCARD(99);
    VALGRIND_PRINTF("block %d discard %ld %ld %ld\n", handle, discarded, again, unknown);

    unsigned char vbits[4];
    unsigned get = VALGRIND_GET_VBITS(block + 2, vbits, 4);
    unsigned set = VALGRIND_SET_VBITS(block + 2, vbits, 4);
    unsigned outside = VALGRIND_GET_VBITS(block + 14, vbits, 4);
    VALGRIND_PRINTF("vbits %u %u %u: %02x %02x %02x %02x\n", get, set, outside, vbits[0], vbits[1], vbits[2], vbits[3]);

    unsigned errors = VALGRIND_COUNT_ERRORS;
    unsigned stack = VALGRIND_STACK_REGISTER(block, block + 16);
    VALGRIND_STACK_DEREGISTER(stack);
    VALGRIND_PRINTF("errors %u stack %u\n", errors, stack);

    char location[64];
    VALGRIND_MAP_IP_TO_SRCLOC((void *)where, location);
    VALGRIND_PRINTF("where %s\n", location);

    int printed = VALGRIND_PRINTF("%d|%5d|%-5d|%05d|%u|%x|%X|%lx|%c|%s|%.2s|%10s|%-4s|%%|%5.2f|%,d\n",
                                  -42, 42, 42, 42, 7u, 255, 255, 0xdeadbeefUL, 'z', "text", "text", "right", "l", 3.14159, 1234567);
    VALGRIND_PRINTF("printed %d\n", printed);
    VALGRIND_PRINTF("a line in ");
    VALGRIND_PRINTF("two parts\n");
    VALGRIND_PRINTF_BACKTRACE("with its stack %d\n", 1);
    free(block);
    return 0;
}
