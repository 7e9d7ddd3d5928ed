# Sourced by the cli tests. Environment (set by CMakeLists.txt): TANGLE (the
# binary), BUILD_DIR (top build dir), SRC_DIR (testsuite/cli).
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tangle-cli-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Tests that link a program need the runtime core; tests in race mode need the
# detector's __tsan_* entry points. Until those land, such tests are skipped
# (ctest shows them as "Skipped", not passed).
defines() { nm -g --defined-only "$1" 2>/dev/null | grep -q " [TW] $2\$"; }
need_runtime() {
  defines "$BUILD_DIR/libtangle.a" tg_go && defines "$BUILD_DIR/libtangle.a" tg_chan_make \
    || skip "runtime core (tg_go, tg_chan_make) not in libtangle.a yet"
}
need_race() {
  defines "$BUILD_DIR/libtangle_race.a" __tsan_init && defines "$BUILD_DIR/libtangle_race.a" __tsan_read4 \
    || skip "detector entry points (__tsan_init, __tsan_read4) not in libtangle_race.a yet"
}
need_cc() { command -v "$1" >/dev/null || skip "no $1 installed"; }

# expect STATUS CMD...: runs CMD, fails unless it exits with STATUS.
expect() {
  want=$1; shift
  set +e; "$@" >"$WORK/out" 2>"$WORK/err"; got=$?; set -e
  [ "$got" = "$want" ] || { cat "$WORK/out" "$WORK/err" >&2; fail "$* exited $got, expected $want"; }
}
# contains FILE TEXT
contains() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks '$2'"; }; }

# fake NAME SCENARIO: an executable WORK/NAME that behaves like a race-built
# program in SCENARIO (fake/fake.py), for run/test without the detector.
fake() {
  printf '#!/bin/sh\nexec python3 "%s/fake/fake.py" %s "$@"\n' "$SRC_DIR" "$2" > "$WORK/$1"
  chmod +x "$WORK/$1"
}
# count_kind FILE KIND: JSON lines of that kind in FILE
count_kind() { grep -c "\"kind\": *\"$2\"" "$1" || true; }
