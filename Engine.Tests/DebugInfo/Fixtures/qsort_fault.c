/* A fault in a qsort comparator: the stack runs through libc (its CFI and debug file) back to main. */
#include <stdlib.h>
static int *volatile wild = (int *)0x10;
static int compare(const void *a, const void *b) { *wild = 1; return *(const int *)a - *(const int *)b; }
int main(void) { int v[] = {3, 1, 2}; qsort(v, 3, sizeof v[0], compare); return v[0]; }
