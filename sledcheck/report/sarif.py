"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): standard library only.

GitHub rejects a whole upload when one result has no location, so every result gets one (the design file,
line 1, when the finding has none); URIs are repository-relative POSIX paths and ``startLine`` is >= 1.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from ..checks.engine import Finding, Rule
from ..checks.registry import all_rules
from ..units import as_json
from ..version import __version__
from .model import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The project's home page for ``tool.driver.informationUri``; omitted while the project has none.
INFORMATION_URI: str | None = None
#: SARIF has no "info": its lowest level is "note".
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
#: Our ``Finding.baseline`` values -> SARIF ``baselineState``.
BASELINE_STATES = {"new": "new", "existing": "unchanged"}
FINGERPRINT_KEY = "sledcheck/v1"
#: uriBaseId of sledcheck's own data files (built-in spec packs), which are not in the user's repository.
BUILTIN_BASE = "SLEDCHECK_DATA"


def repo_path(file: str) -> str:
    """``file`` as a POSIX path relative to the working directory (the repository root in CI).

    Absolute paths under the working directory become relative; ``./`` is dropped. An absolute path outside
    it stays absolute (nothing better is known).
    """
    path = PurePath(file)
    if path.is_absolute():
        for candidate, base in ((Path(path), Path.cwd()), (Path(path).resolve(), Path.cwd().resolve())):
            try:
                return candidate.relative_to(base).as_posix()
            except ValueError:
                continue
    return path.as_posix()


def artifact_uri(file: str) -> str:
    """A URI reference for ``file``: a percent-encoded relative path, or ``file://`` when it must be absolute."""
    path = repo_path(file)
    if PurePath(path).is_absolute():
        return Path(path).as_uri()
    # ':' stays encoded so the first segment never reads as a URI scheme.
    return quote(path, safe="/!$&'()*+,;=@")


def fingerprint(finding: Finding) -> str:
    """A hash of (code, sorted subjects): the identity waivers and baselines use, stable across line moves."""
    code, subjects = finding.key
    return hashlib.sha256("\0".join((code, *subjects)).encode("utf-8")).hexdigest()[:32]


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule.fix},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _rules(report: Report) -> list[Rule | Finding]:
    """The rule of each code in the results (and of each crashed rule), sorted by code: the rule that ran, else
    the registry's, else the finding itself (its code and name are all that is known)."""
    known: dict[str, Rule] = {r.code: r for r in all_rules()}
    known.update({r.code: r for r in report.rules_run})
    first: dict[str, Rule | Finding] = {f.code: f for f in reversed(report.findings)}
    crashed = {f.data.get("rule") for f in report.findings if f.code == "X001"}
    first.update({code: known[code] for code in crashed if code in known})
    return [known.get(code, first[code]) for code in sorted(first)]


def _result(finding: Finding, report: Report, index: int, occurrence: int) -> dict[str, Any]:
    location = finding.location
    file, line = (location.file, location.line) if location else (report.design, 1)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(file)},
            "region": {"startLine": max(1, int(line))},
        }}],
        # GitHub's own fingerprints end in ":<occurrence>" so repeats of one key stay distinct alerts.
        "partialFingerprints": {FINGERPRINT_KEY: f"{fingerprint(finding)}:{occurrence}"},
        "properties": {
            "subjects": list(finding.subjects),
            "measured": as_json(finding.measured) if finding.measured is not None else None,
            "limit": as_json(finding.limit) if finding.limit is not None else None,
        },
    }
    if finding.related:   # the spec pack's own line behind a spec-derived finding
        result["relatedLocations"] = [{"id": i, "physicalLocation": {
            "artifactLocation": {"uri": quote(r.file, safe="/"), "uriBaseId": BUILTIN_BASE} if r.builtin
            else {"uri": artifact_uri(r.file)}, "region": {"startLine": max(1, int(r.line))}}}
            for i, r in enumerate(finding.related)]
    if finding.waived:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": finding.waiver_reason or "waived"}]
    if finding.baseline in BASELINE_STATES:
        result["baselineState"] = BASELINE_STATES[finding.baseline]
    return result


def sarif_dict(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict (one run)."""
    rules = _rules(report)
    index = {r.code: i for i, r in enumerate(rules)}
    seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
    results = []
    for finding in report.findings:
        seen[finding.key] += 1
        results.append(_result(finding, report, index[finding.code], seen[finding.key]))
    driver: dict[str, Any] = {"name": "sledcheck", "version": __version__, "semanticVersion": __version__}
    if INFORMATION_URI:
        driver["informationUri"] = INFORMATION_URI
    driver["rules"] = [_descriptor(r) if isinstance(r, Rule) else {"id": r.code, "name": r.name} for r in rules]
    invocation: dict[str, Any] = {"executionSuccessful": not report.incomplete}
    crashes = [f for f in report.findings if f.code == "X001"]
    if crashes:  # a crashed rule is also a tool-execution problem, which SARIF reports here
        invocation["toolExecutionNotifications"] = [{
            "level": "error", "message": {"text": f.message}, "descriptor": {"id": f.code},
            **({"associatedRule": {"id": f.data["rule"], "index": index[f.data["rule"]]}}
               if f.data.get("rule") in index else {}),
        } for f in crashes]
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if any(r.builtin for f in report.findings for r in f.related):
        run["originalUriBaseIds"] = {BUILTIN_BASE: {"description": {
            "text": "sledcheck's built-in data (spec packs): `sledcheck specs NAME` shows a pack and its file"}}}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            **run,
            "invocations": [invocation],
            "results": results,
            "properties": {"design": report.design, "name": report.name, "verdict": report.verdict,
                           "failOn": report.fail_on},
        }],
    }


def render_sarif(report: Report) -> str:
    """The report as a SARIF 2.1.0 log (deterministic JSON)."""
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
