/* Seed 001_3dfe1f1bcc3944a6.txt, "error handling": checkStatus couples each
 * result with its error and hands both to the caller, which decides what to
 * do with errors. http.Get is replaced by a stand-in that fails for hosts
 * that do not resolve (badhost), so the program needs no network. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

struct result {
  const char *error;  /* Error error */
  const char *status; /* Response *http.Response, reduced to its Status */
};

/* Stand-in for http.Get. */
static struct result http_get(const char *url) {
  if (strstr(url, "badhost"))
    return (struct result){.error =
                               "Get \"https://badhost\": dial tcp: lookup badhost: no such host"};
  return (struct result){.status = "200 OK"};
}

struct check_args {
  tg_chan *done, *results;
  const char **urls;
  int n;
};

static void check_goroutine(void *arg) {
  struct check_args *a = arg;
  for (int i = 0; i < a->n; i++) {
    struct result result = http_get(a->urls[i]);
    tg_case cs[] = {TG_RECV(a->done, NULL, NULL), TG_SEND(a->results, &result)};
    if (tg_select(cs, 2) == 0)
      break;
  }
  tg_chan_close(a->results); /* defer close(results) */
}

static tg_chan *check_status(struct check_args *a, tg_chan *done, const char **urls, int n) {
  *a = (struct check_args){done, tg_chan_make(sizeof(struct result), 0), urls, n};
  tg_go(check_goroutine, a);
  return a->results;
}

int main(void) {
  tg_chan *done = tg_chan_make(sizeof(void *), 0);
  const char *urls[] = {"https://www.google.com", "https://badhost"};
  struct check_args a;
  tg_chan *results = check_status(&a, done, urls, 2);
  struct result result;
  while (tg_chan_recv(results, &result)) {
    if (result.error) {
      printf("error: %s\n", result.error);
      continue;
    }
    printf("Response: %s\n", result.status);
  }
  tg_chan_close(done); /* defer close(done) */
  tg_chan_free(results);
  tg_chan_free(done);
  return 0;
}
