/* Bitfields in an uninitialised word: setting two fields defines only their bits, so testing them
   is fine while testing the third field is reported. */
#include <stdio.h>

struct flags { unsigned ready : 1; unsigned count : 5; unsigned level : 3; };

int main(void)
{
    struct flags f;
    __asm__ volatile("" : "+m"(f));
    f.ready = 1;
    f.count = 9;
    __asm__ volatile("" : "+m"(f));
    if (f.ready && f.count == 9) puts("set fields defined");
    if (f.level == 2) puts("level two");
    return 0;
}
