/* Seed 002_86b5fec98460e5da.txt, "Waiting for your goroutines to finish":
 * one goroutine per file, each created with createFile, and a WaitGroup to
 * wait for all of them. The seed shows the loop only; the port creates
 * path/filename1..10 in a fresh temporary directory, then lists what is
 * there. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>
#include <unistd.h>

static tg_waitgroup wait_group;

static void create_file(const char *f) {
  FILE *fp = fopen(f, "w");
  if (fp) {
    fprintf(fp, "%s\n", f);
    fclose(fp);
  }
}

static void goroutine(void *arg) {
  char *filepath = arg;
  create_file(filepath);
  free(filepath);
  tg_waitgroup_done(&wait_group); /* defer waitGroup.Done() */
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strverscmp((*a)->d_name, (*b)->d_name);
}

static int is_file(const struct dirent *d) {
  return d->d_name[0] != '.';
}

int main(void) {
  char path[] = "/tmp/tangle-corpus-XXXXXX";
  if (!mkdtemp(path))
    return 1;
  const char *filename = "filename";
  int start = 1, end = 10;
  for (int i = start; i <= end; i++) {
    tg_waitgroup_add(&wait_group, 1);
    char *filepath;
    if (asprintf(&filepath, "%s/%s%d", path, filename, i) < 0)
      return 1;
    tg_go(goroutine, filepath);
  }
  tg_waitgroup_wait(&wait_group);

  struct dirent **names;
  int n = scandir(path, &names, is_file, by_name);
  for (int i = 0; i < n; i++) {
    printf("%s\n", names[i]->d_name);
    char *f;
    if (asprintf(&f, "%s/%s", path, names[i]->d_name) >= 0) {
      unlink(f);
      free(f);
    }
    free(names[i]);
  }
  free(names);
  rmdir(path);
  return 0;
}
