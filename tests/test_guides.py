"""Design-guide packs (sledcheck/load/specs.py): packs outside the package on a search path (the design's
``spec_path:``, then SLEDCHECK_SPEC_PATH, then the built-in ones), found by name, versioned and pinned with
``name@version``; guide limits with their own dimension (mass, force, a g-level); the built-in templates set no
number. The private guide below is made up for the test: its numbers are the test's, not any vendor's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rulecase import make_mesh

from conftest import Run
from sledcheck import SledcheckError, check
from sledcheck.load.specs import GUIDE_VALUES, builtin_packs, load_pack, resolve_pack


def _pack(folder: Path, name: str, version: str | None, mass_max: str = "500 g", file: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file or f"{name}.yaml")
    path.write_text(
        "sledcheck-spec: 1\n"
        f"name: {name}\n"
        + (f"version: \"{version}\"\n" if version else "")
        + "title: ACME thermal-mechanical design guide (made up for the test)\n"
        "sources:\n  tmdg: \"ACME TMDG (test fixture)\"\n"
        "values:\n"
        f"  heatsink_mass_max: {{value: {mass_max}, source: tmdg, clause: \"table 1\", status: verified}}\n",
        encoding="utf-8")
    return path


def _design(folder: Path, specs: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # a 100 x 100 x 10 mm aluminium-6063 block: 100 000 mm^3 x 2690 kg/m^3 = 0.269 kg
    make_mesh({"box": [[0, 0, 0], [100, 100, 10]]}).export(folder / "hs.stl")
    path = folder / "d.yaml"
    path.write_text(f"sledcheck: 1\nname: g\nunits: mm\n{extra}specs: [{specs}]\n"
                    "parts:\n  hs: {file: hs.stl, role: heatsink, material: aluminium-6063}\n", encoding="utf-8")
    return path


def _mass_limits(path: Path) -> list[float]:
    report = check(path, select=["L001"])
    return [f.limit.m_as("kg") for f in report.findings if f.code == "L001"]


def test_a_private_pack_on_the_environment_search_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guides = tmp_path / "guides"
    _pack(guides, "acme-tmdg", "2", mass_max="250 g")
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", f"{tmp_path / 'nothing-here'}:{guides}")
    # 0.269 kg against 0.25 kg: fails; the pack is found by name
    assert _mass_limits(_design(tmp_path / "d", "acme-tmdg")) == pytest.approx([0.25])


def test_the_design_spec_path_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path / "env", "acme-tmdg", "1", mass_max="250 g")
    _pack(tmp_path / "d" / "guides", "acme-tmdg", "1", mass_max="200 g")
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "env"))
    path = _design(tmp_path / "d", "acme-tmdg", extra="spec_path: [guides]\n")
    assert _mass_limits(path) == pytest.approx([0.2])


def test_versions_side_by_side_newest_unless_pinned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "guides" / "acme-tmdg"
    _pack(folder, "acme-tmdg", "1.9", mass_max="100 g", file="1.9.yaml")
    _pack(folder, "acme-tmdg", "1.10", mass_max="200 g", file="1.10.yaml")
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "guides"))
    assert _mass_limits(_design(tmp_path / "a", "acme-tmdg")) == pytest.approx([0.2])      # 1.10 > 1.9
    assert _mass_limits(_design(tmp_path / "b", "acme-tmdg@1.9")) == pytest.approx([0.1])
    assert _mass_limits(_design(tmp_path / "c", "acme-tmdg@1.10")) == pytest.approx([0.2])
    pack = load_pack(resolve_pack("acme-tmdg@1.9", tmp_path))
    assert pack.version == "1.9" and pack.values["heatsink_mass_max"].status == "verified"


def test_a_pinned_version_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path / "guides" / "acme-tmdg", "acme-tmdg", "1.9", file="1.9.yaml")
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "guides"))
    path = _design(tmp_path / "d", "acme-tmdg@2.0")
    with pytest.raises(SledcheckError) as err:
        check(path)
    assert err.value.file == str(path) and err.value.line == 4 and err.value.field == "specs[0]"
    assert "has no version '2.0'" in str(err.value) and "1.9" in (err.value.hint or "")


def test_a_pack_not_on_the_search_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "guides"))
    path = _design(tmp_path / "d", "acme-tmdg")
    with pytest.raises(SledcheckError) as err:
        check(path)
    assert err.value.file == str(path) and err.value.line == 4 and err.value.field == "specs[0]"
    assert "no spec pack 'acme-tmdg' on the search path" in str(err.value)
    assert str(tmp_path / "guides") in str(err.value) and "SLEDCHECK_SPEC_PATH" in (err.value.hint or "")


def test_a_missing_spec_path_folder(tmp_path: Path) -> None:
    path = _design(tmp_path / "d", "eia-310-1u", extra="spec_path: [no-such-folder]\n")
    with pytest.raises(SledcheckError) as err:
        check(path)
    assert err.value.line == 4 and err.value.field == "spec_path[0]" and "not found" in str(err.value)


def test_a_spec_path_naming_a_file_says_so(tmp_path: Path) -> None:
    pack = _pack(tmp_path / "d" / "guides", "acme-tmdg", "1")
    path = _design(tmp_path / "d", "eia-310-1u", extra=f"spec_path: [{pack.relative_to(tmp_path / 'd')}]\n")
    with pytest.raises(SledcheckError) as err:
        check(path)
    assert err.value.line == 4 and err.value.field == "spec_path[0]"
    assert "'guides/acme-tmdg.yaml' is a file, not a folder" in str(err.value)
    assert "spec_path takes folders" in (err.value.hint or "")


def test_the_report_names_the_version_an_unpinned_name_picked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              cli: Callable[..., Run]) -> None:
    import json

    folder = tmp_path / "guides" / "acme-tmdg"
    _pack(folder, "acme-tmdg", "1.9", file="1.9.yaml")
    _pack(folder, "acme-tmdg", "1.10", file="1.10.yaml")
    _pack(tmp_path / "guides", "lone-guide", "3")          # one version only: named as before
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "guides"))
    path = _design(tmp_path / "a", "acme-tmdg, lone-guide, eia-310-1u")
    out = cli("check", str(path), "--format", "json")
    assert json.loads(out.out)["specs"] == ["acme-tmdg@1.10", "lone-guide", "eia-310-1u"]
    assert "specs: acme-tmdg@1.10, lone-guide, eia-310-1u" in cli("check", str(path)).out
    pinned = _design(tmp_path / "b", "acme-tmdg@1.9")
    assert json.loads(cli("check", str(pinned), "--format", "json").out)["specs"] == ["acme-tmdg@1.9"]


def test_a_pack_must_carry_the_name_it_is_found_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path / "guides", "other-name", None, file="acme-tmdg.yaml")
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "guides"))
    with pytest.raises(SledcheckError) as err:
        check(_design(tmp_path / "d", "acme-tmdg"))
    assert err.value.line == 4 and "names its pack 'other-name'" in str(err.value)


@pytest.mark.parametrize(("value", "words"), [("3 mm", "mass"), ("-1 kg", "greater than zero")])
def test_a_guide_value_of_the_wrong_dimension(tmp_path: Path, value: str, words: str) -> None:
    path = _pack(tmp_path, "acme-tmdg", "1", mass_max=value)
    with pytest.raises(SledcheckError) as err:
        load_pack(path)
    assert err.value.line == 8 and err.value.field == "values.heatsink_mass_max.value" and words in str(err.value)


def test_an_override_of_a_guide_value_takes_its_dimension(tmp_path: Path) -> None:
    over = "overrides:\n  design-guide-template:\n    heatsink_mass_max: {value: 5 mm, reason: \"x\"}\n"
    with pytest.raises(SledcheckError) as err:
        check(_design(tmp_path, "design-guide-template", extra=over))
    assert err.value.line == 6 and "mass" in str(err.value)


def test_builtin_templates_set_no_guide_number() -> None:
    for name in builtin_packs():
        pack = load_pack(resolve_pack(name, Path.cwd()))
        for key, value in pack.values.items():
            if key in GUIDE_VALUES:
                assert value.status == "template" and value.quantity is None and value.note, (name, key)


def test_template_values_are_s101_where_a_heat_sink_would_be_checked(tmp_path: Path) -> None:
    report = check(_design(tmp_path, "design-guide-template"))
    unset = sorted(f.anchor[2] for f in report.findings if f.code == "S101" and f.anchor[0] == "spec")
    # no TIM and no preload declared: the bond line and the TIM pressure are not needed
    assert unset == sorted(k for k in GUIDE_VALUES if k not in ("tim_bond_line_max", "tim_pressure_min"))
    # the template's keep-in has no geometry and the sink is there (S101); its airflow budget would apply only to
    # a component in a thermal lane, and there is none
    lines = [f.message for f in report.findings if f.code == "S101" and f.anchor[0] == "spec-line"]
    assert len(lines) == 1 and "keep-in 'heatsink-volume' has no geometry" in lines[0]
    assert report.verdict == "pass"


def test_cli_shows_a_pack_from_the_search_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               cli: Callable[..., Run]) -> None:
    _pack(tmp_path / "guides", "acme-tmdg", "3", mass_max="250 g")
    monkeypatch.setenv("SLEDCHECK_SPEC_PATH", str(tmp_path / "guides"))
    result = cli("specs", "acme-tmdg")
    assert result.code == 0, result.err
    assert "heatsink_mass_max" in result.out and "250.0 g" in result.out and "[verified]" in result.out


def test_cli_lists_keepins_and_airflow_budgets_with_their_sources(cli: Callable[..., Run]) -> None:
    from conftest import ROOT

    out = cli("specs", str(ROOT / "tests" / "rules" / "guides" / "keepin-guide.yaml"))
    assert out.code == 0
    assert ("keep-in sink-volume          heatsink: x -50..50, y -50..50, z 0..23 mm from package  [verified]  "
            "sledcheck rule case fixture, made-up figure 1") in out.out
    out = cli("specs", "ocp-nic3-sff")
    assert "airflow card-airflow" in out.out and "[template]" in out.out and "not set" in out.out
