/* Two 2-D arrays (row-pointer tables): one kept in a global (still reachable), one lost
   (the table definitely lost, its rows indirectly lost). */
#include <stdlib.h>

double **grid;

static double **matrix(int rows, int cols)
{
    double **m = malloc(rows * sizeof *m);
    for (int r = 0; r < rows; r++) m[r] = calloc(cols, sizeof **m);
    return m;
}

int main(void)
{
    grid = matrix(3, 4);
    double **volatile lost = matrix(4, 5);
    lost = NULL;
    return 0;
}
