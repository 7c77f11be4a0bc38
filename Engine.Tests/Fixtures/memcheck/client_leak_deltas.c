/* The added and changed leak searches print only the loss records that grew (or changed), each count with its
   change ("32 (+32) (16 (+16) direct, 16 (+16) indirect) bytes in 1 (+1) blocks"); a record that emptied stays
   numbered, shown by the changed search with zero counts. */
#include <stdlib.h>
#include <valgrind/memcheck.h>

struct node { struct node *child; char pad[8]; };

static void *reachable;

static struct node *make(void)
{
    struct node *n = malloc(sizeof *n);
    n->child = malloc(sizeof *n);
    n->child->child = NULL;
    return n;
}

static void lose(void)
{
    struct node *volatile n = make();
    n = NULL;
}

/* Overwrites the dead stack where lose() left its pointers. */
static void clobber(void)
{
    volatile char junk[512];
    for (int i = 0; i < 512; i++) junk[i] = 0;
}

int main(void)
{
    VALGRIND_DO_LEAK_CHECK;
    reachable = malloc(100);
    lose();
    clobber();
    VALGRIND_DO_ADDED_LEAK_CHECK;
    lose();
    clobber();
    VALGRIND_DO_ADDED_LEAK_CHECK;
    free(reachable);
    reachable = NULL;
    VALGRIND_DO_CHANGED_LEAK_CHECK;
    VALGRIND_DO_LEAK_CHECK;
    return 0;
}
