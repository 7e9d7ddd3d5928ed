/* Seed 002_86b5fec98460e5da.txt, "Using context as a key/value store"
 * (keyVal.go): WithValue attaches mySecret under myKey; Value finds it, and
 * finds nothing for another key or in an empty TODO context. Go compares keys
 * by type and value; tangle's keys are addresses, so each aKey is a distinct
 * object. */
#include <stdio.h>
#include <tangle.h>

typedef struct {
  const char *name;
} a_key; /* type aKey string */

static void search_key(tg_ctx *ctx, const a_key *k) {
  const char *v = tg_ctx_value(ctx, k);
  if (v != NULL) {
    printf("found value: %s\n", v);
    return;
  } else {
    printf("key not found: %s\n", k->name);
  }
}

int main(void) {
  static const a_key my_key = {"mySecretValue"};
  static const a_key not_there = {"notThere"};
  tg_ctx *ctx = tg_with_value(tg_background(), &my_key, "mySecret");
  search_key(ctx, &my_key);
  search_key(ctx, &not_there);
  tg_ctx *empty_ctx = tg_todo();
  search_key(empty_ctx, &not_there);
  tg_ctx_release(ctx);
  return 0;
}
