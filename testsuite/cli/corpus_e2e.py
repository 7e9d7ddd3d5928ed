#!/usr/bin/env python3
"""corpus_e2e.py TANGLE BUILD_DIR TESTSUITE_SRC: the end-to-end check of the CI
gate. Runs `tangle test --count 2 --format json` over every race-built program
of testsuite/corpus and testsuite/deadlock (the seeds' examples and the
wait-for graph's suite) whose expectation (build: race|both) says what the
race build reports,
and compares the finding kinds tangle test collected through the side channel
with the expected ones:
  race: stderr-contains: WARNING: DATA RACE       -> a data_race finding
  ... WARNING: DEADLOCK / LOCK ORDER INVERSION / GOROUTINE LEAK / STARVATION /
  MISUSE, fatal error: all goroutines are asleep  -> that kind
  race: stderr-not-contains: WARNING              -> no WARNING finding at all
Programs whose expectation needs args, stdin or env are left out (tangle test
runs binaries as they are). Exit 77 (skipped) when there is nothing to check
yet (no race-built corpus)."""
import json, os, subprocess, sys

TITLES = {
    "WARNING: DATA RACE": "data_race",
    "WARNING: DEADLOCK": "deadlock",
    "WARNING: LOCK ORDER INVERSION": "lock_order",
    "fatal error: all goroutines are asleep": "global_deadlock",
    "WARNING: GOROUTINE LEAK": "leak",
    "WARNING: STARVATION": "starvation",
    "WARNING: MISUSE": "misuse",
}
WARNING_KINDS = {"data_race", "deadlock", "lock_order", "leak", "starvation", "misuse"}

tangle, build, suite = sys.argv[1:4]
sys.path.insert(0, os.path.join(suite, "corpus"))
import run_corpus  # the corpus' own .expect parser

# (sources, where their race builds are)
SUITES = [(os.path.join(suite, "corpus"), os.path.join(build, "testsuite", "corpus", "race")),
          (os.path.join(suite, "deadlock"), os.path.join(build, "testsuite", "deadlock"))]
cases = {}  # binary -> (expected kinds, must be clean of warnings)


def expectation(path):
    """(kinds the race build must report, whether it must report no WARNING)
    for an expectation of the race build that tangle test can run, else None."""
    try:
        entries = run_corpus.parse(path)
    except Exception as e:  # a broken expectation is the suite's own test to report
        print(f"skip {path}: {e}")
        return None
    mine = [e for e in entries if e[0] in (None, "race")]
    builds = [e[2].strip() for e in entries if e[1] == "build"]
    if not builds or builds[-1] not in ("race", "both"):
        return None
    if any(e[1] in ("args", "stdin", "env") for e in mine):
        return None
    want, clean = set(), False
    for e in mine:
        if e[1] == "stderr-contains":
            want |= {k for t, k in TITLES.items() if t in e[2]}
        if e[1] == "stderr-not-contains" and e[2].strip() in ("WARNING", "WARNING:"):
            clean = True
    return (want, clean) if want or clean else None


for src, race_dir in SUITES:
    for root, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith(".expect"):
                continue
            exp = expectation(os.path.join(root, f))
            exe = os.path.join(race_dir, os.path.relpath(root, src), f.split(".")[0])
            if exp and os.path.exists(exe):
                cases[exe] = exp

if not cases:
    print("SKIP: no race-built corpus program with expected findings yet")
    sys.exit(77)

out = subprocess.run([tangle, "test", "--count", "2", "--jobs", "2", "--quiet", "--timeout", "60s",
                      "--format", "json", *sorted(cases)], capture_output=True, text=True)
if out.returncode not in (0, 1):
    print(out.stderr)
    print(f"FAIL: tangle test exited {out.returncode}")
    sys.exit(1)
found = {exe: set() for exe in cases}
for line in out.stdout.splitlines():
    o = json.loads(line)
    if o["kind"] == "summary":
        continue
    for b in o.get("binaries") or [o.get("binary")]:
        found.setdefault(b, set()).add(o["kind"])
bad = 0
for exe, (want, clean) in sorted(cases.items()):
    got = found.get(exe, set())
    missing = want - got
    extra = (got & WARNING_KINDS) - want if clean else set()
    status = "ok" if not missing and not extra else "MISMATCH"
    bad += status != "ok"
    print(f"{status:8} {os.path.relpath(exe, build)}: expected {sorted(want) or 'clean'}, "
          f"found {sorted(got) or 'nothing'}")
expect_status = 1 if any(k for w, _ in cases.values() for k in w) else 0
if out.returncode != expect_status and not bad:
    print(f"FAIL: tangle test exited {out.returncode}, expected {expect_status}")
    bad += 1
sys.exit(1 if bad else 0)
