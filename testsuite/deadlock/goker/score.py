#!/usr/bin/env python3
"""Scores the race build on the GoKer ports: runs every kernel (buggy and
fixed), records what was reported, and prints the table of
docs/detection.md.

usage: score.py BUILD_DIR/testsuite/deadlock/goker [--runs N]

A buggy kernel counts as detected when any run reports it (deadlock,
lock-order inversion, misuse or goroutine leak); "while running" when the
report came before exit (a deadlock, an inversion or a misuse, not only the
leak check). A fixed twin counts as silent when no run reports anything.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ("DEADLOCK", "LOCK ORDER INVERSION", "MISUSE", "GOROUTINE LEAK")


def category(name):
    with open(os.path.join(HERE, name + ".expect"), encoding="utf-8") as f:
        m = re.match(r"# GoKer \S+ \(([^)]*)\)", f.readline())
    return m.group(1) if m else "?"


def run(exe, args):
    env = dict(os.environ, TANGLE_OPTIONS="leaks=error")
    try:
        p = subprocess.run([exe] + args, env=env, capture_output=True, timeout=20)
        err = p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return {"TIMEOUT"}
    found = {k for k in KINDS if "WARNING: " + k in err}
    if "fatal error: all goroutines are asleep" in err:
        found.add("GLOBAL")
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bindir")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    names = sorted(f[:-2] for f in os.listdir(HERE) if f.endswith(".c"))
    rows = collections.OrderedDict()
    for n in names:
        exe = os.path.join(a.bindir, n)
        bug, fix = set(), set()
        for _ in range(a.runs):
            bug |= run(exe, [])
            fix |= run(exe, ["fixed"])
        cat = category(n)
        rows.setdefault(cat.split(" / ")[0], []).append((n, cat, bug, fix))
        print(f"{n:18} {cat:45} buggy: {','.join(sorted(bug)) or '-':40} fixed: {','.join(sorted(fix)) or 'silent'}",
              file=sys.stderr)
    tot = collections.Counter()
    print("| category | kernels | reported | while running | fixed twin silent |")
    print("|---|---|---|---|---|")
    for major, items in rows.items():
        subs = collections.OrderedDict()
        for it in items:
            subs.setdefault(it[1], []).append(it)
        for sub, its in subs.items():
            k = len(its)
            rep = sum(1 for _, _, b, _ in its if b - {"TIMEOUT"})
            live = sum(1 for _, _, b, _ in its if b & {"DEADLOCK", "LOCK ORDER INVERSION", "MISUSE", "GLOBAL"})
            silent = sum(1 for _, _, _, f in its if not f)
            tot.update(kernels=k, reported=rep, live=live, silent=silent)
            print(f"| {sub} | {k} | {rep} | {live} | {silent} |")
    print(f"| **total** | **{tot['kernels']}** | **{tot['reported']}** | **{tot['live']}** | **{tot['silent']}** |")


if __name__ == "__main__":
    main()
