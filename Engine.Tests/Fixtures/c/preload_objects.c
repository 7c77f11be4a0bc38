/* What a program sees of Valgrind's launcher: LD_PRELOAD naming the preload objects, those objects in its link
   map, and, in a program it execs, LD_PRELOAD without them. */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int print_object(struct dl_phdr_info *info, size_t size, void *data)
{
    if (info->dlpi_name[0] != '\0') printf("object %s\n", info->dlpi_name);
    return 0;
}

int main(int argc, char **argv)
{
    const char *preload = getenv("LD_PRELOAD");
    printf("%s LD_PRELOAD=%s\n", argc > 1 ? "exec'd" : "started", preload ? preload : "(unset)");
    if (argc > 1) return 0;
    dl_iterate_phdr(print_object, NULL);
    fflush(stdout);
    char *args[] = {argv[0], "exec'd", NULL};
    execv(argv[0], args);
    perror("execv");
    return 1;
}
