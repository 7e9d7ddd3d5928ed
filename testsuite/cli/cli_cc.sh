#!/bin/sh
# cli_cc.sh COMPILER normal|race: `tangle cc` with CC=COMPILER builds and runs
# the channel program one-shot, as separate -c and link steps, and from a
# Makefile with CC="tangle cc [-race]". In race mode it also checks that the
# user's objects are instrumented (they call __tsan_*), that the detector
# defines those calls inside the executable and that libtsan is not linked.
. "$SRC_DIR/lib.sh"
COMPILER=$1 MODE=$2
need_cc "$COMPILER"
need_runtime
RACE=""
if [ "$MODE" = race ]; then need_race; RACE=-race; fi
export CC="$COMPILER"
P="$SRC_DIR/prog"

check_prog() {
  expect 0 "$1"
  contains "$WORK/out" "sum=55 mode=$MODE"
  if [ "$MODE" = race ]; then
    if grep -q "WARNING:" "$WORK/err"; then cat "$WORK/err" >&2; fail "race-free program reported"; fi
    nm "$1" | grep -q " T __tsan_read4\$" || fail "$1: __tsan_read4 not defined by the detector"
    if ldd "$1" | grep -q tsan; then fail "$1 links libtsan"; fi
  elif nm "$1" | grep -q __tsan_; then fail "$1: normal build has __tsan_ symbols"
  fi
}

# one shot, two sources, with -Werror and flags that only matter at link time
expect 0 "$TANGLE" cc $RACE -O1 -Wall -Werror "$P/chan_main.c" "$P/chan_worker.c" -lm -o "$WORK/one"
check_prog "$WORK/one"

# separate compile and link
expect 0 "$TANGLE" cc $RACE -O2 -c "$P/chan_main.c" -o "$WORK/main.o"
expect 0 "$TANGLE" cc $RACE -c "$P/chan_worker.c" -o "$WORK/worker.o"
if [ "$MODE" = race ]; then
  nm "$WORK/main.o" | grep -q "U __tsan_func_entry" || fail "main.o not instrumented"
  nm "$WORK/worker.o" | grep -q "U __tsan_" || fail "worker.o not instrumented"
else
  if nm "$WORK/main.o" | grep -q __tsan_; then fail "normal main.o instrumented"; fi
fi
expect 0 "$TANGLE" cc $RACE "$WORK/main.o" "$WORK/worker.o" -o "$WORK/two"
check_prog "$WORK/two"

# CC="tangle cc [-race]" make: the environment's CC names tangle itself,
# which must not make tangle call itself.
cp "$P/Makefile" "$P/chan_main.c" "$P/chan_worker.c" "$WORK/"
CC="$TANGLE cc $RACE"; export CC
TANGLE_CC="$COMPILER"; export TANGLE_CC
expect 0 make -C "$WORK" CC="$CC" prog
check_prog "$WORK/prog"
unset TANGLE_CC
CC="$TANGLE cc $RACE"
expect 0 make -C "$WORK" -B CC="$CC" prog
check_prog "$WORK/prog"

# CC="tangle cc [-race]" cmake: a CMake project that knows nothing of tangle
CC="$TANGLE cc $RACE"; export CC
TANGLE_CC="$COMPILER"; export TANGLE_CC
expect 0 cmake -S "$SRC_DIR/ccproject" -B "$WORK/cb" -DPROG_DIR="$P"
expect 0 cmake --build "$WORK/cb"
check_prog "$WORK/cb/prog"
unset TANGLE_CC

# a compile error is the compiler's: its status and message come through
printf 'int main(void) { return undeclared; }\n' > "$WORK/bad.c"
CC="$COMPILER"
set +e; "$TANGLE" cc $RACE "$WORK/bad.c" -o "$WORK/bad" 2>"$WORK/err"; st=$?; set -e
[ "$st" -ne 0 ] || fail "compile error not reported"
contains "$WORK/err" "undeclared"
echo PASS
