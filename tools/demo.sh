#!/bin/sh
# tools/demo.sh BUILD_DIR (run by `make demo`): builds the seeds' examples
# with `tangle cc -race` and shows what the detector finds in them through
# the CI gate, `tangle test`. The examples are the C ports in
# testsuite/corpus; the race and deadlock ones are the point of the demo.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TANGLE="$BUILD/tools/tangle"
[ -x "$TANGLE" ] || { echo "demo: $TANGLE not built (run make build)" >&2; exit 2; }
OUT="$BUILD/demo"
mkdir -p "$OUT"

# The demo programs: corpus examples whose names say race or deadlock, else
# the cli tests' channel program.
progs=$(ls "$ROOT"/testsuite/corpus/*race*.c "$ROOT"/testsuite/corpus/*deadlock*.c 2>/dev/null | head -6 || true)
[ -n "$progs" ] || progs="$ROOT/testsuite/cli/prog/chan_main.c:$ROOT/testsuite/cli/prog/chan_worker.c"

bins=""
for p in $progs; do
  name=$(basename "${p%%:*}" .c)
  srcs=$(echo "$p" | tr ':' ' ')
  echo "demo: tangle cc -race $name"
  # shellcheck disable=SC2086
  "$TANGLE" cc -race -O1 $srcs -o "$OUT/$name"
  bins="$bins $OUT/$name"
done

echo "demo: tangle test --count 2$bins"
# shellcheck disable=SC2086
if "$TANGLE" test --count 2 --format text $bins; then
  echo "demo: no findings"
else
  st=$?
  if [ $st -eq 1 ]; then echo "demo: findings above (tangle test exits 1 when findings count)"; else exit $st; fi
fi
