#!/usr/bin/env python3
"""A stand-in for a race-built program, for the tests of tangle run/test/report.

It speaks the side-channel contract (REPORTS.md JSON keys; detector/report.h):
when TANGLE_REPORT_FD is set, a hello line first, one JSON line per finding,
a summary at exit. Usage: fake.py SCENARIO. The seed comes from TANGLE_OPTIONS
(seed=S) like the real runtime's; goroutine ids and addresses vary with it, so
de-duplication must rely on locations only.
"""
import json, os, sys, time, signal

scenario = sys.argv[1]
opts = dict(w.split("=", 1) for w in os.environ.get("TANGLE_OPTIONS", "").split() if "=" in w)
seed = int(opts.get("seed", "12345"))
fd = os.environ.get("TANGLE_REPORT_FD")
SRC = "/src/app"


def frame(fn, line, file="race.c", inlined=False):
    return {"function": fn, "file": f"{SRC}/{file}", "line": line, "inlined": inlined}


def send(obj):
    if fd is None:
        return
    os.write(int(fd), (json.dumps(obj) + "\n").encode())


def race(write_fn, write_line, read_fn, read_line, swap=False):
    g1, g2 = 7 + seed % 5, 1
    acc = [
        {"op": "write", "addr": 0x7F0000001000 + seed * 16, "size": 4, "goroutine": g1,
         "stack": [frame("tg_chan_send", 10, "runtime/chan.c"), frame(write_fn, write_line),
                   frame("main", 40)]},
        {"op": "read", "addr": 0x7F0000001000 + seed * 16, "size": 4, "goroutine": g2,
         "stack": [frame(read_fn, read_line), frame("main", 41)]},
    ]
    if swap:
        acc.reverse()
    return {"kind": "data_race", "message": f"Write at 0x{acc[0]['addr']:x} by goroutine {g1}",
            "goroutines": [{"id": g1, "state": "running", "waiting_on": None,
                            "created_at": [frame("main", 38)], "stack": []}],
            "accesses": acc, "seed": seed}


def deadlock():
    ga, gb = 2 + seed % 3, 9
    return {"kind": "deadlock", "message": "goroutines wait for each other's mutexes",
            "goroutines": [{"id": ga, "state": "sync.Mutex.Lock", "waiting_on": "mutex B",
                            "created_at": [frame("main", 60, "dl.c")],
                            "stack": [frame("tg_mutex_lock", 5, "runtime/mutex.c"),
                                      frame("left", 21, "dl.c")]},
                           {"id": gb, "state": "sync.Mutex.Lock", "waiting_on": "mutex A",
                            "created_at": [frame("main", 61, "dl.c")],
                            "stack": [frame("right", 31, "dl.c")]}],
            "cycle": [{"goroutine": ga, "holds": {"resource": "mutex A", "at": [frame("left", 20, "dl.c")]},
                       "waits_for": {"resource": "mutex B", "at": [frame("left", 21, "dl.c")]}},
                      {"goroutine": gb, "holds": {"resource": "mutex B", "at": [frame("right", 30, "dl.c")]},
                       "waits_for": {"resource": "mutex A", "at": [frame("right", 31, "dl.c")]}}]}


def leak():
    return {"kind": "leak", "message": "1 goroutine still blocked at exit",
            "goroutines": [{"id": 4, "state": "chan receive", "waiting_on": "chan 0x1",
                            "created_at": [frame("main", 12, "leak.c")],
                            "stack": [frame("forever", 7, "leak.c")]}]}


if fd is not None and scenario not in ("nohello", "crash_before"):
    send({"kind": "hello", "pid": os.getpid(), "seed": seed, "race": True})
if scenario == "env":  # what the program was given
    print("TANGLE_OPTIONS=" + os.environ.get("TANGLE_OPTIONS", ""))
    print("TANGLE_REPORT_FD=" + (fd or ""))
print(f"fake stdout {scenario}", flush=True)
print(f"fake stderr {scenario}", file=sys.stderr, flush=True)

found = []
if scenario == "race":  # the same race each run, seen from either side
    found = [race("worker", 12, "main", 20, swap=seed % 2 == 1)]
elif scenario == "race2":  # that race, plus a second one on odd seeds only
    found = [race("worker", 12, "main", 20)]
    if seed % 2 == 1:
        found.append(race("other", 50, "main", 52))
elif scenario in ("deadlock", "deadlock_hang"):
    found = [deadlock()]
elif scenario == "leak":
    found = [leak()]
elif scenario == "crash_after":
    found = [race("worker", 12, "main", 20)]
elif scenario == "garbage":
    if fd is not None:
        os.write(int(fd), b"this is not json\n")
    found = [race("worker", 12, "main", 20)]
for f in found:
    send(f)

counts = {k: sum(1 for f in found if f["kind"] == k) for k in ("data_race", "deadlock", "leak")}
if scenario in ("crash_after", "crash_before"):
    os.kill(os.getpid(), signal.SIGSEGV)
if scenario in ("hang", "deadlock_hang"):
    time.sleep(600)
send({"kind": "summary", **counts})
if scenario == "exit3":
    sys.exit(3)
sys.exit(66 if found and scenario != "leak" else 0)
