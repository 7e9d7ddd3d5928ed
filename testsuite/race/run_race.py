#!/usr/bin/env python3
"""Runs one race-build test program and checks it against the `//!`
directives at the top of its source:

  //! races: N           exactly N "WARNING: DATA RACE" reports (0: clean)
  //! exit: N            exit status (default: 66 if races > 0, else 0)
  //! options: k=v ...   TANGLE_OPTIONS for the run
  //! env: K=V           extra environment (repeatable)
  //! stderr: REGEX      must match the program's report stream (repeatable;
                         Python re, MULTILINE); with log_path: the log file
  //! not-stderr: REGEX  must not match
  //! stdout: REGEX      must match stdout
  //! not-stdout: REGEX  must not match stdout
  //! mode: json         format=json: every report line parses as JSON, the
                         data races are counted from "kind" and the last line
                         is the summary
  //! mode: log          log_path=<tmp>/race: reports go to <tmp>/race.PID
                         (checked there), stderr stays free of them
  //! mode: side         TANGLE_REPORT_FD names a pipe: hello, one line per
                         finding, summary, all JSON
  //! runs: M1 M2 ...     run the program once per listed mode (text, json,
                         log, side), each checked as above; stderr regexes
                         apply to the runs whose reports are text
  //! timeout: S         seconds (default 60)
  //! known-failure: WHY  a missing feature (not a detector bug to hide): a
                         failing run exits 77, which ctest shows as skipped
                         with WHY; a passing run passes, with a note
  //! unrestored: yes     the previous access's stack is expected to be
                         unrestorable (the report must say so instead)
  //! file: NAME=TEXT      a file written into the run's directory first
                         (the program runs there; "\n" for newlines)

Every data race report must name a function in both stacks: a line
"  name() file:line" right under the current and the previous access.
"""
import argparse, json, os, re, subprocess, sys, tempfile

RACE = "WARNING: DATA RACE"


def directives(src):
    d = {"stderr": [], "not-stderr": [], "stdout": [], "not-stdout": [], "env": [], "mode": [],
         "file": []}
    with open(src) as f:
        for line in f:
            m = re.match(r"\s*//!\s*([a-z-]+):\s?(.*?)\s*$", line)
            if not m:
                continue
            k, v = m.group(1), m.group(2)
            if k in d and isinstance(d[k], list):
                d[k].append(v)
            else:
                d[k] = v
    return d


KNOWN_FAILURE = None


def fail(msg, out="", err=""):
    print("FAIL: " + msg)
    print("---- stdout ----\n" + out)
    print("---- reports ----\n" + err)
    if KNOWN_FAILURE:
        print("known failure: " + KNOWN_FAILURE)
        sys.exit(77)
    sys.exit(1)


def check_stacks(err, unrestored):
    """Both accesses of every text report show a function with file:line
    (or, when expected, the previous one says plainly it was lost)."""
    prev = r"^Previous (read|write) at 0x[0-9a-f]+ by goroutine \d+:\n"
    for rep in err.split("==================\n"):
        if RACE not in rep:
            continue
        heads = [r"^(Read|Write) at 0x[0-9a-f]+ by goroutine \d+:\n"]
        if unrestored:
            if not re.search(prev + r"  \[failed to restore the stack.*history_size", rep, re.M):
                fail("no plain 'failed to restore' with history_size in:\n" + rep, "", rep)
        else:
            heads.append(prev)
        for head in heads:
            m = re.search(head + r"  \S+\(\) \S+:\d+$", rep, re.M)
            if not m:
                fail("a stack without a symbolized frame in:\n" + rep, "", rep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--src", required=True)
    a = ap.parse_args()
    d = directives(a.src)
    global KNOWN_FAILURE
    KNOWN_FAILURE = d.get("known-failure")
    races = int(d.get("races", "0"))
    want_exit = int(d.get("exit", "66" if races else "0"))
    opts = d.get("options", "")
    env = dict(os.environ)
    env.pop("TANGLE_OPTIONS", None)
    env.pop("TANGLE_REPORT_FD", None)
    for kv in d["env"]:
        k, _, v = kv.partition("=")
        env[k] = v
    runs = d.get("runs", "").split() or [None]
    for mode in runs:
        run_once(a, d, races, want_exit, opts, env, [mode] if mode else d["mode"])
    if KNOWN_FAILURE:
        print("note: passes now; remove its known-failure directive")


def run_once(a, d, races, want_exit, opts, env, modes):
    env = dict(env)
    tmp = tempfile.mkdtemp(prefix="tangle-race-")
    for spec in d["file"]:
        name, _, text = spec.partition("=")
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text.replace("\\n", "\n") + "\n")
    if "json" in modes:
        opts += " format=json"
    if "log" in modes:
        opts += " log_path=" + os.path.join(tmp, "race")
    if opts.strip():
        env["TANGLE_OPTIONS"] = opts.strip()
    pass_fds = ()
    rfd = wfd = None
    if "side" in modes:
        rfd, wfd = os.pipe()
        env["TANGLE_REPORT_FD"] = str(wfd)
        pass_fds = (wfd,)
    try:
        p = subprocess.Popen([a.exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             pass_fds=pass_fds, cwd=tmp)
        if wfd is not None:
            os.close(wfd)
        side = b""
        if rfd is not None:
            with os.fdopen(rfd, "rb") as f:
                side = f.read()
        out, err = p.communicate(timeout=float(d.get("timeout", "60")))
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        fail("timed out", out.decode(errors="replace"), err.decode(errors="replace"))
    out, err = out.decode(errors="replace"), err.decode(errors="replace")
    reports = err
    if "log" in modes:
        logs = [f for f in os.listdir(tmp) if f.startswith("race.")]
        if logs != ["race.%d" % p.pid]:
            fail("expected exactly the log file race.%d, found %s" % (p.pid, logs), out, err)
        with open(os.path.join(tmp, logs[0])) as f:
            reports = f.read()
        if RACE in err:
            fail("reports on stderr despite log_path", out, err)
    if p.returncode != want_exit:
        fail("exit status %d, expected %d" % (p.returncode, want_exit), out, reports)
    if "json" in modes:
        objs = []
        for line in reports.splitlines():
            if not line.strip():
                continue
            try:
                objs.append(json.loads(line))
            except ValueError as e:
                fail("not JSON: %r (%s)" % (line, e), out, reports)
        n = sum(1 for o in objs if o.get("kind") == "data_race")
        if not objs or objs[-1].get("kind") != "summary":
            fail("the last JSON line is not the summary", out, reports)
        if objs[-1].get("data_race") != races:
            fail("summary counts %r races, expected %d" % (objs[-1].get("data_race"), races), out, reports)
        for o in objs:
            if o.get("kind") == "data_race":
                accs = o.get("accesses", [])
                if len(accs) != 2 or not all(a.get("stack") and a["stack"][0].get("function") for a in accs):
                    fail("a data race without two symbolized accesses: %r" % o, out, reports)
    else:
        n = reports.count(RACE)
        check_stacks(reports, d.get("unrestored") == "yes")
        if races and "Found %d data race(s)" % races not in reports:
            fail("no 'Found %d data race(s)' line" % races, out, reports)
    if n != races:
        fail("%d data race reports, expected %d" % (n, races), out, reports)
    if "side" in modes:
        lines = [json.loads(l) for l in side.decode().splitlines() if l.strip()]
        if not lines or lines[0].get("kind") != "hello" or lines[0].get("race") is not True \
                or lines[0].get("pid") != p.pid or "seed" not in lines[0]:
            fail("side channel does not start with hello: %r" % lines[:1], out, reports)
        if lines[-1].get("kind") != "summary" or lines[-1].get("status") != want_exit:
            fail("side channel does not end with the summary: %r" % lines[-1:], out, reports)
        ns = sum(1 for o in lines if o.get("kind") == "data_race")
        if ns != races:
            fail("side channel has %d races, expected %d" % (ns, races), out, reports)
    for rx in d["stderr"] if "json" not in modes else []:
        if not re.search(rx, reports, re.M):
            fail("reports do not match %r" % rx, out, reports)
    for rx in d["not-stderr"]:
        if re.search(rx, reports, re.M):
            fail("reports match %r" % rx, out, reports)
    for rx in d["stdout"]:
        if not re.search(rx, out, re.M):
            fail("stdout does not match %r" % rx, out, reports)
    for rx in d["not-stdout"]:
        if re.search(rx, out, re.M):
            fail("stdout matches %r" % rx, out, reports)
    print("ok%s: %d race report(s), exit %d" % (" (" + " ".join(modes) + ")" if modes else "", n,
                                                  p.returncode))


if __name__ == "__main__":
    main()
