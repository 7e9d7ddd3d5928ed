#!/usr/bin/env python3
"""Checks run_corpus.py itself: each expectation below is run against a tiny
shell program; the ones marked PASS must pass, the ones marked FAIL must fail,
so a checker that silently accepts everything is caught."""

import os
import shlex
import subprocess
import sys
import tempfile

RUNNER = sys.argv[1]

# (want status, shell script, expectation text)
CASES = [
    (0, "echo a; echo b", "stdout:\n| a\n| b\n"),
    (1, "echo a; echo b", "stdout:\n| b\n| a\n"),
    (1, "echo a", "stdout:\n| a\n| b\n"),
    (0, "echo 'x  '", "stdout:\n| x\n"),  # trailing blanks ignored
    (0, "echo b; echo a; echo end", "stdout-sorted:\n| a\n| b\n---\n| end\n"),
    (1, "echo end; echo b; echo a", "stdout-sorted:\n| a\n| b\n---\n| end\n"),
    (1, "echo a; echo a; echo end", "stdout-sorted:\n| a\n| b\n---\n| end\n"),
    (0, "echo n=12", "stdout-regex:\n| n=\\d+\n"),
    (0, "printf 'a b \\n'", "stdout-regex:\n| (\\w ){2}\n"),
    (1, "echo n=x", "stdout-regex:\n| n=\\d+\n"),
    (0, "echo y1; echo x2", "stdout-regex-sorted:\n| x\\d\n| y\\d\n"),
    (1, "echo x1; echo x2", "stdout-regex-sorted:\n| x\\d\n| y\\d\n"),
    (0, "echo 'Sending 0'; echo 'Got 0'; echo 'Sending 1'",
     "stdout-filter: ^Sending\n| Sending 0\n| Sending 1\n"),
    (1, "echo 'Sending 1'; echo 'Sending 0'",
     "stdout-filter: ^Sending\n| Sending 0\n| Sending 1\n"),
    (0, "printf '3 1 2 '", "stdout-tokens-sorted:\n| 1 2 3\n"),
    (1, "printf '3 1 1 '", "stdout-tokens-sorted:\n| 1 2 3\n"),
    (0, "echo 7; echo 7", "stdout-fullmatch:\n| (\\d)\\n\\1\n"),
    (1, "echo 7; echo 8", "stdout-fullmatch:\n| (\\d)\\n\\1\n"),
    (0, "echo oops >&2; exit 2", "exit: 2\nstderr-contains: oops\n"),
    (1, "echo oops >&2; exit 2", "exit: 0\n"),
    (1, "echo oops >&2", "stderr-not-contains: oops\n"),
    (0, "exit 3", "exit: 0|3\n"),
    (0, "echo \"$K\"", "env: K=v w\nstdout:\n| v w\n"),
    (0, "echo \"$K\"", "[race]\nenv: K=r\n[all]\nstdout:\n| \n"),
    (1, "echo r", "race: stdout:\n| r\nnormal: stdout:\n| n\n"),
    (1, "sleep 5", "timeout: 0.5\n"),
    (77, "exit 1", "known-failure: demo\n"),
    (0, "exit 0", "known-failure: demo\n"),
    (1, "exit 0", "bogus-directive: 1\n"),
]


def main():
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        for i, (want, script, text) in enumerate(CASES):
            path = os.path.join(d, f"case{i}.expect")
            with open(path, "w") as f:
                f.write("args: -c " + shlex.quote(script) + "\n" + text)
            r = subprocess.run([sys.executable, RUNNER, "--exe", "/bin/sh", "--expect", path,
                                "--build", "normal"], capture_output=True, text=True)
            if r.returncode != want:
                bad += 1
                print(f"case {i}: status {r.returncode}, want {want}\n{text}\n{r.stdout}")
    print(f"{len(CASES) - bad}/{len(CASES)} runner self-checks passed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
