/* One error of each kind a memcheck suppression names, each from its own function so that suppressions can pick
   them out: Addr4 (read), Addr1 (write), Cond, Value8, Free, FishyValue, Param (write(buf)), Overlap, and leaks of
   every kind (definitely and indirectly lost, possibly lost, still reachable). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node { struct node *next; long value; };

struct node *kept;   /* still reachable */
char *inside;        /* possibly lost: only an interior pointer remains */
int table[16];

__attribute__((noinline)) static int read_past(int *block) { return block[4]; }

__attribute__((noinline)) static void write_past(char *block) { block[16] = 1; }

__attribute__((noinline)) static int branch_on(int *value)
{
    if (*value > 3) return 1;
    return 0;
}

__attribute__((noinline)) static int index_by(unsigned *value) { return table[*value & 15]; }

__attribute__((noinline)) static void free_twice(char *block)
{
    free(block);
    free(block);
}

__attribute__((noinline)) static void *negative_size(long size) { return malloc((size_t)size); }

__attribute__((noinline)) static void write_half(char *buffer)
{
    memcpy(buffer, "half", 4);
    buffer[7] = '\n';
    if (write(1, buffer, 8) != 8) abort();
}

__attribute__((noinline)) static void copy_onto_itself(char *text) { strcpy(text, text + 2); }

__attribute__((noinline)) static struct node *list(int length)
{
    struct node *head = NULL;
    for (int i = 0; i < length; i++) {
        struct node *n = malloc(sizeof *n);
        n->next = head;
        n->value = i;
        head = n;
    }
    return head;
}

int main(void)
{
    kept = list(2);
    struct node *volatile lost = list(3);
    lost = NULL;
    inside = malloc(32);
    inside += 8;
    int *ints = malloc(16);
    char *chars = malloc(16);
    int sum = read_past(ints);
    write_past(chars);
    sum += branch_on(ints);
    sum += index_by((unsigned *)ints + 1);
    free_twice(malloc(8));
    long volatile minus = -1;
    sum += negative_size(minus) != NULL;
    write_half(chars);
    char text[16] = "overlapping";
    char *volatile base = text;
    copy_onto_itself(base);
    free(ints);
    free(chars);
    return sum == 12345;
}
