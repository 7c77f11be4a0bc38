/* A struct with one field left unset is copied twice (by assignment and by memcpy); testing the
   copied defined field is fine, testing the copied undefined one is reported. */
#include <stdio.h>
#include <string.h>

struct config { int width; int height; char mode; };

__attribute__((noinline)) static struct config pass_through(struct config c) { return c; }

int main(void)
{
    struct config original;
    original.width = 80;
    original.mode = 'r';
    struct config copy = pass_through(original);
    struct config again;
    memcpy(&again, &copy, sizeof again);
    if (again.width == 80) puts("width ok");
    if (again.height > 24) puts("tall");
    return 0;
}
