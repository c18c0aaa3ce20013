"""Several designs in one `sledcheck check` (contract: the exit code is the worst): one report each, a summary,
and each mesh file the designs share read once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Run

TRAY = EXAMPLES / "tray-1u"


def test_the_exit_code_is_the_worst_and_each_design_has_its_report(cli: Callable[..., Run], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import sledcheck.load.meshes as meshes

    reads: list[str] = []
    original = meshes.read_mesh_file

    def counting(path: Path, display: str, *rest: object) -> object:
        reads.append(str(path))
        return original(path, display, *rest)

    monkeypatch.setattr(meshes, "read_mesh_file", counting)
    result = cli("check", TRAY / "fixed.yaml", TRAY / "overheight.yaml", "--output", f"json={tmp_path}/{{name}}.json")
    assert result.code == 1, result.err           # overheight fails, fixed passes: the worst is 1
    assert "summary: 2 designs" in result.out
    assert [line.split()[0] for line in result.out.splitlines()[-2:]] == ["pass", "fail"]
    assert json.loads((tmp_path / "fixed.json").read_text())["verdict"] == "pass"
    assert json.loads((tmp_path / "overheight.json").read_text())["verdict"] == "fail"
    # the two designs share the tray, lid, board, packages, DIMMs and fans: each of those files is read once
    assert len(reads) == len(set(reads))
    shared = {Path(p).name for p in reads}
    assert {"tray.stl", "lid.3mf", "fan_4056.ply"} <= shared


def test_json_on_stdout_lists_every_design(cli: Callable[..., Run]) -> None:
    result = cli("check", str(TRAY / "fixed.yaml"), str(TRAY / "over*.yaml"), "--format", "json")
    report = json.loads(result.out)
    assert [Path(d["design"]).name for d in report["designs"]] == ["fixed.yaml", "overheight.yaml"]
    assert report["exit_code"] == 1 and report["designs"][1]["report"]["verdict"] == "fail"


@pytest.mark.parametrize("extra, says", [
    (["--output", "json=out.json"], "needs {name}"),
    (["--format", "sarif"], "--output sarif=reports/{name}.sarif"),
    (["--baseline", "b.json"], "take one design"),
])
def test_several_designs_need_a_report_path_per_design(cli: Callable[..., Run], extra: list[str], says: str) -> None:
    result = cli("check", TRAY / "fixed.yaml", TRAY / "overheight.yaml", *extra)
    assert result.code == 2 and says in result.err


def test_a_glob_that_matches_nothing_is_an_error(cli: Callable[..., Run]) -> None:
    result = cli("check", str(TRAY / "nothing-*.yaml"))
    assert result.code == 2 and "nothing-*.yaml" in result.err and "not found" in result.err


def test_a_file_that_is_not_a_design_is_its_own_error_and_the_others_are_checked(cli: Callable[..., Run],
                                                                                 tmp_path: Path) -> None:
    # a quoted glob over a folder that also holds another YAML (a spec pack, a CI config): that file is an error
    # (exit 2, the worst) naming it; the designs beside it are still checked and reported
    other = tmp_path / "ci-config.yaml"
    other.write_text("jobs: {check: {runs-on: ubuntu}}\n")
    result = cli("check", TRAY / "fixed.yaml", other)
    assert result.code == 2
    assert "ci-config.yaml" in result.err and "Traceback" not in result.err
    summary = result.out.splitlines()[-2:]
    assert [line.split()[0] for line in summary] == ["pass", "error"], result.out
    document = json.loads(cli("check", TRAY / "fixed.yaml", other, "--format", "json").out)
    fixed, bad = document["designs"]
    assert fixed["report"]["verdict"] == "pass" and document["exit_code"] == 2
    assert bad["verdict"] == "error" and bad["report"] is None and "ci-config.yaml" in bad["error"]
