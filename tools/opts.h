/* Option parsing shared by run, test and report: "--name VALUE" and
 * "--name=VALUE"; numbers checked; output files opened. */
#ifndef TANGLE_OPTS_H
#define TANGLE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* If argv[*i] is --name (or --name=V), stores its value in *val, advancing
 * *i past a separate value, and returns 1; 0 if it is another option; -1
 * (after an error message) when the value is missing. */
int opt_value(const char *verb, int argc, char **argv, int *i, const char *name, const char **val);
/* Parses a positive integer option value; -1 with a message if malformed. */
int opt_int(const char *verb, const char *name, const char *val, long min, long *out);
int opt_u64(const char *verb, const char *name, const char *val, uint64_t *out);
/* Opens --output (NULL: dflt); exits 2 with a message if it cannot. */
FILE *open_output(const char *verb, const char *path, FILE *dflt);
/* A fresh private temporary directory, removed with remove_tmpdir. */
char *make_tmpdir(const char *verb);
void remove_tmpdir(char *dir);

#endif
