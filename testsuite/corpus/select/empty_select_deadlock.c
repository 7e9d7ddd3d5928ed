/* Seed 004_f52ba9338e6e024e.txt, "SELECT": "The empty select statement would
 * block forever". select {} in main, with no other goroutine, is a global
 * deadlock; Go names the wait "select (no cases)". */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("blocking forever\n");
  tg_select(NULL, 0); /* select {} */
  printf("unreachable\n");
  return 0;
}
