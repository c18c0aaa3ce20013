"""GitHub Actions workflow commands: one annotation per finding, then the full text report.

GitHub shows at most 10 error annotations per step (and 50 in all), so the text report always follows: nothing
is lost past the limit. Waived findings and findings already in the baseline become notices.
"""

from __future__ import annotations

import hashlib

from ..checks.engine import Finding
from .model import Report
from .sarif import repo_path
from .text import render_text

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (file, title): also ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, report: Report) -> str:
    """The ``::error file=...,line=...,title=...::message`` line of one finding."""
    command = COMMANDS[finding.severity]
    message = finding.message
    if finding.waived:
        command, message = "notice", f"{message} (waived: {finding.waiver_reason or 'no reason given'})"
    elif finding.baseline == "existing":
        command, message = "notice", f"{message} (in the baseline)"
    file, line = (finding.location.file, finding.location.line) if finding.location else (report.design, 1)
    props = (f"file={escape_property(repo_path(file))},line={max(1, int(line))},"
             f"title={escape_property(f'{finding.code} {finding.name}')}")
    return f"::{command} {props}::{escape_data(message)}"


def _protect(text: str) -> str:
    """Stop the runner from reading report lines as commands when one looks like a command (e.g. a part name
    or waiver reason starting with '::'); the token is a hash of the text, so output stays deterministic."""
    if not any(line.lstrip().startswith("::") for line in text.splitlines()):
        return text
    token = "sledcheck-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"::stop-commands::{token}\n{text}::{token}::\n"


def render_github(report: Report) -> str:
    """Annotations for every finding, followed by the full text report."""
    lines = [annotation(f, report) for f in report.findings]
    return "".join(line + "\n" for line in lines) + _protect(render_text(report))
