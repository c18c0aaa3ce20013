"""Repeated findings as one entry in the reports people read (issue 10 item 6): the grouping rule
(sledcheck.report.groups), the text, Markdown and HTML renderings of a group, and what must never merge.

Every expected value is computed from the findings the tests build, not copied from output.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import sledcheck
from sledcheck.checks.engine import Finding, Location
from sledcheck.checks.evidence import GapEvidence
from sledcheck.report.groups import BAND, FindingGroup, group_findings
from sledcheck.report.html import render_html
from sledcheck.report.json_format import render_json
from sledcheck.report.markdown import COLUMNS, render_markdown
from sledcheck.report.model import PartSummary, Report
from sledcheck.report.sarif import render_sarif
from sledcheck.report.text import render_text
from sledcheck.units import Q_

ROOT = Path(__file__).resolve().parents[1]
DESIGN = "examples/sled/design.yaml"
NEED = 0.5
#: Eight screws 0.080 to 0.085 mm from the board (need 0.5 mm): one problem, eight parts.
GAPS = tuple(0.080 + 0.005 * i / 7 for i in range(8))


def _screw(i: int, gap: float, need: float = NEED, **changes: Any) -> Finding:
    """A D201 finding worded as the clearance rule words it, for screw<i> at its own position and line."""
    x = 20.0 + 15.0 * i
    finding = Finding(
        code="D201", name="clearance", severity="error",
        message=f"screw{i} and board are {gap:.3f} mm apart, need {need:.3g} mm, short by {need - gap:.3f} mm; "
                f"closest points ({x:.2f}, 40.00, 7.60) on screw{i} and ({x:.2f}, 40.00, {7.6 - gap:.2f}) on board",
        subjects=(f"screw{i}", "board"), measured=Q_(gap, "mm"), limit=Q_(need, "mm"),
        location=Location(DESIGN, 10 + i),
        evidence=GapEvidence(gap_mm=gap, required_mm=need, points_mm=((x, 40.0, 7.6), (x, 40.0, 7.6 - gap))))
    return replace(finding, **changes)


def _part(name: str, role: str) -> PartSummary:
    return PartSummary(name=name, role=role, file=f"cad/{name}.stl", units="mm", units_source="design",
                       triangles=12, bodies=1, watertight=True, bounds=((0.0, 0.0, 0.0), (10.0, 10.0, 10.0)))


def _report(*findings: Finding) -> Report:
    names = sorted({s for f in findings for s in f.subjects})
    return Report(design=DESIGN, name="sled", specs=(), findings=tuple(findings),
                  parts=tuple(_part(n, "board" if n == "board" else "screw") for n in names), rules_run=(),
                  incomplete=False, fail_on="error")


def _open_mesh(name: str, edges: int = 12) -> Finding:
    return Finding(code="M001", name="open-mesh", severity="warning",
                   message=f"{name} (cad/{name}.stl) is not a closed volume after merging vertices: {edges} "
                           "boundary edges in 1 of 1 shells",
                   subjects=(name,), location=Location(DESIGN, 50))


def _sizes(report: Report) -> list[int]:
    return [g.count for g in group_findings(report)]


# --- the rule -----------------------------------------------------------------------------------------------


def test_eight_screws_with_close_gaps_are_one_group() -> None:
    screws = [_screw(i, g) for i, g in enumerate(GAPS)]
    groups = group_findings(_report(*screws))
    assert len(groups) == 1
    group = groups[0]
    assert group.count == len(GAPS) and group.findings == tuple(screws)
    assert group.count_label == f"{len(GAPS)} pairs"
    assert group.measured() == f"{min(GAPS):.4g}-{max(GAPS):.4g} mm"
    assert group.subjects() == ", ".join(f"screw{i} - board" for i in range(3)) + f" and {len(GAPS) - 3} more"
    lines = ", ".join(str(10 + i) for i in range(len(GAPS)))
    assert group.where(lambda location: location.file) == [f"{DESIGN}:{lines}"]


def test_identical_values_group_and_show_one_value() -> None:
    group = group_findings(_report(*(_screw(i, 0.08) for i in range(3))))[0]
    assert group.count == 3 and group.measured() == f"{Q_(0.08, 'mm'):.4g~P}"
    assert group.subjects() == "screw0 - board, screw1 - board, screw2 - board"   # no "and 1 more"


@pytest.mark.parametrize(("a", "b", "together"), [
    (0.08, 0.5, False),                          # materially different gaps
    (0.08, 0.08 * (1 + BAND), True),             # at the edge of the band
    (0.08, 0.08 * (1 + BAND) + 1e-4, False),     # just beyond it
    (0.0, 0.01, False),                          # touching is not 0.01 mm apart
    (0.0, 0.0, True),
])
def test_measured_values_group_only_within_the_band(a: float, b: float, together: bool) -> None:
    sizes = _sizes(_report(_screw(0, a), _screw(1, b)))
    assert sizes == ([2] if together else [1, 1])
    if together and a != b:
        assert group_findings(_report(_screw(0, a), _screw(1, b)))[0].measured() == f"{a:.4g}-{b:.4g} mm"


@pytest.mark.parametrize("change", [
    {"code": "D202"},                                           # another rule
    {"severity": "warning"},                                    # another severity
    {"waived": True, "waiver_reason": "relief pocket"},         # waived beside unwaived
    {"baseline": "existing"},                                   # in the baseline beside a new one
    {"limit": Q_(0.6, "mm")},                                   # another requirement
    {"measured": Q_(0.0805, "inch")},                           # another unit
])
def test_code_severity_state_and_limit_never_mix(change: dict[str, Any]) -> None:
    first = _screw(0, GAPS[0], baseline="new" if "baseline" in change else None)
    other = _screw(1, GAPS[1], **change)
    assert _sizes(_report(first, other)) == [1, 1]
    assert _sizes(_report(first, replace(other, **{k: getattr(first, k) for k in change}))) == [2]


def test_waived_findings_group_only_with_the_same_reason() -> None:
    pocket = [_screw(i, GAPS[i], waived=True, waiver_reason="relief pocket") for i in range(3)]
    other = _screw(3, GAPS[3], waived=True, waiver_reason="shim")
    assert _sizes(_report(*pocket, other)) == [3, 1]


def test_messages_must_say_the_same_thing() -> None:
    zone = [Finding(code="D301", name="keep-out", severity="error", subjects=(f"dimm{i}",),
                    message=f"dimm{i} (dimm) intrudes 1.00 mm (horizontal) into keep-out zone '{z}'; the intruding "
                            f"region spans x {10 * i:.1f}-{10 * i + 5:.1f}, y 0.0-1.0, z 7.6-30.0 mm",
                    measured=Q_(1.0, "mm"), limit=Q_(0, "mm")) for i, z in enumerate(("plenum", "plenum", "riser"))]
    assert _sizes(_report(*zone)) == [2, 1], "names other than the subjects are part of the message"
    assert _sizes(_report(_screw(0, 0.08), _open_mesh("screw1"))) == [1, 1]


def test_numbers_in_the_message_must_be_close_too() -> None:
    def margin(part: str, power: float) -> Finding:
        return Finding(code="T001", name="thermal-margin", severity="error", subjects=(part,),
                       message=f"{part} junction temperature 97.5 degC against its 95.0 degC limit in scenario "
                               f"'worst': margin -2.5 K, required 3 K ({power:g} W, local inlet 35.0 degC)",
                       measured=Q_(-2.5, "K"), limit=Q_(3, "K"))

    assert _sizes(_report(margin("package0", 700), margin("package1", 300))) == [1, 1]
    assert _sizes(_report(margin("package0", 700), margin("package1", 700))) == [2]
    assert _sizes(_report(_open_mesh("screw0", 12), _open_mesh("screw1", 3000))) == [1, 1]
    assert _sizes(_report(_open_mesh("screw0", 12), _open_mesh("screw1", 12))) == [2], \
        "subject names and their mesh files (screw0.stl, screw1.stl) are taken out"


def test_numbers_that_follow_the_measured_value_may_differ_as_much_as_it() -> None:
    near = (0.47, 0.48)            # within 10 %, but "short by" is 0.030 and 0.020
    assert abs((NEED - near[0]) - (NEED - near[1])) > BAND * (NEED - near[1])
    group = group_findings(_report(_screw(0, near[0]), _screw(1, near[1])))
    assert [g.count for g in group] == [2] and group[0].measured() == f"{near[0]:.4g}-{near[1]:.4g} mm"


def test_a_group_takes_the_place_of_its_first_member() -> None:
    findings = (_screw(0, 0.08), _screw(1, 0.5), _screw(2, 0.081), _open_mesh("fan1"))
    groups = group_findings(_report(*findings))
    assert [g.findings for g in groups] == [(findings[0], findings[2]), (findings[1],), (findings[3],)]
    text = render_text(_report(*findings))
    heads = [line.split("  ")[0] for line in text.splitlines() if line.startswith(("D201", "M001"))]
    assert heads == ["D201 clearance [error] x2", "D201 clearance [error]", "M001 open-mesh [warning]"]


# --- text ---------------------------------------------------------------------------------------------------


def _text_blocks(text: str) -> list[list[str]]:
    """The finding blocks of a text report: a head line and its indented lines."""
    blocks: list[list[str]] = []
    for line in text.splitlines()[2:]:
        if not line:
            break
        if line.startswith("    "):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def test_text_report_has_one_block_per_group() -> None:
    screws = [_screw(i, g) for i, g in enumerate(GAPS)]
    report = _report(*screws, _open_mesh("fan1"))
    blocks = _text_blocks(render_text(report))
    assert len(blocks) == 2
    first = screws[0]
    head = (f"D201 clearance [error] x{len(GAPS)}  " + ", ".join(f"screw{i} - board" for i in range(3))
            + f" and {len(GAPS) - 3} more")
    assert blocks[0][0] == head
    assert " ".join(line.strip() for line in blocks[0][1:-2]) == first.message
    assert blocks[0][-2] == f"    measured {min(GAPS):.4g}-{max(GAPS):.4g} mm, limit {NEED:g} mm"
    assert blocks[0][-1] == f"    at {DESIGN}:" + ", ".join(str(f.location.line) for f in screws if f.location)
    assert blocks[1][0] == "M001 open-mesh [warning]  fan1"


def test_text_group_names_its_state_and_waiver() -> None:
    report = _report(*(_screw(i, GAPS[i], waived=True, waiver_reason="relief pocket") for i in range(2)),
                     *(_screw(i, GAPS[i], baseline="existing") for i in range(2, 4)))
    blocks = _text_blocks(render_text(report))
    assert [b[0].split("  ")[0] for b in blocks] == ["D201 clearance [waived] x2",
                                                     "D201 clearance [error, in baseline] x2"]
    assert "    waived: relief pocket" in blocks[0]


def test_a_finding_without_repeats_renders_as_before() -> None:
    finding = replace(_screw(0, 0.08), message="screw0 and board are 0.080 mm apart, need 0.5 mm",
                      related=(Location("specs/acme.yaml", 3),))
    text = render_text(_report(finding, _screw(1, 0.5)))
    assert _text_blocks(text)[0] == [
        f"D201 clearance [error]  {', '.join(finding.subjects)}",
        f"    {finding.message}",
        f"    measured {finding.measured:.4g~P}, limit {finding.limit:.4g~P}",
        f"    at {DESIGN}:{finding.location.line if finding.location else ''} (from specs/acme.yaml:3)",
    ]


def test_long_location_lists_wrap() -> None:
    many = [_screw(i, 0.08) for i in range(40)]
    blocks = _text_blocks(render_text(_report(*many)))
    where = [line for line in blocks[0] if line.startswith(("    at ", "       "))]
    assert len(where) > 1 and all(len(line) <= 100 for line in where)
    numbers = re.findall(r"\d+", " ".join(where).split(":", 1)[1])
    assert numbers == [str(f.location.line) for f in many if f.location]


# --- Markdown ---------------------------------------------------------------------------------------------------


def _rows(md: str) -> list[list[str]]:
    """The rows of the findings table (the first table)."""
    table = md.split("| Code |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in rows]


def test_markdown_has_one_row_per_group() -> None:
    screws = [_screw(i, g) for i, g in enumerate(GAPS)]
    report = _report(*screws, _open_mesh("fan1"), _screw(9, 0.5))
    rows = _rows(render_markdown(report))
    assert len(rows) == len(group_findings(report)) == 3
    assert all(len(r) == len(COLUMNS) for r in rows)
    row = dict(zip(COLUMNS, rows[0], strict=True))
    assert row["Code"] == "D201" and row["Severity"] == "error" and row["Rule"] == "clearance"
    assert row["Subjects"] == f"{len(GAPS)} pairs: " + ", ".join(f"screw{i} - board" for i in range(3)) + \
        f" and {len(GAPS) - 3} more"
    assert row["Message"] == screws[0].message
    assert row["Measured"] == f"{min(GAPS):.4g}-{max(GAPS):.4g} mm" and row["Limit"] == f"{NEED:g} mm"
    assert row["Where"] == f"`{DESIGN}:" + ", ".join(str(10 + i) for i in range(len(GAPS))) + "`"
    assert dict(zip(COLUMNS, rows[2], strict=True))["Subjects"] == "screw9, board"   # a group of one, as before


# --- HTML -------------------------------------------------------------------------------------------------------


class _Details(HTMLParser):
    """The <details> elements of a document: their summary and the rows of their member tables."""

    def __init__(self) -> None:
        super().__init__()
        self.details: list[dict[str, Any]] = []
        self._in: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in.append(tag)
        if tag == "details":
            self.details.append({"summary": "", "rows": []})
        elif self.details and "details" in self._in:
            if tag == "tr" and "tbody" in self._in[self._in.index("details"):]:   # not the findings' tbody
                self.details[-1]["rows"].append([])
            elif tag == "td":
                self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self.details and self.details[-1]["rows"]:
            self.details[-1]["rows"][-1].append("".join(self._cell))
            self._cell = None
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in and self._in[-1] == "summary" and self.details:
            self.details[-1]["summary"] += data


def test_html_group_row_has_details_of_every_member() -> None:
    screws = [_screw(i, g) for i, g in enumerate(GAPS)]
    report = _report(*screws, _open_mesh("fan1"))
    document = render_html(report)
    body = document.split('<section id="findings">', 1)[1].split("</section>", 1)[0]
    assert body.count('<tr class="sev-') == 2, "one row per group"
    parser = _Details()
    parser.feed(document)
    assert len(parser.details) == 1
    details = parser.details[0]
    assert details["summary"].startswith(f"{len(GAPS)} pairs: screw0 - board")
    assert details["rows"] == [[" - ".join(f.subjects), f"{f.measured:.4g~P}", f"{DESIGN}:{10 + i}"]
                               for i, f in enumerate(screws)]
    assert f'<td class="num">{min(GAPS):.4g}-{max(GAPS):.4g} mm</td>' in body


@pytest.fixture(scope="module")
def overheight() -> Iterator[Report]:
    """The overheight example, with the part outlines for the pictures."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        yield sledcheck.check("examples/tray-1u/overheight.yaml", views=True)


def test_html_pictures_draw_every_member_of_a_group(overheight: Report) -> None:
    fans = ("fan1", "fan2", "fan3")
    gaps = (0.080, 0.082, 0.084)
    extra = tuple(Finding(code="D201", name="clearance", severity="error", subjects=(fan, "lid"),
                          message=f"{fan} and lid are {gap:.3f} mm apart, need 0.5 mm",
                          measured=Q_(gap, "mm"), limit=Q_(0.5, "mm"),
                          evidence=GapEvidence(gap, 0.5, ((20.0, 30.0 + 60 * i, 41.0), (20.0, 30.0 + 60 * i,
                                                                                         41.0 + gap))))
                  for i, (fan, gap) in enumerate(zip(fans, gaps, strict=True)))
    report = replace(overheight, findings=(*overheight.findings, *extra))
    document = render_html(report)
    for gap in gaps:
        assert f"gap {gap:.3g} mm" in document, "each member's evidence is drawn"
    assert f"{len(fans)} pairs: " + ", ".join(f"{fan} - lid" for fan in fans) in document


def test_real_run_groups_identical_heat_sinks(overheight: Report) -> None:
    """The overheight tray's two identical heat sinks both run into the lid: one D101 entry with both pairs."""
    overlaps = [f for f in overheight.findings if f.code == "D101"]
    assert len(overlaps) == 2
    text = render_text(overheight)
    pairs = ", ".join(" - ".join(f.subjects) for f in overlaps)
    assert f"D101 interference [error] x2  {pairs}" in text
    assert text.count("D101 ") == 1
    rows = _rows(render_markdown(overheight))
    assert len(rows) == len(overheight.findings) - 1


def test_machine_formats_keep_one_entry_per_finding() -> None:
    report = _report(*(_screw(i, g) for i, g in enumerate(GAPS)))
    assert len(json.loads(render_json(report))["findings"]) == len(GAPS)
    assert len(json.loads(render_sarif(report))["runs"][0]["results"]) == len(GAPS)


def test_every_finding_is_in_exactly_one_group() -> None:
    findings = [_screw(i, g) for i, g in enumerate((0.08, 0.5, 0.081, 0.51, 0.3, 0.082))]
    groups = group_findings(_report(*findings))
    members = [f for g in groups for f in g.findings]
    assert sorted(map(id, members)) == sorted(map(id, findings))
    assert all(isinstance(g, FindingGroup) for g in groups)
    assert [g.count for g in groups] == [3, 2, 1]


def test_group_message_wraps_like_a_single_finding() -> None:
    """A group's message (its first member's) wraps as a single finding's does (same width and indent)."""
    long = _screw(0, 0.08)
    report = _report(long, _screw(1, 0.081))
    block = _text_blocks(render_text(report))[0]
    assert block[1:-2] == ["    " + c for c in textwrap.wrap(long.message, width=96)]


def test_findings_without_subjects_group_by_their_message() -> None:
    unset = [Finding(code="S101", name="spec-value-unset", severity="info", location=Location(DESIGN, line),
                     message="acme has no value for envelope.depth: depth not checked") for line in (3, 7)]
    report = _report(*unset)
    assert _sizes(report) == [2] and group_findings(report)[0].head() == "2 findings"
    assert _text_blocks(render_text(report))[0][0] == "S101 spec-value-unset [info] x2"
    assert _text_blocks(render_text(report))[0][-1] == f"    at {DESIGN}:3, 7"
