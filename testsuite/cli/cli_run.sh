#!/bin/sh
# tangle run against fake race-built programs (fake/fake.py speaks the side
# channel contract): exit statuses 0/1/2, stdout/stderr passed through
# untouched, findings printed even after a crash or a timeout, --seed
# reaching the program, --format json, and clear errors.
. "$SRC_DIR/lib.sh"
cd "$WORK"
for s in clean race deadlock_hang hang leak crash_after crash_before nohello exit3 garbage env; do
  fake "$s" "$s"
done

# clean: 0, the program's own output untouched, on the right streams
expect 0 "$TANGLE" run -- ./clean
[ "$(cat out)" = "fake stdout clean" ] || fail "stdout not passed through: $(cat out)"
contains err "fake stderr clean"
contains err "0 data races, 0 deadlocks, 0 leaks"
if grep -q "fake stdout" err; then fail "program stdout went to stderr"; fi

# a race: 1, REPORTS.md's text layout and the summary line
expect 1 "$TANGLE" run -- ./race
[ "$(cat out)" = "fake stdout race" ] || fail "stdout changed: $(cat out)"
contains err "WARNING: DATA RACE"
contains err "worker() /src/app/race.c:12"
contains err "1 data race, 0 deadlocks, 0 leaks"
[ "$(grep -c '^==================$' err)" = 2 ] || fail "report not framed by ==== lines"

# json: one object a line, seed filled in, summary last
expect 1 "$TANGLE" run --format json --seed 77 -- ./race
python3 - err <<'PY' || fail "run --format json"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert [l["kind"] for l in lines] == ["data_race", "summary"], lines
assert lines[0]["seed"] == 77, lines[0]["seed"]
assert lines[1]["data_race"] == 1
assert lines[1]["status"] == 66 and lines[1]["race_build"] is True and lines[1]["seed"] == 77
assert lines[1]["timed_out"] is False and lines[1]["program"] == "./race"
PY

# --seed is appended to the user's options, replacing a seed= there
TANGLE_OPTIONS="halt_on_error=0 seed=5" expect 0 "$TANGLE" run --seed 42 -- ./env
contains out "halt_on_error=0"
contains out "seed=42"
if grep -q "seed=5" out; then fail "the user's seed= was not replaced"; fi
grep -q "^TANGLE_REPORT_FD=[0-9]" out || fail "TANGLE_REPORT_FD not set"

# a crash after reporting: the finding is printed; 1 (findings win)
expect 1 "$TANGLE" run -- ./crash_after
contains err "WARNING: DATA RACE"
contains err "signal 11"
# a crash before reporting anything: 2, and says so
expect 2 "$TANGLE" run -- ./crash_before
contains err "crashed before reporting"

# timeouts: what was found before is printed; without findings, 2 (the
# timeout leaves the fake ample time to report on a loaded machine)
expect 1 "$TANGLE" run --timeout 5s -- ./deadlock_hang
contains err "WARNING: DEADLOCK"
contains err "timed out after 5s"
expect 2 "$TANGLE" run --timeout 300ms -- ./hang
contains err "timed out"

# not a race build / cannot run: 2 with the reason
expect 2 "$TANGLE" run -- ./nohello
contains err "not a tangle race build"
expect 2 "$TANGLE" run -- true
contains err "not a tangle race build"
expect 2 "$TANGLE" run -- ./no-such-program
contains err "cannot run ./no-such-program: No such file or directory"
printf 'x' > notexec
expect 2 "$TANGLE" run -- ./notexec
contains err "Permission denied"

# leaks are warnings unless TANGLE_OPTIONS says leaks=error
expect 0 "$TANGLE" run -- ./leak
contains err "WARNING: GOROUTINE LEAK"
TANGLE_OPTIONS="leaks=error" expect 1 "$TANGLE" run -- ./leak

# a nonzero status of the program itself is not a finding
expect 0 "$TANGLE" run -- ./exit3
# garbage on the side channel is skipped with a warning, findings still read
expect 1 "$TANGLE" run -- ./garbage
contains err "WARNING: DATA RACE"
contains err "not findings"

# --output
expect 1 "$TANGLE" run --output "$WORK/findings.txt" -- ./race
contains findings.txt "WARNING: DATA RACE"
if grep -q "WARNING" err; then fail "--output: findings also on stderr"; fi

# usage errors
expect 2 "$TANGLE" run
contains err "no program to run"
expect 2 "$TANGLE" run --timeout soon -- ./clean
contains err "--timeout: 'soon' is not a duration"
expect 2 "$TANGLE" run --format xml -- ./clean
contains err "is not text or json"
expect 2 "$TANGLE" run --seed -1 -- ./clean
expect 2 "$TANGLE" run --seed
contains err "needs a value"
echo PASS
