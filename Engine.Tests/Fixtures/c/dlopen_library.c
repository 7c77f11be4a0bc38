/* A test library for dlopen_main.c: built as a shared object. */
int scaled_sum(int a, int b) { return 3 * (a + b); }
