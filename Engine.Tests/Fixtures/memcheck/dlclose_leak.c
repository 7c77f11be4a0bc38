/* A shared library's allocation leaked and the library unloaded: valgrind describes a stack only when it prints it,
   so the unloaded library's frames print as "???" (zlib's gzdopen keeps its state in malloc'd memory). */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    void *zlib = dlopen("libz.so.1", RTLD_NOW);
    if (zlib == NULL) return 1;
    void *(*gzdopen)(int, const char *) = (void *(*)(int, const char *))dlsym(zlib, "gzdopen");
    printf("%s\n", gzdopen(1, "wb") != NULL ? "opened" : "failed");
    dlclose(zlib);
    return 0;
}
