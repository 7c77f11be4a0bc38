/* strcat of "cdef" onto "ab" where "cdef" starts one byte after the terminator it overwrites:
   Source and destination overlap in strcat. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char text[16] = "ab\0cdef";
    char *volatile base = text;
    strcat(base, base + 3);
    printf("%s\n", text);
    return 0;
}
