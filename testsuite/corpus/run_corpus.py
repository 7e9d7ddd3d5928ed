#!/usr/bin/env python3
"""Runs one corpus program and checks it against its .expect file.

usage: run_corpus.py --exe PROGRAM --expect NAME.expect --build normal|race

The .expect format is documented in README.md next to this script. Exit
status: 0 pass, 1 fail, 77 a failure the expectation marks `known-failure:`
(ctest shows it as skipped, with the reason).
"""

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys

BUILDS = ("normal", "race")
SKIP = 77

# Directives whose value is the block of `| `-prefixed lines that follows.
BLOCK_KINDS = ("", "-sorted", "-regex", "-regex-sorted", "-tokens-sorted", "-fullmatch", "-filter")
LINE_KINDS = ("-contains", "-not-contains", "-search")
SCALARS = ("build", "exit", "timeout", "env", "args", "stdin", "known-failure")


class ExpectError(Exception):
    pass


def directive_names():
    names = set(SCALARS)
    for stream in ("stdout", "stderr"):
        for k in BLOCK_KINDS + LINE_KINDS:
            names.add(stream + k)
    return names


NAMES = directive_names()


def parse(path):
    """Returns a list of (build or None, name, value, block_lines) in file order.

    `build` is None for directives that apply to every build."""
    out = []
    section = None
    current = None  # the block directive collecting `|` lines
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if line.startswith("|"):
            if current is None:
                raise ExpectError(f"{path}:{n}: `|` line outside a block directive")
            current[3].append(line[2:] if line.startswith("| ") else line[1:])
            continue
        if line.strip() == "---" and current is not None:
            current[3].append(None)  # group separator of the *-sorted kinds
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            current = None
            continue
        m = re.fullmatch(r"\[(normal|race|all)\]", stripped)
        if m:
            section = None if m.group(1) == "all" else m.group(1)
            current = None
            continue
        build = section
        m = re.match(r"(normal|race):\s*(?=[a-z-]+:)", stripped)
        if m:
            build = m.group(1)
            stripped = stripped[m.end():]
        name, sep, value = stripped.partition(":")
        if not sep or name not in NAMES:
            raise ExpectError(f"{path}:{n}: unknown directive `{stripped}`")
        value = value[1:] if value.startswith(" ") else value
        entry = [build, name, value, []]
        out.append(entry)
        is_block = any(name == s + k for s in ("stdout", "stderr") for k in BLOCK_KINDS)
        current = entry if is_block else None
    return out


def effective(entries, build):
    """Scalars (last one wins, build-specific over common) and check list."""
    scal = {"exit": "0", "timeout": "10", "build": "normal"}
    env, checks, known = {}, [], None
    args = []
    for only in (None, build):
        for b, name, value, block in entries:
            if b != only:
                continue
            if name == "env":
                k, sep, v = value.partition("=")
                if not sep:
                    raise ExpectError(f"env: needs KEY=VALUE, got `{value}`")
                env[k] = v
            elif name == "args":
                args = shlex.split(value)
            elif name == "known-failure":
                known = value or "(no reason given)"
            elif name in SCALARS:
                scal[name] = value
            else:
                checks.append((name, value, block))
    return scal, env, args, checks, known


def split_lines(text, raw=False):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # Trailing blanks are invisible in .expect files and editors strip them.
    return lines if raw else [l.rstrip() for l in lines]


def rx_match(pattern, line):
    """A regex matches a line with or without its trailing blanks."""
    r = pattern if hasattr(pattern, "fullmatch") else re.compile(pattern)
    return r.fullmatch(line) is not None or r.fullmatch(line.rstrip()) is not None


def groups(block):
    gs, cur = [], []
    for l in block:
        if l is None:
            gs.append(cur)
            cur = []
        else:
            cur.append(l.rstrip())
    gs.append(cur)
    return gs


def match_unordered(patterns, lines):
    """Assigns each line a distinct pattern that fully matches it (bipartite
    matching by augmenting paths); returns the unmatched lines."""
    regs = [re.compile(p) for p in patterns]
    owner = [None] * len(regs)

    def try_line(i, seen):
        for j, r in enumerate(regs):
            if j in seen or not rx_match(r, lines[i]):
                continue
            seen.add(j)
            if owner[j] is None or try_line(owner[j], seen):
                owner[j] = i
                return True
        return False

    return [lines[i] for i in range(len(lines)) if not try_line(i, set())]


def check_block(kind, value, block, text):
    """Returns None if `text` satisfies the block, else an explanation."""
    got = split_lines(text, raw=kind in ("-regex", "-regex-sorted"))
    if kind == "-fullmatch":
        rx = "\n".join(l for l in block if l is not None)
        if re.fullmatch(rx, text.rstrip("\n")) is None:
            return f"output does not fully match the regex:\n{rx}"
        return None
    if kind == "-filter":
        sel = re.compile(value)
        got = [l for l in got if sel.search(l)]
        want = [l.rstrip() for l in block if l is not None]
        if got != want:
            return f"lines matching /{value}/ differ:\n" + diff(want, got)
        return None
    if kind == "-tokens-sorted":
        want = sorted(" ".join(l for l in block if l is not None).split())
        have = sorted(text.split())
        if want != have:
            return f"tokens differ (order ignored):\n  want {want}\n  got  {have}"
        return None
    gs = groups(block)
    if kind in ("", "-regex"):
        want = [l for g in gs for l in g]
        if kind == "":
            return None if got == want else "lines differ:\n" + diff(want, got)
        if len(got) == len(want) and all(rx_match(p, l) for p, l in zip(want, got)):
            return None
        return "lines do not match the regexes:\n" + diff(want, got)
    # -sorted / -regex-sorted: consecutive groups, each order-insensitive.
    pos = 0
    for gi, g in enumerate(gs):
        part = got[pos:pos + len(g)]
        pos += len(g)
        if kind == "-sorted":
            bad = sorted(part) != sorted(g)
        else:
            bad = len(part) != len(g) or match_unordered(g, part)
        if bad:
            return (f"group {gi + 1} differs (order ignored within it):\n"
                    + diff(sorted(g), sorted(part)))
    if pos != len(got):
        return "extra lines after the expected ones:\n" + "\n".join("  + " + l for l in got[pos:])
    return None


def diff(want, got):
    out = []
    n = max(len(want), len(got))
    for i in range(n):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        mark = "  " if w == g else "! "
        out.append(f"{mark}{i + 1:3}: want {w!r}\n{mark}     got  {g!r}")
    return "\n".join(out)


def check_line(kind, value, text):
    if kind == "-contains" and value not in text:
        return f"does not contain {value!r}"
    if kind == "-not-contains" and value in text:
        return f"contains {value!r}"
    if kind == "-search" and re.search(value, text, re.M) is None:
        return f"no match for /{value}/"
    return None


def run(exe, scal, env, args, timeout):
    full_env = dict(os.environ)
    full_env.update(env)
    stdin = scal.get("stdin", "").encode().decode("unicode_escape").encode()
    proc = subprocess.Popen([exe] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=full_env, start_new_session=True)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        return proc.returncode, out, err, False
    except subprocess.TimeoutExpired:
        # SIGQUIT first: the runtime dumps its goroutines, which says where it hung.
        try:
            os.killpg(proc.pid, signal.SIGQUIT)
            out, err = proc.communicate(timeout=3)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        return proc.returncode, out, err, True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--build", choices=BUILDS, required=True)
    ap.add_argument("--parse-only", action="store_true",
                    help="only validate the .expect file")
    a = ap.parse_args()

    try:
        entries = parse(a.expect)
        scal, env, args, checks, known = effective(entries, a.build)
        timeout = float(scal["timeout"])
        exits = [int(x) for x in scal["exit"].split("|")] if scal["exit"] != "any" else None
    except (ExpectError, ValueError, OSError) as e:
        print(f"bad expectation: {e}")
        return 1
    if a.parse_only:
        return 0

    status, out_b, err_b, timed_out = run(a.exe, scal, env, args, timeout)
    out = out_b.decode("utf-8", "replace")
    err = err_b.decode("utf-8", "replace")

    failures = []
    if timed_out:
        failures.append(f"timed out after {timeout:g} s")
    elif exits is not None and status not in exits:
        failures.append(f"exit status {status}, want {scal['exit']}")
    for name, value, block in checks:
        stream, kind = name[:6], name[6:]
        text = out if stream == "stdout" else err
        msg = (check_line(kind, value, text) if kind in LINE_KINDS
               else check_block(kind, value, block, text))
        if msg:
            failures.append(f"{name}{': ' + value if value else ''}: {msg}")

    if not failures:
        if known:
            print(f"note: passes although marked known-failure ({known}); "
                  "remove the directive once the fix is in")
        return 0
    print(f"FAIL {a.exe} ({a.build} build, {a.expect})")
    for f in failures:
        print("- " + f)
    print(f"--- exit status: {status}")
    print("--- stdout:\n" + out[-6000:])
    print("--- stderr:\n" + err[-6000:])
    if known:
        print(f"KNOWN FAILURE: {known}")
        return SKIP
    return 1


if __name__ == "__main__":
    sys.exit(main())
