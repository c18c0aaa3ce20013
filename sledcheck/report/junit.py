"""JUnit XML for CI test tabs (Jenkins, GitLab, Azure DevOps, test-reporter actions): standard library only.

One ``<testsuite>`` per rule that ran (then one per code seen only in findings, such as S001 or X001), one
``<testcase>`` per finding. A finding that fails the run is a ``<failure>``; a waived one is ``<skipped>``; one
that does not fail the run (below --fail-on, or in the baseline) passes with its text in ``<system-out>``. A
rule without findings gets one passing test case, so passing checks are visible too. A crashed rule (X001) is
an ``<error>``, and the rule it stopped is ``<skipped>``: its checks did not run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

from ..checks.engine import Finding
from .model import Report
from .sarif import repo_path

#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _details(finding: Finding) -> str:
    """The finding as plain text: the same content as the text report's block."""
    state = "waived" if finding.waived else finding.severity
    if finding.baseline == "existing" and not finding.waived:
        state += ", in baseline"
    lines = [f"{finding.code} {finding.name} [{state}]" + (f": {', '.join(finding.subjects)}" if finding.subjects
                                                          else ""), finding.message]
    if finding.measured is not None:
        lines.append(f"measured {finding.measured:.4g~P}" + (f", limit {finding.limit:.4g~P}"
                                                            if finding.limit is not None else ""))
    elif finding.limit is not None:
        lines.append(f"limit {finding.limit:.4g~P}")
    if finding.waived:
        lines.append(f"waived: {finding.waiver_reason or '(no reason given)'}")
    if finding.location:
        lines.append(f"at {repo_path(finding.location.file)}:{finding.location.line}")
    return _clean("\n".join(lines))


def render_junit(report: Report) -> str:
    """The report as JUnit XML (deterministic: no timestamps, times are 0)."""
    by_code: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_code.setdefault(finding.code, []).append(finding)
    names = {r.code: r.name for r in report.rules_run} | {f.code: f.name for f in report.findings}
    crashed = {f.data.get("rule") for f in by_code.get("X001", ())}
    codes = [r.code for r in report.rules_run]
    codes += sorted(c for c in by_code if c not in codes)

    root = ET.Element("testsuites", name=_clean(f"sledcheck {report.name}"))
    totals: Counter[str] = Counter()
    for code in codes:
        classname = _clean(f"sledcheck.{report.name}.{code}")
        suite = ET.SubElement(root, "testsuite", name=_clean(f"{code} {names[code]}"))
        counts: Counter[str] = Counter()
        used: Counter[str] = Counter()
        for finding in by_code.get(code, ()):
            name = f"{code} {finding.name}: {', '.join(finding.subjects) or 'design'}"
            used[name] += 1
            if used[name] > 1:  # the same rule and subjects twice (e.g. two envelope axes): keep names unique
                name += f" #{used[name]}"
            case = ET.SubElement(suite, "testcase", name=_clean(name), classname=classname, time="0")
            counts["tests"] += 1
            text = _details(finding)
            if finding.waived:
                ET.SubElement(case, "skipped", message=_clean(f"waived: {finding.waiver_reason or ''}".rstrip()))
                counts["skipped"] += 1
            elif finding.code == "X001":
                ET.SubElement(case, "error", message=_clean(finding.message), type="rule-crashed").text = text
                counts["errors"] += 1
                continue
            elif report.fails(finding):
                ET.SubElement(case, "failure", message=_clean(finding.message), type=finding.severity).text = text
                counts["failures"] += 1
                continue
            ET.SubElement(case, "system-out").text = text
        if code not in by_code:
            case = ET.SubElement(suite, "testcase", name=_clean(f"{code} {names[code]}: all parts"),
                                 classname=classname, time="0")
            counts["tests"] += 1
            if code in crashed:
                ET.SubElement(case, "skipped", message="the rule crashed (see X001), so its checks did not run")
                counts["skipped"] += 1
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
        suite.set("time", "0")
        totals.update(counts)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
