#!/bin/sh
# tangle report: saved JSON findings re-rendered (text, json, sarif, junit,
# dot); corrupt or foreign input rejected with the file and line, exit 2,
# never a crash (also for every truncation of a valid line, and for deep
# nesting).
. "$SRC_DIR/lib.sh"
cd "$WORK"
fake race race; fake race2 race2; fake deadlock deadlock; fake leak leak
expect 1 "$TANGLE" test --count 2 --seed 7 --format json --output saved.jsonl race race2 deadlock leak

expect 0 "$TANGLE" report saved.jsonl
[ "$(grep -c '^WARNING: DATA RACE$' out)" = 2 ] || fail "report text: races"
contains out "WARNING: DEADLOCK"
contains out "WARNING: GOROUTINE LEAK"
contains out "2 data races, 1 deadlock, 1 leak"

# json -> json is stable, and reading stdin works
expect 0 "$TANGLE" report --format json - < saved.jsonl
cp out again.jsonl
expect 0 "$TANGLE" report --format json again.jsonl
cmp -s out again.jsonl || fail "report json is not a fixed point"
# merging files de-duplicates
expect 0 "$TANGLE" report --format json saved.jsonl again.jsonl
[ "$(count_kind out data_race)" = 2 ] || fail "merged files not de-duplicated"

expect 0 "$TANGLE" report --format sarif --output r.sarif saved.jsonl
python3 "$SRC_DIR/check_sarif.py" r.sarif data_race=2 deadlock=1 leak=1 >/dev/null || fail "SARIF"
expect 0 "$TANGLE" report --format junit --output r.xml saved.jsonl
python3 "$SRC_DIR/check_junit.py" r.xml race=1/0 race2=2/0 deadlock=1/0 leak=0/0 >/dev/null \
  || fail "JUnit"

# DOT: the deadlock cycle, goroutines and resources as nodes, labelled edges
expect 0 "$TANGLE" report --dot saved.jsonl
contains out "digraph tangle {"
contains out 'label="goroutine 9"'
contains out 'label="mutex A"'
[ "$(grep -c 'label="holds' out)" = 2 ] || fail "dot: holds edges"
[ "$(grep -c 'label="waits for' out)" = 2 ] || fail "dot: waits-for edges"
python3 - out <<'PY' || fail "dot is not balanced"
import sys
t = open(sys.argv[1]).read()
assert t.count("{") == t.count("}") and t.rstrip().endswith("}")
PY
if command -v dot >/dev/null; then dot -Tsvg out >/dev/null || fail "dot rejects the graph"; fi
grep -v deadlock saved.jsonl > nocycle.jsonl
expect 0 "$TANGLE" report --dot nocycle.jsonl
contains err "no deadlock or lock-order cycle"

# corrupt or foreign input: 2 and a message naming file:line
printf '{"kind":"data_race"}\nnot json\n' > bad1
expect 2 "$TANGLE" report bad1
contains err "bad1:2: not JSON"
printf '{"hello":1}\n' > bad2
expect 2 "$TANGLE" report bad2
contains err "bad2:1: not a tangle finding: no \"kind\""
printf '{"kind":"explosion"}\n' > bad3
expect 2 "$TANGLE" report bad3
contains err "unknown kind \"explosion\""
printf '{"kind":"data_race","goroutines":"many"}\n' > bad4
expect 2 "$TANGLE" report bad4
contains err "\"goroutines\" is not a list"
printf '{"kind":"data_race","accesses":[{"op":"poke"}]}\n' > bad5
expect 2 "$TANGLE" report bad5
contains err "op \"poke\""
printf '[1,2,3]\n' > bad6
expect 2 "$TANGLE" report bad6
contains err "not a JSON object"
head -c 300 /bin/sh > bad7
expect 2 "$TANGLE" report bad7
expect 2 "$TANGLE" report no-such-file
contains err "cannot read no-such-file"
: > empty
expect 0 "$TANGLE" report empty
contains out "0 data races"
expect 2 "$TANGLE" report
contains err "no input files"
expect 2 "$TANGLE" report --format pdf saved.jsonl

# robustness: every prefix of a finding line, and deep nesting, give 0 or 2
python3 - "$TANGLE" saved.jsonl <<'PY' || fail "report crashed on malformed input"
import subprocess, sys
tangle, saved = sys.argv[1], sys.argv[2]
line = open(saved).readline().rstrip("\n")
cases = [line[:i] for i in range(0, len(line), max(1, len(line) // 150))]
cases += ["[" * 100000, '{"kind":' * 5000, '"\\ud800"', '{"kind":"leak","message":"\\u00e9\\ud83d\\ude00"}',
          '{"kind":"data_race","seed":1e400}', "\xff\xfe{}"]
for c in cases:
    p = subprocess.run([tangle, "report", "-"], input=(c + "\n").encode("utf-8", "surrogateescape"),
                       capture_output=True)
    if p.returncode not in (0, 2):
        print("status", p.returncode, "for", repr(c[:80]), p.stderr[:300], file=sys.stderr)
        sys.exit(1)
    if p.returncode == 2 and b"tangle report:" not in p.stderr:
        print("no message for", repr(c[:80]), file=sys.stderr)
        sys.exit(1)
PY
echo PASS
