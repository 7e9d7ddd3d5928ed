#!/usr/bin/env python3
"""check_junit.py FILE NAME=F/E...: parses JUnit XML, checks that the
counters agree with the elements, and that testcase NAME has F failure and E
error elements."""
import sys
import xml.etree.ElementTree as ET

def fail(msg):
    print("JUnit check failed: " + msg, file=sys.stderr)
    sys.exit(1)

root = ET.parse(sys.argv[1]).getroot()
if root.tag != "testsuites":
    fail("root is not <testsuites>")
suites = root.findall("testsuite")
if len(suites) != 1:
    fail("expected one <testsuite>")
cases = suites[0].findall("testcase")
for el in (root, suites[0]):
    if int(el.get("tests")) != len(cases):
        fail(f"<{el.tag}> tests={el.get('tests')} but {len(cases)} testcases")
    nf = sum(1 for c in cases if c.find("failure") is not None)
    ne = sum(1 for c in cases if c.find("error") is not None)
    if int(el.get("failures")) != nf or int(el.get("errors")) != ne:
        fail(f"<{el.tag}> failures/errors {el.get('failures')}/{el.get('errors')}, counted {nf}/{ne}")
byname = {c.get("name"): c for c in cases}
for exp in sys.argv[2:]:
    name, fe = exp.split("=")
    f, e = map(int, fe.split("/"))
    c = byname.get(name)
    if c is None:
        fail(f"no testcase {name} (have {sorted(byname)})")
    for el in c.findall("failure") + c.findall("error"):
        if not el.get("message") or not el.get("type"):
            fail(f"{name}: failure/error without message or type")
    got = (len(c.findall("failure")), len(c.findall("error")))
    if got != (f, e):
        fail(f"{name}: {got[0]} failures / {got[1]} errors, expected {f}/{e}")
print("JUnit ok:", {n: (len(c.findall('failure')), len(c.findall('error'))) for n, c in byname.items()})
