"""A fast start (issue 15, item 6): the command line imports only what a command needs.

Each case runs a command in a fresh interpreter and lists the heavy libraries left in ``sys.modules``. The
light commands (``--version``, ``rules``, ``rules CODE``, ``specs``) must not load the mesh, geometry,
plotting or CAD libraries (about 2 s of imports on the 2-core machine); ``rules`` needs no unit registry
either. This tests what is imported, not how long it takes (``benchmarks/bench_start.py`` times it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

#: Libraries a light command must not import (each 0.1-1 s to import): meshes, geometry, plots, CAD.
HEAVY = ("trimesh", "scipy", "matplotlib", "OCP", "manifold3d", "fcl")

_RUN = textwrap.dedent("""
    import contextlib, io, json, sys
    from sledcheck.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            code = main(sys.argv[1:])
        except SystemExit as exit:   # argparse's --version
            code = exit.code
    print(json.dumps({"code": code, "out": out.getvalue(),
                      "modules": sorted({m.split(".")[0] for m in sys.modules} | set(sys.modules))}))
""")


def _run(*argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _RUN, *argv], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def _loaded(modules: object, names: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return [name for name in names if name in modules]


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys, sledcheck, sledcheck.cli; print(sorted(sys.modules))"],
                          capture_output=True, text=True, timeout=120, check=True)
    modules = eval(done.stdout)   # a list literal of module names printed by the child  # noqa: S307
    assert _loaded(modules, (*HEAVY, "pint", "numpy")) == []


@pytest.mark.parametrize("argv", [["--version"], ["rules"], ["rules", "D201"], ["rules", "clearance"]])
def test_version_and_rules_load_neither_heavy_libraries_nor_units(argv: list[str]) -> None:
    result = _run(*argv)
    assert result["code"] == 0
    assert _loaded(result["modules"], (*HEAVY, "pint", "numpy")) == []


@pytest.mark.parametrize("argv", [["specs"], ["specs", "eia-310-1u"]])
def test_specs_load_no_heavy_library(argv: list[str]) -> None:
    result = _run(*argv)
    assert result["code"] == 0 and "eia-310-1u" in str(result["out"])
    # pint itself imports the top-level scipy package (its optional-feature probe); no scipy module beyond it
    heavy = [m for m in _loaded(result["modules"], HEAVY) if m != "scipy"]
    scipy_parts = [m for m in result["modules"]   # type: ignore[attr-defined]
                   if m.startswith(("scipy.interpolate", "scipy.spatial", "scipy.sparse", "scipy.optimize"))]
    assert heavy == [] and scipy_parts == []


def test_rules_lists_every_registered_rule_once() -> None:
    """The listing comes from the one registry, whatever is imported lazily."""
    from sledcheck.checks.registry import all_rules

    listed = [line.split()[0] for line in str(_run("rules")["out"]).splitlines()]
    assert listed == [rule.code for rule in all_rules()]


def test_the_public_api_still_resolves_lazily() -> None:
    code = textwrap.dedent("""
        import sys
        import sledcheck
        assert "trimesh" not in sys.modules
        from sledcheck import Q_, SledcheckError, check, ureg
        from sledcheck.thermal import (air_properties, pressure_at_altitude, PlateFinHeatsink,
                                       spreading_resistance, FanCurve, operating_point)
        assert callable(check) and sledcheck.check is check and issubclass(SledcheckError, Exception)
        assert abs(pressure_at_altitude(Q_(0, "m")).m_as("Pa") - 101325) < 1   # ISA sea level, 101325 Pa
        print(sledcheck.__version__, Q_(1, "inch").m_as("mm"), ureg is Q_._REGISTRY)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    version, inch_mm, same = done.stdout.split()
    assert inch_mm == "25.4" and same == "True"   # 1 in = 25.4 mm exactly (international inch, 1959)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import sledcheck

        sledcheck.nothing  # noqa: B018
