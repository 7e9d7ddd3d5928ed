#!/usr/bin/env python3
"""check_sarif.py FILE [EXPECT...]: checks a SARIF log against the required
fields and value constraints of the SARIF 2.1.0 schema for the objects tangle
writes (sarifLog, run, tool, toolComponent, reportingDescriptor, result,
location, physicalLocation, artifactLocation, region, stack, stackFrame,
invocation, notification), then expectations: KIND=N (results per rule id).
Exits 1 with the first violation."""
import json, sys

def fail(msg):
    print("SARIF check failed: " + msg, file=sys.stderr)
    sys.exit(1)

def need(obj, key, types, where):
    if not isinstance(obj, dict) or key not in obj:
        fail(f"{where}: required '{key}' missing")
    if not isinstance(obj[key], types):
        fail(f"{where}.{key}: wrong type {type(obj[key]).__name__}")
    return obj[key]

def message(m, where):
    if not isinstance(m, dict) or not ("text" in m or "id" in m):
        fail(f"{where}: a message needs text or id")
    if "text" in m and not isinstance(m["text"], str):
        fail(f"{where}.text: not a string")

def location(loc, where, bases):
    if not isinstance(loc, dict):
        fail(f"{where}: not an object")
    if "id" in loc and (not isinstance(loc["id"], int) or loc["id"] < -1):
        fail(f"{where}.id: not an integer >= -1")
    if "message" in loc:
        message(loc["message"], where + ".message")
    pl = loc.get("physicalLocation")
    if pl is not None:
        art = need(pl, "artifactLocation", dict, where + ".physicalLocation")
        uri = need(art, "uri", str, where + ".artifactLocation")
        if not uri:
            fail(f"{where}: empty uri")
        if "uriBaseId" in art:
            if art["uriBaseId"] not in bases:
                fail(f"{where}: uriBaseId {art['uriBaseId']} not in originalUriBaseIds")
            if uri.startswith("/") or "://" in uri:
                fail(f"{where}: uri {uri} with a uriBaseId must be relative")
        elif "://" not in uri:
            fail(f"{where}: relative uri {uri} without uriBaseId")
        if "region" in pl:
            line = need(pl["region"], "startLine", int, where + ".region")
            if line < 1:
                fail(f"{where}.region.startLine < 1")
    for ll in loc.get("logicalLocations", []):
        if not isinstance(ll.get("name", ""), str):
            fail(f"{where}.logicalLocations: name not a string")

def main():
    log = json.load(open(sys.argv[1]))
    if need(log, "version", str, "sarifLog") != "2.1.0":
        fail("version is not 2.1.0")
    runs = need(log, "runs", list, "sarifLog")
    if len(runs) != 1:
        fail("expected one run")
    run = runs[0]
    driver = need(need(run, "tool", dict, "run"), "driver", dict, "tool")
    need(driver, "name", str, "driver")
    rules = driver.get("rules", [])
    ids = [need(r, "id", str, "rule") for r in rules]
    if len(set(ids)) != len(ids):
        fail("duplicate rule ids")
    for r in rules:
        for k in ("shortDescription", "fullDescription"):
            if k in r:
                message(r[k], f"rule {r['id']}.{k}")
        lvl = r.get("defaultConfiguration", {}).get("level", "warning")
        if lvl not in ("none", "note", "warning", "error"):
            fail(f"rule {r['id']}: bad level {lvl}")
    bases = run.get("originalUriBaseIds", {})
    counts = {}
    fps = set()
    for i, res in enumerate(need(run, "results", list, "run")):
        w = f"results[{i}]"
        message(need(res, "message", dict, w), w + ".message")
        rid = res.get("ruleId")
        if rid not in ids:
            fail(f"{w}: ruleId {rid} is not a rule")
        if "ruleIndex" in res and ids[res["ruleIndex"]] != rid:
            fail(f"{w}: ruleIndex does not point at {rid}")
        if res.get("level", "warning") not in ("none", "note", "warning", "error"):
            fail(f"{w}: bad level")
        locs = res.get("locations", [])
        if not locs or "physicalLocation" not in locs[0]:
            fail(f"{w}: no physical location")
        for j, loc in enumerate(locs):
            location(loc, f"{w}.locations[{j}]", bases)
        rel_ids = set()
        for j, loc in enumerate(res.get("relatedLocations", [])):
            location(loc, f"{w}.relatedLocations[{j}]", bases)
            if "message" not in loc:
                fail(f"{w}.relatedLocations[{j}]: no message")
            if loc.get("id") in rel_ids:
                fail(f"{w}: duplicate related location id")
            rel_ids.add(loc.get("id"))
        for j, st in enumerate(res.get("stacks", [])):
            for k, fr in enumerate(need(st, "frames", list, f"{w}.stacks[{j}]")):
                if "location" in fr:
                    location(fr["location"], f"{w}.stacks[{j}].frames[{k}]", bases)
        pf = need(res, "partialFingerprints", dict, w)
        if not pf or not all(isinstance(v, str) and v for v in pf.values()):
            fail(f"{w}: partialFingerprints must map to non-empty strings")
        fp = tuple(sorted(pf.items()))
        if fp in fps:
            fail(f"{w}: same fingerprint as an earlier result (not de-duplicated?)")
        fps.add(fp)
        counts[rid] = counts.get(rid, 0) + 1
    for j, inv in enumerate(run.get("invocations", [])):
        need(inv, "executionSuccessful", bool, f"invocations[{j}]")
        for k, n in enumerate(inv.get("toolExecutionNotifications", [])):
            message(need(n, "message", dict, f"notification {k}"), f"notification {k}")
    for exp in sys.argv[2:]:
        kind, n = exp.split("=")
        if counts.get(kind, 0) != int(n):
            fail(f"expected {n} {kind} results, got {counts.get(kind, 0)}")
    print("SARIF ok:", counts)

main()
