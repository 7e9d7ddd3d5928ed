/* `tangle cc [-race] [cc flags] files...`: the compiler driver.
 *
 * Every flag but -race goes to the C compiler ($TANGLE_CC, else $CC unless
 * it names tangle itself, else `cc`). tangle adds -I for its headers and, when
 * the command links, its library and the library's dependencies. In race mode
 * the user's code is compiled with -fsanitize=thread (instrumentation only)
 * and linked WITHOUT it, against libtangle_race.a, whose detector defines the
 * __tsan_* entry points the instrumentation calls (ARCHITECTURE.md). A one-shot
 * "compile and link" race build is therefore split into one -c step per source
 * and a link step, because the compiler driver would pull libtsan in as soon
 * as it links with -fsanitize=thread. */
#include "cli.h"
#include "locate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const race_cflags[] = {"-fsanitize=thread", "-g", "-fno-omit-frame-pointer",
                                          "-DTANGLE_RACE=1", NULL};

/* Options whose value is the next argument (when not attached). */
static bool takes_value(const char *a) {
  static const char *const opts[] = {"-o",
                                     "-I",
                                     "-D",
                                     "-U",
                                     "-L",
                                     "-l",
                                     "-include",
                                     "-imacros",
                                     "-isystem",
                                     "-iquote",
                                     "-idirafter",
                                     "-iprefix",
                                     "-x",
                                     "-MF",
                                     "-MT",
                                     "-MQ",
                                     "-Xlinker",
                                     "-Xassembler",
                                     "-Xpreprocessor",
                                     "-Xclang",
                                     "-T",
                                     "-z",
                                     "-u",
                                     "-e",
                                     "--param",
                                     "-aux-info",
                                     "-isysroot",
                                     "--sysroot",
                                     "-target",
                                     "-arch",
                                     "-iwithprefix",
                                     "-iwithprefixbefore",
                                     "-imultilib",
                                     "-mllvm",
                                     NULL};
  for (int i = 0; opts[i]; i++)
    if (strcmp(a, opts[i]) == 0)
      return true;
  return false;
}

/* Linker-only options: kept out of the -c steps of a split race build
 * (clang warns about them, which -Werror would make fatal). */
static bool link_only(const char *a) {
  return strncmp(a, "-l", 2) == 0 || strncmp(a, "-L", 2) == 0 || strncmp(a, "-Wl,", 4) == 0 ||
         strcmp(a, "-Xlinker") == 0 || strcmp(a, "-static") == 0 || strcmp(a, "-shared") == 0 ||
         strcmp(a, "-pie") == 0 || strcmp(a, "-no-pie") == 0 || strcmp(a, "-rdynamic") == 0 ||
         strcmp(a, "-T") == 0 || strcmp(a, "-z") == 0 || strcmp(a, "-u") == 0 ||
         strncmp(a, "-fuse-ld=", 9) == 0 || strcmp(a, "-nostdlib") == 0 ||
         strcmp(a, "-nostartfiles") == 0 || strcmp(a, "-s") == 0;
}

/* Options that only make sense when compiling (dependency files): kept out of
 * the link step of a split race build. */
static bool compile_only(const char *a) {
  return strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0 || strcmp(a, "-MP") == 0 ||
         strcmp(a, "-MF") == 0 || strcmp(a, "-MT") == 0 || strcmp(a, "-MQ") == 0 ||
         strncmp(a, "-MF", 3) == 0 || strncmp(a, "-MT", 3) == 0 || strncmp(a, "-MQ", 3) == 0;
}

static bool is_source_name(const char *a) {
  const char *dot = strrchr(a, '.');
  if (!dot)
    return false;
  static const char *const ext[] = {".c",   ".i",   ".s", ".S",  ".sx", ".cc", ".cpp",
                                    ".cxx", ".c++", ".C", ".ii", ".m",  NULL};
  for (int i = 0; ext[i]; i++)
    if (strcmp(dot, ext[i]) == 0)
      return true;
  return false;
}

/* Queries such as --version: the compiler answers, tangle adds nothing. */
static bool is_query(const char *a) {
  return strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0 || strcmp(a, "-dumpversion") == 0 ||
         strcmp(a, "-dumpfullversion") == 0 || strcmp(a, "-dumpmachine") == 0 ||
         strncmp(a, "-print-", 7) == 0 || strncmp(a, "--print-", 8) == 0 ||
         strcmp(a, "-###") == 0 || strcmp(a, "--help") == 0;
}

static bool names_tangle(const char *word) {
  const char *base = strrchr(word, '/');
  base = base ? base + 1 : word;
  return strcmp(base, "tangle") == 0;
}

/* The compiler command, split into words. $CC may well be "tangle cc -race"
 * itself (CC="tangle cc -race" make exports it to us): never recurse. */
static void compiler(struct strvec *cc) {
  const char *env = getenv("TANGLE_CC");
  if (!env || !*env)
    env = getenv("CC");
  if (getenv("TANGLE_CC_ACTIVE"))
    env = NULL; /* the compiler ran tangle again: break the loop */
  if (env && *env) {
    char *copy = xstrdup(env), *save = NULL;
    bool loops = false;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
      loops |= names_tangle(w);
      sv_push(cc, w);
    }
    free(copy);
    if (!loops && cc->n > 0)
      return;
    sv_free(cc);
  }
  sv_push(cc, "cc");
}

static bool verbose(void) {
  const char *v = getenv("TANGLE_VERBOSE");
  return v && *v && strcmp(v, "0") != 0;
}

static void show(const struct strvec *cmd) {
  fputs("tangle cc:", stderr);
  for (size_t i = 0; i < cmd->n; i++)
    fprintf(stderr, " %s", cmd->v[i]);
  fputc('\n', stderr);
}

/* Runs a command and returns its exit status (127: could not start). */
static int run_cmd(const struct strvec *cmd) {
  if (verbose())
    show(cmd);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    cli_error("cc", "fork: %s", strerror(errno));
    return EXIT_USAGE;
  }
  if (pid == 0) {
    setenv("TANGLE_CC_ACTIVE", "1", 1);
    execvp(cmd->v[0], cmd->v);
    fprintf(stderr, "tangle cc: cannot run %s: %s\n", cmd->v[0], strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return EXIT_USAGE;
  if (WIFEXITED(st))
    return WEXITSTATUS(st);
  return 128 + WTERMSIG(st);
}

static void push_link_libs(struct strvec *cmd, const struct tangle_paths *p, bool race) {
  if (race) {
    /* whole archive: the detector's entry points, interceptors and
     * constructors must all be in, whatever the user's objects name. */
    sv_push(cmd, "-Wl,--whole-archive");
    sv_push(cmd, p->lib_race);
    sv_push(cmd, "-Wl,--no-whole-archive");
  } else {
    sv_push(cmd, p->lib_normal);
  }
  for (int i = 0; tangle_dep_libs[i]; i++)
    sv_push(cmd, tangle_dep_libs[i]);
}

/* One user argument, classified. */
struct arg {
  const char *s;
  enum { A_OPT, A_VALUE, A_SOURCE, A_INPUT, A_OUTPUT } kind;
  const char *lang; /* for sources: the -x in force, or NULL */
};

int verb_cc(int argc, char **argv) {
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    help_print("cc", 1);
    return EXIT_CLEAN;
  }
  bool race = false, links = true, query = false;
  int nsources = 0, ninputs = 0;
  struct arg *args = xcalloc((size_t)argc, sizeof *args);
  int n = 0;
  const char *lang = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-race") == 0 || strcmp(a, "--race") == 0) {
      race = true;
      continue;
    }
    struct arg *x = &args[n++];
    x->s = a;
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      bool src = strcmp(a, "-") == 0 || (lang ? strcmp(lang, "none") != 0 : is_source_name(a));
      x->kind = src ? A_SOURCE : A_INPUT;
      x->lang = lang;
      if (src)
        nsources++;
      else
        ninputs++;
      continue;
    }
    x->kind = A_OPT;
    if (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0 || strcmp(a, "-E") == 0 ||
        strcmp(a, "-M") == 0 || strcmp(a, "-MM") == 0 || strcmp(a, "-fsyntax-only") == 0)
      links = false;
    if (is_query(a))
      query = true;
    if (strncmp(a, "-x", 2) == 0)
      lang = a[2] ? a + 2 : (i + 1 < argc ? argv[i + 1] : NULL);
    if (strncmp(a, "-o", 2) == 0 && a[2])
      x->kind = A_OUTPUT;
    if (takes_value(a) && i + 1 < argc) {
      if (strcmp(a, "-o") == 0)
        x->kind = A_OUTPUT;
      struct arg *v = &args[n++];
      v->s = argv[++i];
      v->kind = x->kind == A_OUTPUT ? A_OUTPUT : A_VALUE;
    }
  }

  struct strvec cc = {0}, cmd = {0};
  compiler(&cc);
  int status;
  if (nsources + ninputs == 0) {
    /* --version, -print-file-name=..., or a usage error the compiler will
     * explain in its own words. */
    if (!query && n == 0) {
      cli_error("cc", "no input files (see `tangle cc --help`)");
      free(args);
      sv_free(&cc);
      return EXIT_USAGE;
    }
    sv_extend(&cmd, &cc);
    for (int i = 0; i < n; i++)
      sv_push(&cmd, args[i].s);
    status = run_cmd(&cmd);
    goto out;
  }

  struct tangle_paths paths;
  if (tangle_locate(&paths) != 0) {
    status = EXIT_USAGE;
    goto out;
  }
  if (race && links && access(paths.lib_race, R_OK) != 0) {
    cli_error("cc", "race library %s is missing (%s)", paths.lib_race, paths.how);
    status = EXIT_USAGE;
    goto out;
  }

  if (!links || !race || nsources == 0) {
    /* One compiler run: compile-only, a normal build, or a race link step. */
    sv_extend(&cmd, &cc);
    if (race && (!links || nsources > 0))
      for (int i = 0; race_cflags[i]; i++)
        sv_push(&cmd, race_cflags[i]);
    for (int i = 0; i < n; i++) {
      /* The link must not pull libtsan in. */
      if (race && links && strcmp(args[i].s, "-fsanitize=thread") == 0)
        continue;
      sv_push(&cmd, args[i].s);
    }
    sv_pushf(&cmd, "-I%s", paths.include_dir);
    if (links)
      push_link_libs(&cmd, &paths, race);
    status = run_cmd(&cmd);
    goto out;
  }

  /* A race build that compiles and links: -c each source into a temporary
   * directory, then link the objects in the sources' places. */
  const char *tmp = getenv("TMPDIR");
  char *dir = xasprintf("%s/tangle-cc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    cli_error("cc", "cannot create a temporary directory %s: %s", dir, strerror(errno));
    free(dir);
    status = EXIT_USAGE;
    goto out;
  }
  char **objs = xcalloc((size_t)n, sizeof *objs);
  status = 0;
  for (int s = 0, k = 0; s < n && status == 0; s++) {
    if (args[s].kind != A_SOURCE)
      continue;
    struct strvec c = {0};
    sv_extend(&c, &cc);
    for (int i = 0; race_cflags[i]; i++)
      sv_push(&c, race_cflags[i]);
    for (int i = 0; i < n; i++) {
      const struct arg *x = &args[i];
      if (x->kind == A_SOURCE || x->kind == A_INPUT || x->kind == A_OUTPUT)
        continue;
      if (x->kind == A_OPT && strncmp(x->s, "-x", 2) == 0) {
        if (!x->s[2])
          i++; /* its value */
        continue;
      }
      if (x->kind == A_OPT && link_only(x->s)) {
        if (takes_value(x->s))
          i++;
        continue;
      }
      sv_push(&c, x->s);
    }
    sv_pushf(&c, "-I%s", paths.include_dir);
    if (args[s].lang) {
      sv_push(&c, "-x");
      sv_push(&c, args[s].lang);
    }
    objs[s] = xasprintf("%s/%d.o", dir, k++);
    sv_push(&c, "-c");
    sv_push(&c, args[s].s);
    sv_push(&c, "-o");
    sv_push(&c, objs[s]);
    status = run_cmd(&c);
    sv_free(&c);
  }
  if (status == 0) {
    sv_extend(&cmd, &cc);
    for (int i = 0; i < n; i++) {
      const struct arg *x = &args[i];
      if (x->kind == A_SOURCE) {
        sv_push(&cmd, objs[i]);
        continue;
      }
      if (x->kind == A_OPT && (strncmp(x->s, "-x", 2) == 0 || compile_only(x->s))) {
        if (!x->s[2] || takes_value(x->s))
          i++;
        continue;
      }
      if (strcmp(x->s, "-fsanitize=thread") == 0)
        continue;
      sv_push(&cmd, x->s);
    }
    push_link_libs(&cmd, &paths, race);
    status = run_cmd(&cmd);
  }
  for (int i = 0; i < n; i++)
    if (objs[i]) {
      unlink(objs[i]);
      free(objs[i]);
    }
  free(objs);
  rmdir(dir);
  free(dir);
out:
  free(args);
  sv_free(&cc);
  sv_free(&cmd);
  return status;
}
