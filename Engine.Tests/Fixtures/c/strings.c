/* string.h functions, with lengths around the word and vector sizes libc's fast paths care about. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char buffer[256], copy[256];
    for (int n = 0; n < 70; n += 3) {
        memset(buffer, 'a' + n % 26, (size_t)n);
        buffer[n] = '\0';
        strcpy(copy, buffer);
        printf("%2d: strlen %zu strcmp %d memcmp %d strchr %ld\n", n, strlen(buffer), strcmp(buffer, copy),
               memcmp(buffer, copy, (size_t)n), strchr(copy, 'z') ? (long)(strchr(copy, 'z') - copy) : -1L);
    }
    strcpy(buffer, "The quick brown fox jumps over the lazy dog");
    printf("strstr %s\n", strstr(buffer, "fox"));
    printf("strrchr %s\n", strrchr(buffer, 'o'));
    printf("strspn %zu strcspn %zu\n", strspn(buffer, "The "), strcspn(buffer, "xyz"));
    memmove(buffer + 4, buffer, 15);
    printf("memmove %s\n", buffer);
    strncpy(copy, "abc", 10);
    strcat(copy, "def");
    strncat(copy, "ghijkl", 3);
    printf("concat %s (%zu)\n", copy, strlen(copy));
    printf("strncmp %d %d\n", strncmp("abcd", "abce", 3), strncmp("abcd", "abce", 4) < 0);
    const char *hit = memchr(buffer, 'q', sizeof buffer);
    printf("memchr %ld\n", hit ? (long)(hit - buffer) : -1L);
    char tokens[] = "one,two,,three";
    for (char *t = strtok(tokens, ","); t; t = strtok(NULL, ","))
        printf("token %s\n", t);
    return 0;
}
