#!/bin/sh
# tools/demo.sh BUILD_DIR (run by `make demo`): builds the seeds' race and
# deadlock examples with `tangle cc -race` and shows what the detector finds
# in them through the CI gate, `tangle test`: the reports, a summary, and the
# SARIF / JUnit files a CI would upload. The examples are tools/demo/*.c (the
# seeds' "race conditions" and "Deadlock" sections) plus the corpus programs
# whose expectations say the race build reports something.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TANGLE="$BUILD/tools/tangle"
[ -x "$TANGLE" ] || { echo "demo: $TANGLE not built (run make build)" >&2; exit 2; }
OUT="$BUILD/demo"
mkdir -p "$OUT"

bins=""
for src in "$ROOT"/tools/demo/*.c; do
  name=$(basename "$src" .c)
  echo "demo: tangle cc -race -O1 tools/demo/$name.c -o $OUT/$name"
  if "$TANGLE" cc -race -O1 "$src" -o "$OUT/$name"; then
    bins="$bins $OUT/$name"
  else
    echo "demo: $name does not build in race mode yet" >&2
  fi
done
# corpus programs that the race build should report on, when built
for exp in $(grep -rlE "WARNING: (DATA RACE|DEADLOCK|LOCK ORDER)" "$ROOT/testsuite/corpus" --include='*.expect' 2>/dev/null | head -4); do
  rel=${exp#"$ROOT/testsuite/corpus/"}
  exe="$BUILD/testsuite/corpus/race/${rel%%.*}"
  [ -x "$exe" ] && bins="$bins $exe"
done
[ -n "$bins" ] || { echo "demo: nothing could be built in race mode" >&2; exit 2; }

echo
echo "demo: tangle test --count 2 --timeout 20s$bins"
echo
# shellcheck disable=SC2086
set +e
"$TANGLE" test --count 2 --timeout 20s $bins
st=$?
"$TANGLE" test -q --count 2 --timeout 20s --format sarif --output "$OUT/tangle.sarif" $bins
"$TANGLE" test -q --count 1 --timeout 20s --format junit --output "$OUT/junit.xml" $bins
set -e
echo
echo "demo: SARIF for code scanning in $OUT/tangle.sarif, JUnit in $OUT/junit.xml"
case $st in
0) echo "demo: tangle test found nothing (exit 0)" ;;
1) echo "demo: tangle test found the bugs above (exit 1: the CI gate fails)" ;;
*) echo "demo: tangle test could not run something (exit $st)"; exit $st ;;
esac
