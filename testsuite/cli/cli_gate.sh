#!/bin/sh
# tangle test, the CI gate: --count runs with different seeds, merging and
# de-duplication across runs and binaries (the fakes vary goroutine ids,
# addresses and which access comes first with the seed), every format
# parsed and checked (SARIF's required fields, JUnit's structure), exit
# statuses 0/1/2, --jobs, --timeout, --output.
. "$SRC_DIR/lib.sh"
cd "$WORK"
for s in clean race race2 leak nohello exit3 hang deadlock; do fake "$s" "$s"; done
fake race_copy race

# clean: 0
expect 0 "$TANGLE" test --count 2 clean
contains out "ok    clean (2 runs"
contains out "0 data races, 0 deadlocks, 0 leaks"

# --count 3: one race, reported once; race2 adds a race found on odd seeds
# only, which keeps the seed that found it
expect 1 "$TANGLE" test --count 3 --seed 100 --format json --output f.jsonl race race2 race_copy
[ "$(count_kind f.jsonl data_race)" = 2 ] || { cat f.jsonl; fail "expected 2 distinct races"; }
python3 - f.jsonl <<'PY' || fail "json output"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
races = [l for l in lines if l["kind"] == "data_race"]
common = [r for r in races if any(f["function"] == "worker" for a in r["accesses"] for f in a["stack"])]
odd = [r for r in races if r not in common]
assert len(common) == 1 and len(odd) == 1
assert common[0]["seed"] in (100, 101, 102)
assert sorted(common[0]["binaries"]) == ["race", "race2", "race_copy"], common[0]
assert common[0]["runs"] == 9, common[0]["runs"]
assert odd[0]["seed"] == 101 and odd[0]["binary"] == "race2", odd[0]
assert lines[-1]["kind"] == "summary" and lines[-1]["data_race"] == 2
PY

# text
expect 1 "$TANGLE" test --count 3 --jobs 2 race race2 clean
[ "$(grep -c '^WARNING: DATA RACE$' out)" = 2 ] || fail "text: expected 2 race reports"
contains out "FAIL  race: 1 finding (3 runs)"
contains out "ok    clean (3 runs"
contains out "2 data races, 0 deadlocks, 0 leaks"

# SARIF: schema-required fields, one result per distinct finding, the
# related location of the other access, fingerprints
expect 1 "$TANGLE" test --count 3 --format sarif --output out.sarif race race2 deadlock leak
python3 "$SRC_DIR/check_sarif.py" out.sarif data_race=2 deadlock=1 leak=1 >/dev/null \
  || fail "SARIF check"
python3 - out.sarif <<'PY' || fail "SARIF content"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
races = [r for r in run["results"] if r["ruleId"] == "data_race"]
for r in races:
    assert r["level"] == "error" and len(r["relatedLocations"]) == 1
    assert r["properties"]["seed"] >= 0
leak = [r for r in run["results"] if r["ruleId"] == "leak"][0]
assert leak["level"] == "warning"
PY

# JUnit: a testcase per binary, a failure per counting finding, an error for
# a binary that is not a race build, a failure for a test that failed by
# itself; leaks (warnings) are not failures
expect 2 "$TANGLE" test --count 2 --format junit --output out.xml race race2 clean leak nohello exit3
python3 "$SRC_DIR/check_junit.py" out.xml race=1/0 race2=2/0 clean=0/0 leak=0/0 nohello=0/1 \
  exit3=1/0 >/dev/null || fail "JUnit check"
contains err "nohello is not a tangle race build"

# a hang is killed at --timeout: a failure (1), not lost (the timeout leaves
# the fake ample time to start on a loaded machine)
expect 1 "$TANGLE" test --timeout 3s --format junit --output hang.xml hang
python3 "$SRC_DIR/check_junit.py" hang.xml hang=1/0 >/dev/null || fail "JUnit hang"
contains hang.xml "timed out"

# missing binaries: 2, said clearly
expect 2 "$TANGLE" test ./no-such-test
contains err "cannot run ./no-such-test"

# usage errors
expect 2 "$TANGLE" test
contains err "no test binaries"
expect 2 "$TANGLE" test --count 0 clean
contains err "--count"
expect 2 "$TANGLE" test --format yaml clean
contains err "'yaml' is not text, json, sarif or junit"
expect 2 "$TANGLE" test --jobs x clean
echo PASS
