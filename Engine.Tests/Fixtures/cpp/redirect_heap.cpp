// Calls the functions a test tool replaces: malloc/free (C), operator new (C++), strlen (an IFUNC in libc,
// reached through the PLT). Writes what it saw to argv[1] (stdout reopened there), so a run inside the test
// process can be checked; the stdout buffer libc allocates is only freed by __libc_freeres at exit.
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char **argv)
{
    if (argc > 1 && !freopen(argv[1], "w", stdout)) return 2;
    void *probe = malloc(12345);
    void *small = malloc(100);
    int *number = new int(42);
    printf("malloc %p %p\n", probe, small);
    printf("new %p %d\n", static_cast<void *>(number), *number);
    const char *word = argc > 2 ? argv[2] : "redirect";
    printf("strlen %zu\n", strlen(word));
    delete number;
    free(small);
    free(probe);
    return 0;
}
