#!/usr/bin/env python3
"""Counts every test case of a run and prints the closing line CI reads.

Inputs: meson's JUnit log (one <testcase> per GoogleTest case, since the
tests use protocol 'gtest'), and summaries of lines 'PASS name',
'FAIL name: reason', 'SKIP name: reason' (the VM suite's summary.txt, the
fuzzers' fuzz-summary.txt, WLCS's wlcs-summary.txt with one line per WLCS
test), each given as KIND=PATH. Prints each failure by name, each skip by
name or, for many with one reason, as one line with their count; then
'N passed, N failed, N skipped'. Exit status 1 when
anything failed or when no test ran at all.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def junit_results(path):
    passed, failed, skipped = [], [], []
    root = ET.parse(path).getroot()
    for suite in root.iter("testsuite"):
        suite_name = suite.get("name", "")
        cases = list(suite.iter("testcase"))
        if not cases:
            continue
        for case in cases:
            name = f"{suite_name}.{case.get('name')}"
            if case.find("failure") is not None or case.find("error") is not None:
                failed.append(name)
            elif case.find("skipped") is not None or case.get("status") == "notrun":
                skipped.append(name)
            else:
                passed.append(name)
    # A meson test that crashed before gtest wrote its cases shows up as a
    # suite-level failure without cases: count it too.
    for suite in root.iter("testsuite"):
        if not list(suite.iter("testcase")) and int(suite.get("failures", "0")) + int(suite.get("errors", "0")) > 0:
            failed.append(suite.get("name", "?") + " (crashed)")
    return passed, failed, skipped


def line_results(path, kind):
    """A summary of 'PASS name' / 'FAIL name: reason' / 'SKIP name: reason'
    lines (the VM suite's, the fuzzers')."""
    passed, failed, skipped = [], [], []
    for line in Path(path).read_text().splitlines():
        word, _, rest = line.partition(" ")
        if word == "PASS":
            passed.append(f"{kind}.{rest}")
        elif word == "FAIL":
            failed.append(f"{kind}.{rest}")
        elif word == "SKIP":
            skipped.append(f"{kind}.{rest}")
    return passed, failed, skipped


def grouped_skips(skipped, at_least=5):
    """Skips as printed: by name, except that many of one kind with the same
    reason (WLCS skips every test of a protocol planar does not offer) are
    one line with their count."""
    groups = {}
    for entry in skipped:
        kind_name, _, reason = entry.partition(": ")
        kind = kind_name.partition(".")[0]
        groups.setdefault((kind, reason), []).append(entry)
    lines = []
    for (kind, reason), entries in groups.items():
        if reason and len(entries) >= at_least:
            lines.append(f"{kind}: {len(entries)} tests: {reason}")
        else:
            lines.extend(entries)
    return lines


def main(argv):
    passed, failed, skipped = [], [], []
    for arg in argv[1:]:
        kind, _, path = arg.partition("=")
        if not Path(path).exists():
            failed.append(f"{kind}: no results at {path}")
            continue
        p, f, s = junit_results(path) if kind == "junit" else line_results(path, kind)
        passed += p
        failed += f
        skipped += s
    for line in grouped_skips(skipped):
        print(f"SKIPPED {line}")
    for name in failed:
        print(f"FAILED  {name}")
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
