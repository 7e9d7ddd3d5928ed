/* The one source of the command's documentation: `tangle --help`,
 * `tangle VERB --help` and the man pages (`tangle help --man VERB`, run by the
 * build to write tangle.1, tangle-cc.1, ...) are all rendered from the table
 * below, so they cannot drift apart. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct opt_doc {
  const char *flag;
  const char *text;
};

struct verb_doc {
  const char *name;     /* NULL: the command itself */
  const char *summary;  /* one line */
  const char *synopsis; /* usage lines, '\n' separated */
  const char *body;     /* paragraphs separated by blank lines */
  struct opt_doc opts[16];
  const char *exit_status;
  const char *examples;
};

static const struct verb_doc docs[] = {
    {NULL,
     "Go's concurrency model for C, with a race build and its diagnostics",
     "tangle VERB [options] [args...]\ntangle VERB --help",
     "Verbs:\n"
     "  cc       compile and link against tangle (-race: the race build)\n"
     "  run      run a race-built program and print its findings\n"
     "  test     the CI gate: run test binaries N times, merge and de-duplicate findings\n"
     "  report   re-render saved JSON findings (text, json, sarif, junit, dot)\n"
     "  help     this text, or a verb's (tangle help VERB)\n"
     "\n"
     "Programs built with `tangle cc -race` report data races, deadlocks, lock-order "
     "inversions, goroutine leaks, starvation and misuse. `tangle run` and `tangle test` "
     "collect those findings through a side channel (the file descriptor named by "
     "TANGLE_REPORT_FD), never by reading the program's output.",
     {{"--help, -h", "show this help"}, {"--version", "print the version"}},
     "0: success, or no finding that counts. 1: findings that count (run, test). "
     "2: usage error, a program that could not run, unreadable input.",
     "tangle cc -race -O1 prog.c -o prog\ntangle run -- ./prog\n"
     "tangle test --count 3 --format sarif --output tangle.sarif ./test_*"},
    {"cc",
     "compile and link C programs against tangle",
     "tangle cc [-race] [cc flags] files... [-o prog]",
     "Passes every flag except -race to the C compiler ($TANGLE_CC, else $CC unless it "
     "names tangle itself, else cc; gcc and clang both work), adds -I for tangle.h and, "
     "when the command links, libtangle.a and its dependencies (libunwind, libdw).\n"
     "\n"
     "-race builds in race mode: the user's code is compiled with -fsanitize=thread "
     "(instrumentation only), -g, -fno-omit-frame-pointer and -DTANGLE_RACE=1, and linked "
     "without -fsanitize=thread against libtangle_race.a, tangle's detector, instead of "
     "libtsan. Compile-only (-c), link-only (objects in) and one-shot commands all work, "
     "so `CC=\"tangle cc -race\" make`, `CC=\"tangle cc -race\" cmake` and autotools "
     "builds work unchanged. Link the race objects with `tangle cc -race` as well.\n"
     "\n"
     "The library is looked for in $TANGLE_PREFIX (PREFIX/include, PREFIX/lib), then next "
     "to the binary (BIN/../include, BIN/../lib: an installed tangle), then in the build "
     "tree the binary was built in.",
     {{"-race", "build in race mode (see above)"},
      {"TANGLE_CC", "environment: the compiler to run (wins over CC)"},
      {"TANGLE_PREFIX", "environment: where tangle is installed"},
      {"TANGLE_VERBOSE=1", "environment: print the compiler commands run"}},
     "The compiler's exit status; 2 when tangle itself cannot proceed (library not found).",
     "tangle cc -O2 server.c -o server\n"
     "tangle cc -race -c a.c && tangle cc -race -c b.c && tangle cc -race a.o b.o -o ab\n"
     "CC=\"tangle cc -race\" make"},
    {"run",
     "run a race-built program and print its findings",
     "tangle run [--format text|json] [--timeout DURATION] [--seed S] [--output FILE] -- "
     "PROG [ARGS...]",
     "Runs PROG with the detector's side channel open (TANGLE_REPORT_FD), passes the "
     "program's standard input, output and error through untouched, then prints the "
     "findings it reported and a summary such as `2 data races, 1 deadlock, 0 leaks`.\n"
     "\n"
     "A program killed by --timeout, or one that crashes, still has every finding it "
     "reported printed: the detector writes each one as soon as it is found.\n"
     "\n"
     "--seed S replays a schedule: it appends seed=S to TANGLE_OPTIONS, which seeds every "
     "random choice of the scheduler (select case order, work-stealing victims, each "
     "thread's random state). With TANGLE_MAXPROCS=1 this replays the same interleaving "
     "of goroutines as long as the "
     "program's own inputs and timing-dependent code (timers, I/O) behave the same; "
     "with several Ps the operating system's thread timing still varies, so a seed makes "
     "a finding likely, not certain, to recur.",
     {{"--format FMT", "text (default) or json (one JSON object a line)"},
      {"--timeout DURATION", "kill the program after DURATION (e.g. 30s, 500ms, 2m)"},
      {"--seed S", "run with scheduler seed S (TANGLE_OPTIONS seed=S)"},
      {"--output FILE", "write the findings to FILE instead of standard error"},
      {"--quiet, -q", "no summary line"}},
     "0: the program ran and reported no finding that counts. 1: findings that count "
     "(data races, deadlocks, lock-order inversions, misuse; leaks and starvation when "
     "TANGLE_OPTIONS says leaks=error / starvation=error). 2: the program could not run: "
     "missing or not executable, not a tangle race build (no greeting on the side "
     "channel), or it crashed or timed out before reporting.",
     "tangle run -- ./prog arg1 arg2\ntangle run --timeout 10s --seed 42 -- ./prog"},
    {"test",
     "the CI gate: run test binaries, merge and de-duplicate findings",
     "tangle test [--count N] [--jobs J] [--seed S] [--timeout DURATION] [--format "
     "text|json|sarif|junit] [--output FILE] BINARY...",
     "Runs each BINARY N times, each run with a different scheduler seed (S, S+1, ... "
     "when --seed is given, random otherwise), J runs in parallel. Findings are merged "
     "across runs and binaries and de-duplicated: two findings are the same when they "
     "have the same kind and the same locations (the file:line of each stack's top "
     "frame). Each finding keeps the seed of the first run that reported it, for "
     "`tangle run --seed`.\n"
     "\n"
     "Formats: text (the reports, then a summary), json (one finding a line, as "
     "`tangle report` reads them), sarif (SARIF 2.1.0 for code-scanning services: a rule "
     "per finding kind, locations, related locations for the other stacks, partial "
     "fingerprints), junit (JUnit XML: a testcase per binary, a failure per finding).\n"
     "\n"
     "A binary that cannot run, is not a race build, or crashes before reporting is an "
     "error in every format (a JUnit error element, a SARIF tool notification).",
     {{"--count N", "runs per binary (default 1)"},
      {"--jobs J", "runs in parallel (default: the number of CPUs)"},
      {"--seed S", "first scheduler seed; run k uses S+k"},
      {"--timeout DURATION", "kill a run after DURATION (e.g. 60s)"},
      {"--format FMT", "text (default), json, sarif or junit"},
      {"--output FILE", "write the report to FILE (default: standard output)"},
      {"--quiet, -q", "no progress line"}},
     "0: no finding that counts. 1: at least one finding that counts. 2: usage error, or a "
     "binary that could not run.",
     "tangle test --count 3 --jobs 2 --format junit --output junit.xml ./test_*\n"
     "tangle test --format sarif --output tangle.sarif build/tests/*"},
    {"report",
     "re-render saved JSON findings",
     "tangle report [--format text|json|sarif|junit] [--dot] [--output FILE] FILE...",
     "Reads JSON lines as written by `tangle run --format json`, `tangle test --format "
     "json` or a race build with TANGLE_OPTIONS=format=json (\"-\" reads standard input), "
     "and renders them again. --dot draws the deadlock cycles and lock-order chains as "
     "a Graphviz graph: goroutines and resources are nodes, `holds` and `waits for` are "
     "labelled edges.\n"
     "\n"
     "Lines that are not JSON objects with a known kind are rejected with the file name "
     "and line number.",
     {{"--format FMT", "text (default), json, sarif or junit"},
      {"--dot", "a Graphviz DOT picture of the deadlock and lock-order cycles"},
      {"--output FILE", "write to FILE (default: standard output)"}},
     "0: rendered (whatever the findings). 2: unreadable, corrupt or foreign input, usage "
     "error.",
     "tangle report findings.jsonl\ntangle report --dot findings.jsonl | dot -Tsvg > cycle.svg"},
    {"help",
     "show the help of tangle or of a verb",
     "tangle help [VERB]\ntangle help --man [VERB]",
     "Prints the help of tangle or VERB; --man prints it as a man page (roff).",
     {{"--man", "roff output, as installed in man1"}},
     "0, or 2 for an unknown verb.",
     "tangle help test"},
};

static const struct verb_doc *find(const char *verb) {
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    if (!verb && !docs[i].name)
      return &docs[i];
    if (verb && docs[i].name && strcmp(verb, docs[i].name) == 0)
      return &docs[i];
  }
  return NULL;
}

bool help_has(const char *verb) {
  return find(verb) != NULL;
}

/* Prints text wrapped at 80 columns with the given indent; lines that start
 * with spaces are printed as they are (tables). */
static void wrap(FILE *f, const char *text, int indent) {
  const char *p = text;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len == 0 || p[0] == ' ') {
      fprintf(f, "%*s%.*s\n", len ? indent : 0, "", (int)len, p);
    } else {
      int col = 0;
      const char *w = p, *end = p + len;
      while (w < end) {
        const char *we = w;
        while (we < end && *we != ' ')
          we++;
        int wl = (int)(we - w);
        if (col > 0 && col + 1 + wl > 80 - indent) {
          fputc('\n', f);
          col = 0;
        }
        if (col == 0)
          fprintf(f, "%*s", indent, "");
        else
          fputc(' ', f), col++;
        fprintf(f, "%.*s", wl, w);
        col += wl;
        w = we;
        while (w < end && *w == ' ')
          w++;
      }
      fputc('\n', f);
    }
    p += len;
    if (*p == '\n')
      p++;
  }
}

void help_print(const char *verb, int fd) {
  const struct verb_doc *d = find(verb);
  if (!d)
    return;
  FILE *f = fd == 2 ? stderr : stdout;
  fprintf(f, "tangle%s%s: %s\n\nUsage:\n", d->name ? " " : "", d->name ? d->name : "", d->summary);
  wrap(f, d->synopsis, 2);
  fputc('\n', f);
  wrap(f, d->body, 0);
  if (d->opts[0].flag) {
    fputs("\nOptions:\n", f);
    for (int i = 0; i < 16 && d->opts[i].flag; i++) {
      int w = (int)strlen(d->opts[i].flag);
      fprintf(f, "  %s%*s", d->opts[i].flag, w < 20 ? 20 - w : 1, "");
      fprintf(f, "%s\n", d->opts[i].text);
    }
  }
  fputs("\nExit status:\n", f);
  wrap(f, d->exit_status, 2);
  fputs("\nExamples:\n", f);
  wrap(f, d->examples, 2);
  fflush(f);
}

/* roff: escape backslashes, and leading dots/quotes that roff would take for
 * requests. */
static void roff(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n && s[i]; i++) {
    if (s[i] == '\\')
      fputs("\\e", f);
    else if (s[i] == '-')
      fputs("\\-", f);
    else if ((s[i] == '.' || s[i] == '\'') && (i == 0 || s[i - 1] == '\n'))
      fputs("\\&", f), fputc(s[i], f);
    else
      fputc(s[i], f);
  }
}

static void roff_lines(FILE *f, const char *text) {
  const char *p = text;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len == 0)
      fputs(".PP\n", f);
    else if (p[0] == ' ')
      fputs(".br\n", f), roff(f, p, len), fputc('\n', f);
    else
      roff(f, p, len), fputc('\n', f);
    p += len;
    if (*p == '\n')
      p++;
  }
}

int help_man(const char *verb, int fd) {
  const struct verb_doc *d = find(verb);
  if (!d)
    return EXIT_USAGE;
  FILE *f = fd == 2 ? stderr : stdout;
  char upper[32] = "";
  for (size_t i = 0; d->name && d->name[i] && i + 1 < sizeof upper; i++)
    upper[i] = (char)(d->name[i] - ('a' <= d->name[i] && d->name[i] <= 'z' ? 32 : 0));
  fprintf(f, ".TH TANGLE%s%s 1 \"\" \"tangle %s\" \"tangle manual\"\n", d->name ? "\\-" : "", upper,
          TANGLE_VERSION);
  fputs(".SH NAME\n", f);
  fprintf(f, "tangle%s%s \\- ", d->name ? "\\-" : "", d->name ? d->name : "");
  roff(f, d->summary, strlen(d->summary));
  fputs("\n.SH SYNOPSIS\n.nf\n", f);
  roff(f, d->synopsis, strlen(d->synopsis));
  fputs("\n.fi\n.SH DESCRIPTION\n", f);
  if (!d->name)
    fputs(".nf\n", f);
  roff_lines(f, d->body);
  if (!d->name)
    fputs(".fi\n", f);
  if (d->opts[0].flag) {
    fputs(".SH OPTIONS\n", f);
    for (int i = 0; i < 16 && d->opts[i].flag; i++) {
      fputs(".TP\n.B ", f);
      roff(f, d->opts[i].flag, strlen(d->opts[i].flag));
      fputc('\n', f);
      roff(f, d->opts[i].text, strlen(d->opts[i].text));
      fputc('\n', f);
    }
  }
  fputs(".SH EXIT STATUS\n", f);
  roff_lines(f, d->exit_status);
  fputs(".SH EXAMPLES\n.nf\n", f);
  roff(f, d->examples, strlen(d->examples));
  fputs("\n.fi\n.SH SEE ALSO\n", f);
  fputs(d->name ? "tangle(1)"
                : "tangle\\-cc(1), tangle\\-run(1), tangle\\-test(1), "
                  "tangle\\-report(1)",
        f);
  fputs(", docs/guide.md\n", f);
  fflush(f);
  return EXIT_CLEAN;
}

int verb_help(int argc, char **argv) {
  bool man = false;
  const char *verb = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--man") == 0)
      man = true;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      verb = "help";
    else if (argv[i][0] == '-') {
      cli_error("help", "unknown option '%s'", argv[i]);
      return EXIT_USAGE;
    } else
      verb = argv[i];
  }
  if (verb && !help_has(verb)) {
    cli_error("help", "unknown verb '%s' (verbs: cc, run, test, report, help)", verb);
    return EXIT_USAGE;
  }
  if (man)
    return help_man(verb, 1);
  help_print(verb, 1);
  return EXIT_CLEAN;
}
