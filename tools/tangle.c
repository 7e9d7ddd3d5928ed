/* `tangle`: the command people meet tangle through. Dispatches to a verb
 * (cc, run, test, report, help); see help.c for what each does. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct verb {
  const char *name;
  int (*fn)(int argc, char **argv);
};

static const struct verb verbs[] = {
    {"cc", verb_cc},         {"run", verb_run},   {"test", verb_test},
    {"report", verb_report}, {"help", verb_help},
};

int main(int argc, char **argv) {
  if (argc < 2) {
    help_print(NULL, 2);
    return EXIT_USAGE;
  }
  const char *v = argv[1];
  if (strcmp(v, "--help") == 0 || strcmp(v, "-h") == 0) {
    help_print(NULL, 1);
    return EXIT_CLEAN;
  }
  if (strcmp(v, "--version") == 0) {
    printf("tangle %s\n", TANGLE_VERSION);
    return EXIT_CLEAN;
  }
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp(v, verbs[i].name) == 0)
      return verbs[i].fn(argc - 1, argv + 1);
  if (v[0] == '-')
    cli_error(NULL, "unknown option '%s' (try `tangle --help`)", v);
  else
    cli_error(NULL, "unknown verb '%s' (verbs: cc, run, test, report, help; try `tangle --help`)",
              v);
  return EXIT_USAGE;
}
