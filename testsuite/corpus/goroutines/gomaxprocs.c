/* Seed 002_86b5fec98460e5da.txt, "The GOMAXPROCS environment variable"
 * (maxprocs.go). runtime.Compiler, GOARCH and Version become the C compiler,
 * the target architecture and the compiler version; tg_maxprocs(0) queries
 * without changing, as runtime.GOMAXPROCS(0) does. Also seed 001,
 * "GOMAXPROCS": setting it to the number of CPUs. */
#include <stdio.h>
#include <tangle.h>
#include <unistd.h>

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
  /* 001, "GOMAXPROCS": runtime.GOMAXPROCS(runtime.NumCPU()) sets it back to
   * the default and returns the previous setting. */
  int num_cpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
  int previous = tg_maxprocs(num_cpu);
  printf("GOMAXPROCS(NumCPU()) returned %d; now NumCPU: %s\n", previous,
         tg_maxprocs(0) == num_cpu ? "yes" : "no");
  return 0;
}
