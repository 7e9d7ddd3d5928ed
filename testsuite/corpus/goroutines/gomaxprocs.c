/* Seed 002_86b5fec98460e5da.txt, "The GOMAXPROCS environment variable"
 * (maxprocs.go). runtime.Compiler, GOARCH and Version become the C compiler,
 * the target architecture and the compiler version; tg_maxprocs(0) queries
 * without changing, as runtime.GOMAXPROCS(0) does. */
#include <stdio.h>
#include <tangle.h>

#if defined(__clang__)
#define COMPILER "clang"
#elif defined(__GNUC__)
#define COMPILER "gcc"
#else
#define COMPILER "cc"
#endif

#if defined(__x86_64__)
#define ARCH "amd64"
#elif defined(__aarch64__)
#define ARCH "arm64"
#else
#define ARCH "unknown"
#endif

int main(void) {
  printf("You are using %s ", COMPILER);
  printf("on a %s machine\n", ARCH);
  printf("Using compiler version %s\n", __VERSION__);
  printf("GOMAXPROCS: %d\n", tg_maxprocs(0));
  return 0;
}
