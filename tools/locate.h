/* Where the tangle headers and libraries are, for `tangle cc`. */
#ifndef TANGLE_LOCATE_H
#define TANGLE_LOCATE_H

struct tangle_paths {
  const char *how;   /* "TANGLE_PREFIX", "installed" or "build tree" */
  char *include_dir; /* holds tangle.h */
  char *lib_normal;  /* path of libtangle.a */
  char *lib_race;    /* path of libtangle_race.a */
};

/* Fills *p; on failure prints why (naming every place looked at) and
 * returns -1. */
int tangle_locate(struct tangle_paths *p);
/* Libraries the runtime needs after libtangle*.a, from pkg-config at
 * configure time: "-lunwind -ldw -lelf ..." split into words. */
extern const char *const tangle_dep_libs[];

#endif
