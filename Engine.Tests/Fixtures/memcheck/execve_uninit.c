/* execve reads argv's and envp's pointer slots and their strings: an undefined slot ("execve(argv)"), an
   undefined byte in an environment string ("execve(envp[i])") and in an argument ("execve(argv[i])"). The
   first call fails (no such program), the second replaces the program with /bin/true. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char *argument = malloc(8);
    memcpy(argument, "ab", 2);
    argument[5] = '\0';
    char *variable = malloc(8);
    variable[0] = 'X';
    variable[2] = '\0';
    char *argv[] = {"/bin/true", argument, NULL};
    char *envp[] = {variable, NULL};
    char **unfinished = malloc(3 * sizeof(char *));
    unfinished[0] = "/bin/true";
    unfinished[1] = NULL;
    char **undefined_slot = malloc(3 * sizeof(char *));
    memcpy(undefined_slot, unfinished, sizeof(char *));
    execve("/nonexistent", undefined_slot, envp);
    execve("/bin/true", argv, envp);
    return 1;
}
