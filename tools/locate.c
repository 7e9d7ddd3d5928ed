/* Finding the library: TANGLE_PREFIX wins; otherwise the installed layout
 * next to the binary (BIN/../include, BIN/../LIBDIR); otherwise the build tree
 * this binary was compiled in (paths embedded by tools/CMakeLists.txt). The
 * installed layout is checked first so that an installed copy never reaches
 * back into a build tree that may have changed since. */
#include "locate.h"
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TANGLE_INSTALL_INCLUDEDIR
#define TANGLE_INSTALL_INCLUDEDIR "include"
#endif
#ifndef TANGLE_INSTALL_LIBDIR
#define TANGLE_INSTALL_LIBDIR "lib"
#endif
#ifndef TANGLE_DEP_LIBS
#define TANGLE_DEP_LIBS "-lunwind", "-ldw", "-lelf"
#endif

const char *const tangle_dep_libs[] = {TANGLE_DEP_LIBS, "-lpthread", "-ldl", "-lm", NULL};

static int exists(const char *path) {
  return access(path, R_OK) == 0;
}

/* Tries PREFIX/include + PREFIX/libdir. */
static int try_prefix(struct tangle_paths *p, const char *prefix, const char *how) {
  char *inc = xasprintf("%s/%s", prefix, TANGLE_INSTALL_INCLUDEDIR);
  char *hdr = xasprintf("%s/tangle.h", inc);
  char *ln = xasprintf("%s/%s/libtangle.a", prefix, TANGLE_INSTALL_LIBDIR);
  char *lr = xasprintf("%s/%s/libtangle_race.a", prefix, TANGLE_INSTALL_LIBDIR);
  int ok = exists(hdr) && exists(ln);
  free(hdr);
  if (ok) {
    p->how = how;
    p->include_dir = inc;
    p->lib_normal = ln;
    p->lib_race = lr;
    return 0;
  }
  free(inc);
  free(ln);
  free(lr);
  return -1;
}

/* The directory holding this executable, or NULL. */
static char *self_dir(void) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return NULL;
  buf[n] = 0;
  char *slash = strrchr(buf, '/');
  if (!slash)
    return NULL;
  *slash = 0;
  return xstrdup(buf);
}

int tangle_locate(struct tangle_paths *p) {
  memset(p, 0, sizeof *p);
  const char *env = getenv("TANGLE_PREFIX");
  if (env && *env) {
    if (try_prefix(p, env, "TANGLE_PREFIX") == 0)
      return 0;
    cli_error("cc", "TANGLE_PREFIX=%s has no %s/tangle.h and %s/libtangle.a", env,
              TANGLE_INSTALL_INCLUDEDIR, TANGLE_INSTALL_LIBDIR);
    return -1;
  }
  char *dir = self_dir();
  if (dir) {
    char *prefix = xasprintf("%s/..", dir);
    char *real = realpath(prefix, NULL);
    int r = try_prefix(p, real ? real : prefix, "installed");
    free(real);
    free(prefix);
    free(dir);
    if (r == 0)
      return 0;
  }
#if defined(TANGLE_SOURCE_DIR) && defined(TANGLE_LIB_NORMAL) && defined(TANGLE_LIB_RACE)
  char *hdr = xasprintf("%s/include/tangle.h", TANGLE_SOURCE_DIR);
  int ok = exists(hdr) && exists(TANGLE_LIB_NORMAL);
  free(hdr);
  if (ok) {
    p->how = "build tree";
    p->include_dir = xasprintf("%s/include", TANGLE_SOURCE_DIR);
    p->lib_normal = xstrdup(TANGLE_LIB_NORMAL);
    p->lib_race = xstrdup(TANGLE_LIB_RACE);
    return 0;
  }
  cli_error("cc",
            "cannot find the tangle library: not installed next to this binary "
            "(../%s, ../%s) and the build tree's %s is missing (build it, or set "
            "TANGLE_PREFIX)",
            TANGLE_INSTALL_INCLUDEDIR, TANGLE_INSTALL_LIBDIR, TANGLE_LIB_NORMAL);
#else
  cli_error("cc",
            "cannot find the tangle library next to this binary (../%s, ../%s); set "
            "TANGLE_PREFIX",
            TANGLE_INSTALL_INCLUDEDIR, TANGLE_INSTALL_LIBDIR);
#endif
  return -1;
}
