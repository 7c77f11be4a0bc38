/* Opens the library named in argv[1] (c/dlopen_library.c, no soname) and calls its scaled_sum, then closes it;
 * writes the result to argv[2] (stdout reopened there). */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 3 || !freopen(argv[2], "w", stdout)) return 2;
    void *library = dlopen(argv[1], RTLD_NOW);
    if (!library) { printf("dlopen: %s\n", dlerror()); return 1; }
    int (*scaled_sum)(int, int) = (int (*)(int, int))dlsym(library, "scaled_sum");
    if (!scaled_sum) return 1;
    printf("scaled_sum(4, 5) = %d\n", scaled_sum(4, 5));
    dlclose(library);
    return 0;
}
