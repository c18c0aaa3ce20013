"""Fuzz tests (issue 8): hostile inputs must end in a clean pass/fail/error, never worse.

The fast slice (default run, about a minute on 2 cores): ~80 cases across every corpus class, run through a
pre-imported driver that forks one child per case (timeout FAST_TIMEOUT s, RLIMIT_AS 4 GiB), two at a time;
a control pair through the real `python -m sledcheck`; and hypothesis properties over meshes, designs and
command lines. The long campaign is `-m slow` (or benchmarks/fuzz_campaign.py).

Every case must be "ok": there are no expected failures.
"""

from __future__ import annotations

import os
import string
import struct
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from . import corpus, oracle  # noqa: E402
from .corpus import ANY, Case  # noqa: E402

FAST_TIMEOUT = 6.0   # the slice's hang budget; the campaign uses oracle.TIMEOUT (60 s)
pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork, FIFOs and RLIMIT_AS are POSIX")

def _slice() -> list[Case]:
    return corpus.fast_slice(seed=0)


def _param(case: Case):  # type: ignore[no-untyped-def]
    return pytest.param(case.id, id=case.id[:80])


@pytest.fixture(scope="module")
def slice_results() -> dict[str, oracle.Result]:
    """Every case of the fast slice, two at a time (one pre-imported driver per lane)."""
    cases = _slice()
    results = {r.case: r for r in oracle.run_many(cases, jobs=2, timeout=FAST_TIMEOUT)}
    # a case over the fast budget on a loaded machine is run again, alone, with the campaign's budget: a real
    # hang still hangs (and fails); a slow moment of the machine does not
    slow = [c for c in cases if results[c.id].outcome == "hang"]
    results.update({r.case: r for r in oracle.run_many(slow, jobs=1, timeout=oracle.TIMEOUT)} if slow else {})
    return results


@pytest.fixture(scope="module")
def driver():  # type: ignore[no-untyped-def]
    d = oracle.Driver()
    yield d
    d.close()


def _explain(result: oracle.Result) -> str:
    b = result.brief()
    repro = ("the falsifying example hypothesis prints below" if result.kind == "property" else
             f"python benchmarks/fuzz_campaign.py --repro {result.case} --seed 0 --dir /tmp/r")
    return (f"{result.outcome}: {b['detail']}\n  case: {result.case} ({result.note[:200]})\n"
            f"  repro: {repro}\n  then:  {b['command']}\n  stderr: {result.stderr[-800:]}")


@pytest.mark.parametrize("case_id", [_param(c) for c in _slice()])
def test_fast_slice(case_id: str, slice_results: dict[str, oracle.Result]) -> None:
    result = slice_results[case_id]
    assert result.outcome == "ok", _explain(result)


def test_slice_covers_every_class() -> None:
    kinds = {c.kind for c in _slice()}
    assert kinds >= {"random-bytes", "truncation", "mutation", "structured", "yaml", "cli"}


@pytest.mark.parametrize("case_id", ["overlap-control", "yaml-control",
                                     "overlap-nan-one-vertex-stl-binary"])
def test_real_entry_point(case_id: str) -> None:
    """The same oracle through `python -m sledcheck` (what CI runs), not the forked driver."""
    case = next(c for c in corpus.fixed_cases() if c.id == case_id)
    result = oracle.run_case(case, "subprocess", timeout=60)
    assert result.outcome == "ok", _explain(result)


# --------------------------------------------------------------------------------------------------
# Properties (hypothesis): derandomised, few examples, no deadline.

PROPS = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                 phases=[Phase.explicit, Phase.generate],   # no shrinking: a CI minute, the first failure as found
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                        HealthCheck.data_too_large])
FINITE = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
WRITERS = {
    "stl-ascii": ("m.stl", lambda v, f: corpus.stl_ascii(v, f)),
    "stl-binary": ("m.stl", lambda v, f: corpus.stl_binary(v, f)),
    "obj": ("m.obj", lambda v, f: corpus.obj(v, f)),
    "ply-ascii": ("m.ply", lambda v, f: corpus.ply_ascii(v, f)),
    "ply-binary": ("m.ply", lambda v, f: corpus.ply_binary(v, f)),
}


@st.composite
def valid_meshes(draw):  # type: ignore[no-untyped-def]
    verts = draw(st.lists(st.tuples(FINITE, FINITE, FINITE), min_size=3, max_size=40))
    n = len(verts)
    faces = draw(st.lists(st.tuples(*[st.integers(0, n - 1)] * 3), min_size=1, max_size=60))
    return verts, faces


@st.composite
def hostile_meshes(draw):  # type: ignore[no-untyped-def]
    coord = st.one_of(FINITE, st.sampled_from([float("nan"), float("inf"), -float("inf"), 1e30, -0.0, 5e-324]))
    verts = draw(st.lists(st.tuples(coord, coord, coord), min_size=0, max_size=30))
    n = len(verts)
    index = st.integers(-n - 3, n + 3)
    faces = draw(st.lists(st.tuples(index, index, index), min_size=0, max_size=40))
    return verts, faces


def _mesh_case(fmt: str, verts, faces) -> Case:  # type: ignore[no-untyped-def]
    name, write = WRITERS[fmt]
    try:
        data = write(verts, faces)
    except (IndexError, struct.error):   # STL stores coordinates, not indices: an out-of-range face cannot be written
        hypothesis.assume(False)
        raise
    return Case(f"property-{fmt}", "property", corpus.inspect_argv(name), {name: data}, ANY,
                f"{fmt}: {len(verts)} vertices, {len(faces)} faces")


@PROPS
@given(st.sampled_from(sorted(WRITERS)), valid_meshes())
def test_property_valid_meshes(driver, fmt, mesh) -> None:  # type: ignore[no-untyped-def]
    """Any finite vertex array with in-range faces, in any unit-less format: ok (a pass or a clean error)."""
    result = oracle.run_case(_mesh_case(fmt, *mesh), driver, timeout=30)
    assert result.outcome == "ok", _explain(result)


@PROPS
@given(st.sampled_from(sorted(WRITERS)), hostile_meshes())
def test_property_hostile_meshes(driver, fmt, mesh) -> None:  # type: ignore[no-untyped-def]
    """Non-finite coordinates, out-of-range and negative indices, empty arrays: still a clean outcome."""
    result = oracle.run_case(_mesh_case(fmt, *mesh), driver, timeout=30)
    assert result.outcome == "ok", _explain(result)


# designs: random structures from the schema's keys
from sledcheck.load.design import DESIGN_KEYS, PART_KEYS, ROLES  # noqa: E402

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), FINITE,
    st.sampled_from(["1 mm", "0.5 in", "-3 mm", "35 degC", "300 W", "mm", "in", "eia-310-1u", "a.stl", "b.stl",
                     "a", "b", "pcb", "lid", "heatsink", "D201", "2027-03-31", "", "*", "1 mm .. 2 mm", "±0.1 mm",
                     "9**9", "nan", "1e999 mm", "HS_*"]),
    st.text(string.printable, max_size=12),
)


def _values(depth: int):  # type: ignore[no-untyped-def]
    if depth <= 0:
        return SCALARS
    inner = _values(depth - 1)
    return st.one_of(SCALARS, st.lists(inner, max_size=4),
                     st.dictionaries(st.sampled_from(PART_KEYS + ("between", "min", "code", "subjects", "reason",
                                                                   "rect", "max", "name", "power", "value")),
                                     inner, max_size=4))


@st.composite
def designs(draw):  # type: ignore[no-untyped-def]
    part = st.fixed_dictionaries({"file": st.sampled_from(["a.stl", "b.stl", "missing.stl", "a.obj", 7]),
                                  "role": st.sampled_from(list(ROLES) + ["bogus"])},
                                 optional={k: _values(1) for k in PART_KEYS if k not in ("file", "role")})
    doc = {"sledcheck": draw(st.sampled_from([1, 1, 1, 2, "1"])), "name": draw(SCALARS),
           "parts": draw(st.dictionaries(st.sampled_from(["a", "b", "c", "a b", "ü"]), part, min_size=1, max_size=3))}
    for key in draw(st.lists(st.sampled_from([k for k in DESIGN_KEYS if k not in doc]), max_size=4, unique=True)):
        doc[key] = draw(_values(2))
    if draw(st.booleans()):
        doc["units"] = "mm"
    return doc


@settings(PROPS, max_examples=25)
@given(designs())
def test_property_designs(driver, doc) -> None:  # type: ignore[no-untyped-def]
    """A design built from the schema's keys with random values: a clean pass, fail or error naming the file."""
    files = corpus._minimal_files(yaml.safe_dump(doc, allow_unicode=True).encode())
    case = Case("property-design", "property", list(corpus.CHECK_JSON), files, ANY, "random design")
    result = oracle.run_case(case, driver, timeout=30)
    assert result.outcome == "ok", _explain(result) + "\n  design:\n" + yaml.safe_dump(doc)


SAFE_OUTPUTS = ["json=r.json", "sarif=r.sarif", "junit=out.xml", "html=r.html", "markdown=r.md", "github=g.txt",
                "text=t.txt", "json=", "=r.json", "pdf=x", "json=no/such/dir/r.json", "json=.", "json=r.json"]
ARGS = st.one_of(
    st.sampled_from(["--format", "json", "text", "sarif", "--output", "--fail-on", "warning", "never", "--select",
                     "D", "D201", "--ignore", "T", "--baseline", "base.json", "--write-baseline", "new.json",
                     "--units", "mm", "in", "design.yaml", "a.stl", "b.stl", "missing.yaml", ".", "-", "--", "-h",
                     "--version", "", " ", "é", "--format=json", "--output=json=o.json"]),
    st.sampled_from(SAFE_OUTPUTS),
    st.text(string.ascii_letters + string.digits + "-=.,/ ", max_size=10),
)


@settings(PROPS, max_examples=25)
@given(st.sampled_from(["check", "inspect", "specs", "rules"]), st.lists(ARGS, max_size=6))
def test_property_command_line(driver, command, rest) -> None:  # type: ignore[no-untyped-def]
    """Random command lines over the minimal design: never an internal error, a modified input or a bad report.

    Output paths stay inside the case folder (the case runs as root in CI containers: nothing may write /dev).
    """
    files = corpus._minimal_files((("sledcheck: 1\nname: c\nunits: mm\n" + corpus._MIN_PARTS)).encode())
    files["base.json"] = b'{"sledcheck-baseline": 1, "design": "design.yaml", "findings": []}\n'
    argv = [command, *rest]
    if command == "check" and "design.yaml" not in rest:
        argv.insert(1, "design.yaml")
    if any(a.startswith("/") or "=/" in a for a in argv):
        hypothesis.assume(False)
    case = Case("property-cli", "property", argv, files, ANY, "random command line",
                may_change=frozenset({"base.json"}))
    result = oracle.run_case(case, driver, timeout=30)
    assert result.outcome == "ok", _explain(result)


# --------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_campaign() -> None:
    """The long campaign: SLEDCHECK_FUZZ_CASES (default 3000) cases, 60 s / 4 GiB each, two at a time."""
    import sys

    bench = Path(__file__).resolve().parents[2] / "benchmarks"
    sys.path.insert(0, str(bench))
    import fuzz_campaign  # type: ignore[import-not-found]

    n = int(os.environ.get("SLEDCHECK_FUZZ_CASES", "3000"))
    out = Path(os.environ.get("SLEDCHECK_FUZZ_OUT", "fuzz-results.json"))
    assert fuzz_campaign.main(["--cases", str(n), "--seed", "1", "--jobs", "2", "--out", str(out)]) == 0


# --------------------------------------------------------------------------------------------------
# The harness itself: deterministic corpus, small bomb, honest classification.

def _digest(case: Case) -> tuple:
    return (case.id, tuple(case.argv), tuple(sorted((k, v if isinstance(v, bytes) else repr(v))
                                                    for k, v in case.files.items())))


def test_corpus_is_deterministic() -> None:
    first = [_digest(c) for c in corpus.generated_cases(7, 40)]
    again = [_digest(c) for c in corpus.generated_cases(7, 40)]
    other = [_digest(c) for c in corpus.generated_cases(8, 40)]
    assert first == again
    assert first != other
    ids = [c.id for c in corpus.fixed_cases()]
    assert len(ids) == len(set(ids))


def test_zip_bomb_is_small_on_disk_and_huge_inflated() -> None:
    import io
    import zipfile

    data = corpus.zip_bomb_3mf(4.0)
    assert len(data) < 8 * 1024**2
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("3D/3dmodel.model")
    assert info.file_size >= 4 * 1024**3


@pytest.mark.parametrize(("rc", "timed_out", "stdout", "stderr", "expect", "outcome"), [
    (0, False, '{"verdict": "pass"}', "", ANY, "ok"),
    (None, True, "", "", ANY, "hang"),
    (-11, False, "", "", ANY, "signal"),
    (2, False, "", "sledcheck: internal error: MemoryError: \n", ANY, "memory"),
    (2, False, "", "sledcheck: internal error: IndexError: x\n", ANY, "internal-error"),
    (1, False, "", "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n", ANY, "internal-error"),
    (0, False, '{"verdict": "pass"}', "", frozenset({1, 2}), "wrong-pass"),
    (1, False, '{"bounds": [NaN]}', "", ANY, "invalid-report"),
    (1, False, "", "", ANY, "invalid-report"),
    (2, False, "", "something broke\n", ANY, "bad-message"),
    (2, False, "", "sledcheck: error: it broke\n", ANY, "bad-message"),
    (2, False, "", "sledcheck: error: d.yaml:3: parts: bad\n", ANY, "ok"),
    (2, False, "", "sledcheck: error: d.yaml: bad\n", frozenset({0}), "wrong-exit"),
])
def test_classify(tmp_path: Path, rc, timed_out, stdout, stderr, expect, outcome) -> None:  # type: ignore[no-untyped-def]
    case = Case("t", "structured", ["check", "d.yaml", "--format", "json"], {"d.yaml": b"x"}, expect)
    got, _ = oracle.classify(case, rc, timed_out, stdout, stderr, {}, {}, tmp_path)
    assert got == outcome


def test_classify_input_modified(tmp_path: Path) -> None:
    case = Case("t", "cli", ["check", "d.yaml"], {"d.yaml": b"x"})
    got, detail = oracle.classify(case, 0, False, "report", "", {"d.yaml": "file:1"}, {"d.yaml": "file:2"}, tmp_path)
    assert got == "input-modified" and "d.yaml" in detail
