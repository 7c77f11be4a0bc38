/* Seed "Definitely and still reachable", verbatim with its includes. */
#include <stdlib.h>

void *p;

int main()
{
    p = malloc(10); // *definitely lost* since p is overwritten.
    p = malloc(100); // *still reachable* since p is file scope var.
    void *m = malloc(50); // *definitely lost* since m is local and main exits
    return 0;
}
