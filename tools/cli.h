/* Shared pieces of the `tangle` command: growable argument vectors, error
 * reporting with the command's conventions, and the verbs' entry points.
 *
 * Exit statuses of every verb: 0 success/clean, 1 findings that count,
 * 2 usage error or "could not run" (REPORTS.md, "The diagnostics CLI"). */
#ifndef TANGLE_CLI_H
#define TANGLE_CLI_H

#include <stdbool.h>
#include <stddef.h>

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

/* A NULL-terminated, growable vector of owned strings (an argv). */
struct strvec {
  char **v;
  size_t n, cap;
};
void sv_push(struct strvec *s, const char *str);
void sv_pushf(struct strvec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sv_extend(struct strvec *s, const struct strvec *from);
void sv_free(struct strvec *s);

/* Prints "tangle VERB: message" to stderr. */
void cli_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For malloc failures and other conditions with no recovery. */
_Noreturn void cli_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Verbs. argv[0] is the verb's name. */
int verb_cc(int argc, char **argv);
int verb_run(int argc, char **argv);
int verb_test(int argc, char **argv);
int verb_report(int argc, char **argv);
int verb_help(int argc, char **argv);

/* help.c: the one source of --help texts and man pages. */
void help_print(const char *verb, int fd);
bool help_has(const char *verb);
int help_man(const char *verb, int fd);

#endif
