#!/usr/bin/env python3
"""Lists every skipped test of the last build, with its reason, from the surefire and failsafe reports.

Reads <module>/target/{surefire,failsafe}-reports/TEST-*.xml under the given root (default: the
current folder). A test skipped by an assumption, @Disabled or a class-level assumption appears as
a testcase with a <skipped message="..."/> child; each is printed as module, class, method and reason.
Exits 0 whatever it finds: the summary informs, the build's own status decides.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def reason_of(mark):
    """The skip's message without the exception's class name and stack trace that surefire adds to it."""
    text = (mark.get("message") or mark.text or "").strip()
    first = re.split(r"\s+at [\w$.]+\(", text, maxsplit=1)[0]
    first = re.sub(r"^[\w$.]+(Exception|Error): ", "", first.strip())
    return " ".join(first.split()) or "no reason given"


def skipped(root):
    """(module, class, method, reason) of every skipped testcase, and the number of reports and tests read."""
    found, reports, tests = [], 0, 0
    pattern = os.path.join(root, "**", "target", "*-reports", "TEST-*.xml")
    for path in sorted(glob.glob(pattern, recursive=True)):
        kind = os.path.basename(os.path.dirname(path))
        if kind not in ("surefire-reports", "failsafe-reports"):
            continue
        module = os.path.relpath(path, root).split(os.sep)[0]
        try:
            suite = ET.parse(path).getroot()
        except ET.ParseError as e:
            found.append((module, os.path.basename(path), "-", f"report unreadable: {e}"))
            continue
        reports += 1
        for case in suite.iter("testcase"):
            tests += 1
            mark = case.find("skipped")
            if mark is not None:
                found.append((module, case.get("classname") or suite.get("name"), case.get("name") or "-", reason_of(mark)))
    return found, reports, tests


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    found, reports, tests = skipped(root)
    print(f"Skipped tests: {len(found)} of {tests} in {reports} reports")
    for module, cls, method, reason in found:
        print(f"  {module}: {cls}.{method}: {reason}")


if __name__ == "__main__":
    main()
