#!/usr/bin/env python3
"""tangle's `make bench`: builds the benchmark programs and their peers, runs
them side by side in one session, prints the tables.

Peers of every C program (testsuite/bench/*.c, linked with libtangle):
  Go      go/<name>.go, built with `go build` (and `go build -race`)
  race    the same C file compiled with -fsanitize=thread (instrumentation
          only) and linked with libtangle_race, as `tangle cc -race` does
  pthread peers/pthread_<name>.c for the memory loop and the contended
          mutex, built plain and with clang's ThreadSanitizer

Every program prints `BENCH <name> ns_per_op=<f> ops=<n> hwm_kib=<k> [k=v ...]`:
the peak RSS is the program's own VmHWM (the rusage of wait4() is kept in
results.json, but Linux counts the forking parent's peak in it across exec). Each measurement is repeated
(--repeat, default 5) in round-robin order, so that the machine's noise hits
all peers alike; the table shows the best time and the median RSS. A cell
that could not be measured says `n/a` and why; no number is ever made up.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

C_PROGRAMS = ["pingpong", "pipeline", "spawn", "parked", "mutex_uncontended", "mutex4",
              "rwmutex", "waitgroup", "context", "echo", "memloop"]
PTHREAD_PEERS = ["memloop", "mutex4"]
# The memory loop is compiled with clang on the tangle side too, so that its
# race build and clang's TSan run the same instrumented code and differ only
# in the runtime behind the __tsan_* hooks.
CLANG_PROGRAMS = ["memloop"]
MEMLOOP_LEN = 1 << 22

# Variants: how a program is built and run.
TANGLE, RACE, GO, GO_RACE, PTHREAD, TSAN = "tangle", "race", "go", "go_race", "pthread", "tsan"
ALL_VARIANTS = (TANGLE, RACE, GO, GO_RACE, PTHREAD, TSAN)
DEADLOCK_OFF = (("TANGLE_OPTIONS", "deadlock=off"),)
# The default, spelled out: its own job, so that the overhead table's pair
# runs back to back in every round instead of reusing the race table's run
# from minutes earlier (this host's cross-CPU cost drifts by 2x between
# such times, which read as +60% overhead once).
DEADLOCK_ON = (("TANGLE_OPTIONS", "deadlock=on"),)
PAIRS_PER_ROUND = 3  # default and deadlock=off runs per round (see main)


# --------------------------------------------------------------------------
# Building

def first_error(text):
    """The line of a compiler or linker log that best says what failed."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for pat in ("undefined reference", "error:", "cannot find", "fatal"):
        for l in lines:
            if pat in l:
                l = re.sub(r"^.*?: (?=undefined reference)", "", l)
                return l[:160]
    return (lines[-1] if lines else "failed")[:160]


def run_tool(argv, env=None, cwd=None):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, cwd=cwd, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    return p.returncode == 0, p.stdout


def pkg_libs():
    ok, out = run_tool(["pkg-config", "--libs", "libdw", "libunwind"])
    return out.split() if ok else ["-ldw", "-lunwind"]


def ensure_go(log):
    """The go command, installing Debian's golang-go when root and missing."""
    for cand in (shutil.which("go"), "/usr/lib/go/bin/go"):
        if cand and os.access(cand, os.X_OK):
            return cand, None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("bench: installing golang-go (Go peers)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run_tool(["apt-get", "update", "-qq"], env=env)
        ok, out = run_tool(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                            "golang-go"], env=env)
        for cand in (shutil.which("go"), "/usr/lib/go/bin/go"):
            if cand and os.access(cand, os.X_OK):
                return cand, None
        return None, "Go not installed: apt-get install golang-go failed: " + first_error(out)
    return None, "Go toolchain not installed (apt-get install golang-go)"


class Builder:
    def __init__(self, args, log):
        self.args, self.log = args, log
        self.out = os.path.join(args.out, "bin")
        os.makedirs(self.out, exist_ok=True)
        self.bins = {}  # (prog, variant) -> path
        self.errors = {}  # (prog, variant) -> why it has no binary
        # As tangle cc links (tools/cc.c, tools/locate.c).
        self.libs = pkg_libs() + ["-lpthread", "-ldl", "-lm"]
        self.go = None

    def cflags(self):
        return ["-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
                "-fno-omit-frame-pointer", "-I", self.args.include, "-I", HERE]

    def compile_link(self, key, cc, src, compile_extra, link_objs):
        exe = os.path.join(self.out, "%s.%s" % key)
        obj = exe + ".o"
        ok, out = run_tool([cc] + self.cflags() + compile_extra + ["-c", src, "-o", obj])
        if not ok:
            self.errors[key] = "does not compile: " + first_error(out)
            return
        ok, out = run_tool([cc, obj, "-o", exe] + link_objs)
        if not ok:
            self.errors[key] = "does not link: " + first_error(out)
            return
        self.bins[key] = exe

    def build_c(self, progs, variants):
        clang = self.args.clang if self.args.clang and shutil.which(self.args.clang) else None
        for prog in progs:
            src = os.path.join(HERE, prog + ".c")
            cc = clang if (prog in CLANG_PROGRAMS and clang) else self.args.cc
            self.compile_link((prog, TANGLE), cc, src, [], [self.args.lib] + self.libs)
            # Race build, as `tangle cc -race` does it: instrument only, link
            # without -fsanitize, the whole race archive (its entry points,
            # interceptors and constructors are all needed).
            if RACE not in variants:
                pass
            elif self.args.race_lib and os.path.exists(self.args.race_lib):
                self.compile_link((prog, RACE), cc, src,
                                  ["-fsanitize=thread", "-DTANGLE_RACE=1"],
                                  ["-Wl,--whole-archive", self.args.race_lib,
                                   "-Wl,--no-whole-archive"] + self.libs)
            else:
                self.errors[(prog, RACE)] = "libtangle_race not built"
            if prog in PTHREAD_PEERS and variants & {PTHREAD, TSAN}:
                psrc = os.path.join(HERE, "peers", "pthread_%s.c" % prog)
                if not clang:
                    why = "clang not installed"
                    self.errors[(prog, PTHREAD)] = self.errors[(prog, TSAN)] = why
                    continue
                self.compile_link((prog, PTHREAD), clang, psrc, ["-pthread"], ["-pthread"])
                self.compile_link((prog, TSAN), clang, psrc, ["-pthread", "-fsanitize=thread"],
                                  ["-pthread", "-fsanitize=thread"])

    def build_go(self, progs):
        go, why = ensure_go(self.log)
        if not go:
            for prog in progs:
                self.errors[(prog, GO)] = self.errors[(prog, GO_RACE)] = why
            return
        self.go = go
        env = dict(os.environ, GO111MODULE="off", CGO_ENABLED="1",
                   GOCACHE=os.path.join(self.args.out, "gocache"),
                   GOPATH=os.path.join(self.args.out, "gopath"), GOFLAGS="")
        util = os.path.join(HERE, "go", "benchutil.go")
        for prog in progs:
            src = os.path.join(HERE, "go", prog + ".go")
            for variant, flags in ((GO, []), (GO_RACE, ["-race"])):
                exe = os.path.join(self.out, "%s.%s" % (prog, variant))
                ok, out = run_tool([go, "build"] + flags + ["-o", exe, util, src], env=env)
                if ok:
                    self.bins[(prog, variant)] = exe
                else:
                    self.errors[(prog, variant)] = "go build failed: " + first_error(out)

    def version(self, argv):
        ok, out = run_tool(argv)
        return out.splitlines()[0].strip() if ok and out else "unknown"


# --------------------------------------------------------------------------
# Running

class Result:
    def __init__(self):
        self.ns, self.rss, self.fields, self.error, self.note = [], [], [], None, None
        self.wall = 0.0  # seconds the last run took

    def ok(self):
        return bool(self.ns)

    def best_ns(self):
        return min(self.ns)

    def rss_kib(self):
        return statistics.median(self.rss)

    def field(self, name):
        vals = [float(f[name]) for f in self.fields if name in f]
        return statistics.median(vals) if vals else None


def run_once(argv, env, timeout):
    """(returncode, stdout, stderr, maxrss KiB); returncode None on timeout."""
    out_path, err_path = argv[0] + ".stdout", argv[0] + ".stderr"
    with open(out_path, "w") as so, open(err_path, "w") as se:
        p = subprocess.Popen(argv, stdout=so, stderr=se, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        status, rusage = None, None
        while True:
            pid, st, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                status, rusage = st, ru
                break
            if time.monotonic() > deadline:
                os.killpg(p.pid, signal.SIGKILL)
                _, st, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.005)
        p.returncode = 0  # reaped above by wait4, which also gave the rusage
    with open(out_path) as f:
        stdout = f.read()
    with open(err_path) as f:
        stderr = f.read()
    if status is None:
        return None, stdout, stderr, 0
    rc = os.waitstatus_to_exitcode(status)
    return rc, stdout, stderr, rusage.ru_maxrss


BENCH_LINE = re.compile(r"^BENCH (\S+) ns_per_op=(\S+) ops=(\d+)(.*)$", re.M)


def measure(builder, job, env_base, timeout, res):
    prog, variant, ops, extra_env = job
    exe = builder.bins.get((prog, variant))
    if not exe:
        res.error = builder.errors.get((prog, variant), "not built")
        return
    env = dict(env_base)
    env.update(dict(extra_env))
    rc, stdout, stderr, rss = run_once([exe, str(ops)], env, timeout)
    m = BENCH_LINE.search(stdout)
    if rc is None:
        res.error = "timed out after %ds" % timeout
        return
    if not m or rc not in (0, 66):
        tail = [l for l in stderr.splitlines() if l.strip()]
        why = tail[0] if tail and tail[0].startswith(("panic", "fatal")) else (
            tail[-1] if tail else "no BENCH line")
        res.error = "exit %d: %s" % (rc, why.strip()[:140])
        return
    if rc == 66 and not res.note:
        first = next((l for l in stderr.splitlines() if "WARNING" in l), "findings reported")
        res.note = "race build exited 66 (%s)" % first.strip()[:100]
    fields = dict(kv.split("=", 1) for kv in m.group(4).split() if "=" in kv)
    fields["wait4_maxrss_kib"] = rss
    res.ns.append(float(m.group(2)))
    # The program's own VmHWM: wait4's figure includes the forking parent's.
    res.rss.append(int(fields.get("hwm_kib", rss)))
    res.fields.append(fields)


# --------------------------------------------------------------------------
# What is measured, and the tables

def plan(scale):
    def n(x):
        return max(1, int(x * scale))

    ml = MEMLOOP_LEN * max(1, int(20 * scale))
    # Each run lasts at least ~0.1 s: at 2M ops the lock benchmarks took
    # 25-60 ms, where thread start-up and the scheduler's first steals
    # weighed as much as the loop (rwmutex measured 1.35-1.85x Go at 2M,
    # 1.0x at 20M, both programs the same).
    normal = [  # (prog, ops, time target vs Go, rss target vs Go, issue)
        ("pingpong", n(1_000_000), 0.5, None, 2),
        ("pipeline", n(300_000), 0.5, None, 2),
        ("spawn", n(1_000_000), 0.5, None, 2),
        ("parked", n(1_000_000), None, 1.6, 2),
        ("mutex_uncontended", n(10_000_000), 1.0, None, 3),
        ("mutex4", n(10_000_000), 1.0, None, 3),
        ("rwmutex", n(20_000_000), 1.0, None, 3),
        ("waitgroup", n(1_000_000), 1.0, None, 3),
        ("context", n(1_000_000), 1.0, None, 3),
        ("echo", max(1000, n(20_000)), 1.0, None, 3),
        ("memloop", ml, None, None, 4),
    ]
    race = [  # (prog, ops, time target vs Go -race, rss target vs Go -race, vs TSan)
        ("pingpong", n(200_000), 0.5, None, None),
        ("pipeline", n(100_000), 0.5, None, None),
        ("mutex4", n(500_000), 0.5, None, None),
        ("spawn", n(1_000_000), 0.5, None, None),
        ("parked", n(200_000), None, 0.3, None),
        ("memloop", ml, None, None, 1.0),
    ]
    deadlock = [  # (prog, ops, max overhead)
        # 10M: the graph's first touches of its own memory (~2 ms of page
        # faults on a VM) are not the per-op cost this row is about, and at
        # 2M ops (110 ms) they alone read as +2%.
        ("mutex_uncontended", n(10_000_000), 0.0),
        ("mutex4", n(500_000), 0.2),
        ("pingpong", n(200_000), 0.2),
        ("rwmutex", n(2_000_000), 0.2),
    ]
    return normal, race, deadlock


def fmt_ns(r):
    if not r.ok():
        return "n/a"
    v = r.best_ns()
    return "%.1f" % v if v < 100 else "%.0f" % v


def fmt_rss(r, per_g=False):
    if not r.ok():
        return "n/a"
    if per_g:
        v = r.field("rss_per_g_kib")
        return "%.2f KiB/g" % v if v is not None else "n/a"
    return "%.1f MiB" % (r.rss_kib() / 1024.0)


def ratio(a, b, key):
    if not (a.ok() and b.ok()):
        return None
    x, y = key(a), key(b)
    if x is None or not y:
        return None
    return x / y


def fmt_ratio(v, target=None):
    if v is None:
        return "n/a"
    s = "%.2f" % v
    if target is not None:
        s += " ✓" if v <= target else " ✗"
    return s


def reasons(where, notes, *results):
    """Records why cells are n/a (or carry a note), grouped by reason."""
    for label, r in results:
        why = r.error or r.note
        if why:
            cells = notes.setdefault(why, [])
            cell = "%s %s" % (where, label)
            if cell not in cells:
                cells.append(cell)


def ns_of(r):
    return r.best_ns()


def paired_ratio(a, b):
    """a/b for two jobs run back to back in every round: the median of the
    rounds' own ratios. The best of each side alone is not a ratio of one
    moment: on this host the cross-CPU cost switches between two levels
    within a run, and a side that met the fast level once and one that never
    did read as +46% overhead where the rounds' ratios were +15%."""
    if not (a.ok() and b.ok()):
        return None
    if len(a.ns) != len(b.ns) or len(a.ns) < 2:
        return ratio(a, b, ns_of)
    return statistics.median(x / y for x, y in zip(a.ns, b.ns) if y)


def rss_of(r):
    return r.rss_kib()


def per_g_of(r):
    return r.field("rss_per_g_kib")


def render(results, normal, race, deadlock, header):
    def R(prog, variant, ops, env=()):
        r = results.get((prog, variant, ops, env))
        if r is None:  # left out by --variants
            r = Result()
            r.error = "not run (--variants)"
        return r

    lines = header[:]
    notes = {}

    lines += ["", "### Normal build: tangle vs Go", "",
              "| benchmark | ops | tangle ns/op | Go ns/op | tangle/Go | tangle RSS | Go RSS "
              "| RSS tangle/Go | pthread ns/op |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for prog, ops, t_target, r_target, _ in normal:
        t, g = R(prog, TANGLE, ops), R(prog, GO, ops)
        p = results.get((prog, PTHREAD, ops, ()))
        per_g = prog == "parked"
        rr = ratio(t, g, per_g_of if per_g else rss_of)
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            prog, ops, fmt_ns(t), fmt_ns(g), fmt_ratio(ratio(t, g, ns_of), t_target),
            fmt_rss(t, per_g), fmt_rss(g, per_g), fmt_ratio(rr, r_target),
            fmt_ns(p) if p else ""))
        reasons(prog, notes, ("tangle", t), ("Go", g), *((("pthread", p),) if p else ()))

    lines += ["", "### Race build: tangle -race vs Go -race (and vs each one's normal build)", "",
              "| benchmark | ops | tangle-race ns/op | Go-race ns/op | tangle-race/Go-race "
              "| tangle race/normal | Go race/normal | tangle-race RSS | Go-race RSS "
              "| RSS tangle-race/Go-race | TSan ns/op | tangle-race/TSan |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for prog, ops, t_target, r_target, tsan_target in race:
        tr, gr = R(prog, RACE, ops), R(prog, GO_RACE, ops)
        tn, gn = R(prog, TANGLE, ops), R(prog, GO, ops)
        ts = results.get((prog, TSAN, ops, ()))
        per_g = prog == "parked"
        rr = ratio(tr, gr, per_g_of if per_g else rss_of)
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            prog, ops, fmt_ns(tr), fmt_ns(gr), fmt_ratio(ratio(tr, gr, ns_of), t_target),
            fmt_ratio(ratio(tr, tn, ns_of)), fmt_ratio(ratio(gr, gn, ns_of)),
            fmt_rss(tr, per_g), fmt_rss(gr, per_g), fmt_ratio(rr, r_target),
            fmt_ns(ts) if ts else "", fmt_ratio(ratio(tr, ts, ns_of), tsan_target) if ts else ""))
        reasons(prog, notes, ("tangle-race", tr), ("Go-race", gr), ("tangle", tn), ("Go", gn),
                *((("TSan", ts),) if ts else ()))

    lines += ["", "### Wait-for graph overhead (race build, TANGLE_OPTIONS=deadlock=off vs default)",
              "", "The two runs of a row are made back to back, %d times a round in alternating "
              "order; the overhead is the median of those pairs' own ratios (the ns/op cells are "
              "each side's best)." % PAIRS_PER_ROUND,
              "", "| benchmark | ops | default ns/op | deadlock=off ns/op | overhead |",
              "|---|---:|---:|---:|---:|"]
    for prog, ops, target in deadlock:
        on, off = R(prog, RACE, ops, DEADLOCK_ON), R(prog, RACE, ops, DEADLOCK_OFF)
        ov = paired_ratio(on, off)
        ov_s = "n/a" if ov is None else "%+.0f%%" % ((ov - 1) * 100)
        if ov is not None:
            # "nothing" on the fast path: allow the noise of a shared machine (5%).
            ov_s += " ✓" if ov - 1 <= max(target, 0.05) else " ✗"
        lines.append("| %s | %d | %s | %s | %s |" % (prog, ops, fmt_ns(on), fmt_ns(off), ov_s))
        reasons(prog, notes, ("tangle-race", on), ("tangle-race deadlock=off", off))

    if notes:
        lines += ["", "Why cells are n/a, and notes:", ""]
        lines += ["- %s — %s" % (", ".join(cells), why) for why, cells in notes.items()]
    return lines


def source_version():
    """The commit the libraries were built from, and whether the runtime's
    working tree differed from it."""
    top = os.path.dirname(os.path.dirname(HERE))
    ok, rev = run_tool(["git", "-C", top, "log", "-1", "--format=%h %s"])
    if not ok:
        return "unknown (not a git checkout)"
    ok, dirty = run_tool(["git", "-C", top, "status", "--porcelain", "--", "runtime", "detector"])
    return "commit %s%s" % (rev.strip()[:90], " (+ uncommitted runtime/detector changes)"
                            if ok and dirty.strip() else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="directory for binaries and results")
    ap.add_argument("--include", required=True, help="tangle's include directory")
    ap.add_argument("--lib", required=True, help="libtangle.a")
    ap.add_argument("--race-lib", help="libtangle_race.a")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--clang", default="clang")
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "5")))
    ap.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1")),
                    help="multiplies every op count (0.01 for a smoke run)")
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                    help="comma-separated benchmark names")
    ap.add_argument("--timeout", type=int, default=180, help="seconds per run")
    ap.add_argument("--slow", type=float, default=20,
                    help="a cell whose first run takes longer (s) is not repeated")
    ap.add_argument("--write-doc", help="replace the table between the bench markers in this file")
    ap.add_argument("--variants", default=",".join(ALL_VARIANTS),
                    help="which builds to run (default: all): " + ",".join(ALL_VARIANTS))
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 if a normal-build program fails (the smoke test of make check)")
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    log = lambda s: print(s, file=sys.stderr, flush=True)

    normal, race, deadlock = plan(args.scale)
    only = set(filter(None, args.only.split(",")))
    if only:
        normal = [r for r in normal if r[0] in only]
        race = [r for r in race if r[0] in only]
        deadlock = [r for r in deadlock if r[0] in only]
    progs = sorted({r[0] for r in normal + race + deadlock})

    t_start = time.monotonic()
    b = Builder(args, log)
    log("bench: building %d programs (C, race, pthread/TSan peers, Go, Go -race)" % len(progs))
    variants = set(filter(None, args.variants.split(",")))
    b.build_c(progs, variants)
    if variants & {GO, GO_RACE}:
        b.build_go(progs)

    jobs = []
    for prog, ops, *_ in normal:
        jobs += [(prog, TANGLE, ops, ()), (prog, GO, ops, ())]
        if prog in PTHREAD_PEERS:
            jobs.append((prog, PTHREAD, ops, ()))
    for prog, ops, *_ in race:
        jobs += [(prog, v, ops, ()) for v in (TANGLE, GO, RACE, GO_RACE)]
        if prog in PTHREAD_PEERS:
            jobs.append((prog, TSAN, ops, ()))
    for prog, ops, _ in deadlock:
        jobs += [(prog, RACE, ops, DEADLOCK_ON), (prog, RACE, ops, DEADLOCK_OFF)]
    jobs = [j for j in dict.fromkeys(jobs) if j[1] in variants]

    procs = os.environ.get("GOMAXPROCS") or os.environ.get("TANGLE_MAXPROCS") or str(
        os.cpu_count())
    env_base = {k: v for k, v in os.environ.items() if k != "TANGLE_OPTIONS"}
    env_base.update(GOMAXPROCS=procs, TANGLE_MAXPROCS=procs)

    results = {job: Result() for job in jobs}
    # The overhead table's two runs are measured together, PAIRS_PER_ROUND
    # times a round in alternating order (on, off, off, on, ...): its
    # median of paired ratios needs more than one pair a round on this
    # host, and the runs are short.
    partner = {}
    for prog, ops, _ in deadlock:
        on, off = (prog, RACE, ops, DEADLOCK_ON), (prog, RACE, ops, DEADLOCK_OFF)
        if on in results and off in results:
            partner[on] = off
    paired = set(partner.values())

    def run_job(job, rep, first):
        res = results[job]
        if res.error:
            return  # a failure is not retried: it would fail again, slowly
        if rep > 0 and res.wall > args.slow:
            return  # keeps the whole run within minutes; said in the notes
        t0 = time.monotonic()
        measure(b, job, env_base, args.timeout, res)
        res.wall = time.monotonic() - t0
        if rep == 0 and res.wall > args.slow and args.repeat > 1 and not res.note:
            res.note = "measured once: one run takes %.0f s" % res.wall
        if res.ok() and res.error is None and rep == 0 and first:
            log("  %-18s %-8s %-9d %s ns/op" % (job[0], job[1] + (
                "+" + job[3][0][1] if job[3] else ""), job[2], fmt_ns(res)))
        elif res.error:
            log("  %-18s %-8s n/a: %s" % (job[0], job[1], res.error))

    for rep in range(args.repeat):
        log("bench: round %d/%d (%d runs)" % (rep + 1, args.repeat, len(jobs)))
        for job in jobs:
            if job in paired:
                continue  # measured with its partner
            if job not in partner:
                run_job(job, rep, True)
                continue
            pair = (job, partner[job])
            for k in range(PAIRS_PER_ROUND):
                for j in (pair if k % 2 == 0 else pair[::-1]):
                    run_job(j, rep, k == 0)

    elapsed = time.monotonic() - t_start
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")),
                       "unknown")
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    header = [
        "Measured %s UTC on %s: %d CPUs (%s), %.0f GiB RAM, Linux %s; GOMAXPROCS = "
        "TANGLE_MAXPROCS = %s; best of %d runs per cell (RSS: median); whole run %.0f s." % (
            datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), platform.node() or "host",
            os.cpu_count(), cpu, mem_gib, platform.release(), procs, args.repeat, elapsed),
        "",
        "- tangle: %s" % source_version(),
        "- C: %s; clang: %s" % (b.version([args.cc, "--version"]),
                                b.version([args.clang, "--version"])),
        "- Go: %s" % (b.version([b.go, "version"]) if b.go else (
            "not installed" if variants & {GO, GO_RACE} else "not run (--variants)")),
        "- Ratios below 1 mean tangle is faster / smaller; ✓/✗ compare with the issue's "
        "target. RSS is the process's peak (VmHWM); for `parked` it is the resident "
        "memory per parked goroutine ((RSS with all parked - RSS before) / n).",
    ]
    lines = render(results, normal, race, deadlock, header)
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump([{"prog": j[0], "variant": j[1], "ops": j[2], "env": dict(j[3]),
                    "ns_per_op": r.ns, "maxrss_kib": r.rss, "fields": r.fields,
                    "error": r.error, "note": r.note} for j, r in results.items()], f, indent=1)
    if args.write_doc:
        with open(args.write_doc) as f:
            doc = f.read()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin in doc and end in doc:
            head, rest = doc.split(begin, 1)
            doc = head + begin + "\n" + text + end + rest.split(end, 1)[1]
            with open(args.write_doc, "w") as f:
                f.write(doc)
    if args.strict:
        failed = [(j, r.error) for j, r in results.items() if j[1] == TANGLE and r.error]
        for j, why in failed:
            log("bench: FAILED %s (%d ops): %s" % (j[0], j[2], why))
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
