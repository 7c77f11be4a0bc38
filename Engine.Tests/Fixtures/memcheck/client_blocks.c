/* VALGRIND_CREATE_BLOCK describes an address inside it ("is 2 bytes inside a my pool chunk of size 16
   client-defined", with the creating stack) until VALGRIND_DISCARD; V bits copied out by VALGRIND_GET_VBITS are
   defined; addressing errors in a range turned off are not reported, and a range still off at exit is warned of. */
#include <stdlib.h>
#include <valgrind/memcheck.h>

static char area[64];

int main(void)
{
    int handle = VALGRIND_CREATE_BLOCK(area + 8, 16, "my pool chunk");
    VALGRIND_MAKE_MEM_NOACCESS(area + 8, 16);
    area[10] = 1;
    VALGRIND_DISCARD(handle);
    area[11] = 1;

    char *block = malloc(8);
    unsigned char vbits[4];
    VALGRIND_GET_VBITS(block + 2, vbits, 4);
    if (vbits[0] == 0xff) VALGRIND_PRINTF("undefined bytes read as %x\n", vbits[1]);

    VALGRIND_DISABLE_ADDR_ERROR_REPORTING_IN_RANGE(area + 8, 16);
    area[12] = 1;
    VALGRIND_ENABLE_ADDR_ERROR_REPORTING_IN_RANGE(area + 8, 4);
    area[13] = 1;
    area[9] = 1;
    free(block);
    return 0;
}
