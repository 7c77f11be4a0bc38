/* strncpy into a range that overlaps the source: Source and destination overlap in strncpy. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char text[40] = "abcdefghijklmnopqrstuvwxyz";
    char *volatile base = text;
    strncpy(base + 2, base, 20);
    printf("%.8s\n", text);
    return 0;
}
