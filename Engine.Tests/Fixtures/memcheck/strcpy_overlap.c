/* strcpy of a string's tail onto its head (the ranges overlap; copying forward still terminates):
   Source and destination overlap in strcpy. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char text[32] = "overlapping copies";
    char *volatile base = text;
    strcpy(base, base + 4);
    printf("%.8s\n", text);
    return 0;
}
