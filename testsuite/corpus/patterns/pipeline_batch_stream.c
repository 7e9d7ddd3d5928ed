/* Seed 001_3dfe1f1bcc3944a6.txt, "Pipelines": the two stage styles before
 * channels come in. Batch: each stage takes and returns a whole slice
 * (add(multiply(ints, 2), 1)). Stream: each stage takes and returns one value
 * (multiply(add(multiply(v, 2), 1), 2)). No goroutines yet. */
#include <stdio.h>
#include <stdlib.h>

static int *multiply_batch(const int *values, int n, int multiplier) {
  int *multiplied = malloc(sizeof *multiplied * (size_t)n);
  for (int i = 0; i < n; i++)
    multiplied[i] = values[i] * multiplier;
  return multiplied;
}

static int *add_batch(const int *values, int n, int additive) {
  int *added = malloc(sizeof *added * (size_t)n);
  for (int i = 0; i < n; i++)
    added[i] = values[i] + additive;
  return added;
}

static int multiply(int value, int multiplier) {
  return value * multiplier;
}
static int add(int value, int additive) {
  return value + additive;
}

int main(void) {
  int ints[] = {1, 2, 3, 4};
  int *m = multiply_batch(ints, 4, 2);
  int *a = add_batch(m, 4, 1);
  for (int i = 0; i < 4; i++)
    printf("%d\n", a[i]);
  free(m);
  free(a);
  for (int i = 0; i < 4; i++)
    printf("%d\n", multiply(add(multiply(ints[i], 2), 1), 2));
  return 0;
}
