/* Placeholder for run/test/report until they land (issue 6, part 2). */
#include "cli.h"

static int not_yet(const char *verb, int argc, char **argv) {
  (void)argc;
  if (argv[1] && (argv[1][1] == 'h' || argv[1][2] == 'h')) {
    help_print(verb, 1);
    return EXIT_CLEAN;
  }
  if (argv[1] && argv[1][0] == '-' && argv[1][1] == '-')
    cli_error(verb, "unknown option '%s'", argv[1]);
  else
    cli_error(verb, "not implemented yet");
  return EXIT_USAGE;
}
int verb_run(int argc, char **argv) {
  return not_yet("run", argc, argv);
}
int verb_test(int argc, char **argv) {
  return not_yet("test", argc, argv);
}
int verb_report(int argc, char **argv) {
  return not_yet("report", argc, argv);
}
