"""Orthotropic heat-sink bases (vapour chambers, heat-pipe bases), issue 12 item 5.

The model (sledcheck.thermal.orthotropic, spreading.*_orthotropic) maps the orthotropic plate onto an
equivalent isotropic one (Muzychka, Culham, Yovanovich, J. Thermophysics and Heat Transfer 18(1), 2004). The
independent check here is a 3-D finite-volume solve of the orthotropic plate itself (no transformation):
k_x T_xx + k_y T_yy + k_z T_zz = 0 on cell centres, uniform flux over the source on the top face, uniform h
on the bottom face, adiabatic elsewhere; the temperature rise per watt is compared with the model's mean and
centroid values on two grids (h and h/2), and with their Richardson extrapolation (second-order scheme:
T_ext = T_fine + (T_fine - T_coarse)/3).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.interpolate import RegularGridInterpolator
from scipy.sparse.linalg import spsolve

from conftest import EXAMPLES, Run
from sledcheck.thermal.orthotropic import equivalent_plate
from sledcheck.thermal.spreading import (
    lee_spreading,
    lee_spreading_orthotropic,
    series_spreading,
    series_spreading_orthotropic,
)

LX_M, LY_M, T_M, R0 = 0.060, 0.040, 0.003, 0.1   # plate 60 x 40 x 3 mm, R0 = 0.1 K/W (h = 4167 W/(m^2 K))
SOURCE = (0.020, 0.020)                           # 20 x 20 mm source
OFFSETS = {"centred": (0.0, 0.0), "eccentric": (0.010, 0.005)}   # source centroid from the plate centre [m]
PLATES = {"isotropic": (200.0, 200.0, 200.0),     # an aluminium-like plate
          "vapour-chamber": (2000.0, 2000.0, 20.0),
          "heat-pipe": (5000.0, 500.0, 40.0)}     # pipes along x
GRIDS = ((24, 16, 4), (48, 32, 8))                # cells (x, y, z): 2.5 mm and 1.25 mm in plane; the source's
#                                                   edges and centroid fall on cell faces in both


def fv_plate(k: tuple[float, float, float], offset: tuple[float, float], cells: tuple[int, int, int]
             ) -> tuple[float, float]:
    """Finite-volume solve of the orthotropic plate; (mean over the source, value at the source centroid) of the
    top-face temperature rise per watt [K/W].

    Two-point fluxes between cell centres (conductance k A / d), the cooled face through half a cell in series
    with 1/(h A), the source's flux into its top cells; the top-face temperature of a source cell is its
    centre's plus q (dz/2)/k_z (Fourier's law over the half cell), of other cells its centre's (adiabatic)."""
    kx, ky, kz = k
    nx, ny, nz = cells
    dx, dy, dz = LX_M / nx, LY_M / ny, T_M / nz
    h = 1.0 / (R0 * LX_M * LY_M)
    n = nx * ny * nz
    index = np.arange(n).reshape(nx, ny, nz)     # z = 0 is the top (source) layer, nz - 1 the cooled one
    rows, cols, vals, diag = [], [], [], np.zeros(n)
    for a, b, g in ((index[:-1], index[1:], kx * dy * dz / dx), (index[:, :-1], index[:, 1:], ky * dx * dz / dy),
                    (index[:, :, :-1], index[:, :, 1:], kz * dx * dy / dz)):
        a, b = a.ravel(), b.ravel()
        rows += [a, b]
        cols += [b, a]
        vals += [np.full(a.size, -g)] * 2
        np.add.at(diag, a, g)
        np.add.at(diag, b, g)
    diag[index[:, :, -1].ravel()] += 1.0 / (dz / (2 * kz * dx * dy) + 1.0 / (h * dx * dy))
    matrix = sp.csc_matrix((np.concatenate([*vals, diag]), (np.concatenate([*rows, np.arange(n)]),
                                                            np.concatenate([*cols, np.arange(n)]))), shape=(n, n))
    xs = (np.arange(nx) + 0.5) * dx - LX_M / 2
    ys = (np.arange(ny) + 0.5) * dy - LY_M / 2
    on = (np.abs(xs - offset[0]) < SOURCE[0] / 2)[:, None] & (np.abs(ys - offset[1]) < SOURCE[1] / 2)[None, :]
    q = 1.0 / (SOURCE[0] * SOURCE[1])            # 1 W over the source
    rhs = np.zeros(n)
    rhs[index[:, :, 0][on]] = q * dx * dy
    temp = spsolve(matrix, rhs).reshape(nx, ny, nz)
    top = temp[:, :, 0] + np.where(on, q * dz / (2 * kz), 0.0)
    centroid = float(RegularGridInterpolator((xs, ys), top)([offset])[0])
    return float(top[on].mean()), centroid


@pytest.fixture(scope="module")
def solves() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Each plate and source position on both grids (12 sparse solves, about 2 s)."""
    return {(plate, where): [fv_plate(k, OFFSETS[where], cells) for cells in GRIDS]
            for plate, k in PLATES.items() for where in OFFSETS}


def model_total(k: tuple[float, float, float], offset: tuple[float, float]) -> tuple[float, float]:
    """The model's (mean, centroid) rise per watt: spreading + t/(k_z A) + R0 [K/W]."""
    r = series_spreading_orthotropic(*SOURCE, LX_M, LY_M, T_M, *k, R0, *offset, maximum=False, centroid=True)
    one_d = T_M / (k[2] * LX_M * LY_M) + R0
    return float(r.average) + one_d, float(r.centroid) + one_d


@pytest.mark.parametrize("where", list(OFFSETS))
@pytest.mark.parametrize("plate", list(PLATES))
def test_series_matches_the_finite_volume_solve(solves: dict, plate: str, where: str) -> None:
    """Mean and centroid rise: the grid-converged (Richardson) finite-volume values within 1 % (mean) and 0.2 %
    (centroid) of the model; each value's error falls at least 2.5-fold from the 2.5 mm to the 1.25 mm grid
    (a second-order scheme gives 4; the source-edge flux jump slows the mean). Measured: mean +0.07 / +0.6 /
    +0.35 %, centroid < 0.1 % (isotropic / vapour chamber / heat pipe); ignoring the heat pipes' in-plane
    anisotropy (k_x = k_y = sqrt(5000 x 500)) moves the model by 3-4 %, swapping the pipes' axis by 14 %."""
    model = model_total(PLATES[plate], OFFSETS[where])
    coarse, fine = solves[(plate, where)]
    for i, tol in ((0, 0.01), (1, 0.002)):
        extrapolated = fine[i] + (fine[i] - coarse[i]) / 3.0
        assert extrapolated == pytest.approx(model[i], rel=tol)
        assert abs(fine[i] - model[i]) < abs(coarse[i] - model[i]) / 2.5


@pytest.mark.slow
@pytest.mark.parametrize("plate", list(PLATES))
def test_series_matches_a_finer_finite_volume_solve(plate: str) -> None:
    """The eccentric source with twice the layers through the plate (the stretched plate is up to 10 times
    thicker, so z limits the grids above): Richardson within 0.3 % (mean) and 0.05 % (centroid); measured
    +0.06 / +0.2 / +0.14 % and < 0.02 %."""
    model = model_total(PLATES[plate], OFFSETS["eccentric"])
    coarse, fine = (fv_plate(PLATES[plate], OFFSETS["eccentric"], (nx, ny, 2 * nz)) for nx, ny, nz in GRIDS)
    for i, tol in ((0, 0.003), (1, 0.0005)):
        assert fine[i] + (fine[i] - coarse[i]) / 3.0 == pytest.approx(model[i], rel=tol)


def test_the_finite_volume_check_tells_the_pipes_axis(solves: dict) -> None:
    """The check can fail: the heat-pipe plate with its pipes' axis swapped, or its in-plane anisotropy averaged
    away, is further from the finite-volume solve than the tolerance above."""
    coarse, fine = solves[("heat-pipe", "eccentric")]
    extrapolated = fine[0] + (fine[0] - coarse[0]) / 3.0
    for wrong in ((500.0, 5000.0, 40.0), (math.sqrt(5000.0 * 500.0),) * 2 + (40.0,)):
        assert abs(model_total(wrong, OFFSETS["eccentric"])[0] / extrapolated - 1.0) > 0.02


@pytest.mark.parametrize("plate", ["isotropic", "vapour-chamber"])
def test_lee_through_the_transformation_is_within_its_accuracy(solves: dict, plate: str) -> None:
    """Lee's closed form (centred sources, about 10 % of the exact value on plates of aspect ratio up to 2: Lee
    et al. 1995) on the equivalent plate, against the finite-volume spreading part (total - t/(k_z A) - R0)."""
    k = PLATES[plate]
    coarse, fine = solves[(plate, "centred")]
    one_d = T_M / (k[2] * LX_M * LY_M) + R0
    lee = lee_spreading_orthotropic(SOURCE[0] * SOURCE[1], LX_M * LY_M, T_M, *k, R0)
    for i, value in ((0, lee.average), (1, lee.maximum)):
        fv_spreading = fine[i] + (fine[i] - coarse[i]) / 3.0 - one_d
        assert float(value) == pytest.approx(fv_spreading, rel=0.10)


def test_an_isotropic_plate_reduces_exactly() -> None:
    """k_x = k_y = k_z = k gives the isotropic functions bit for bit (the transformation is the identity)."""
    k = 388.0
    for offset in OFFSETS.values():
        assert series_spreading_orthotropic(*SOURCE, LX_M, LY_M, T_M, k, k, k, R0, *offset) == \
            series_spreading(*SOURCE, LX_M, LY_M, T_M, k, R0, *offset)
    assert lee_spreading_orthotropic(4e-4, 2.4e-3, T_M, k, k, k, R0) == lee_spreading(4e-4, 2.4e-3, T_M, k, R0)
    plate = equivalent_plate(T_M, k, k, k)
    assert (plate.scale_x, plate.scale_y, plate.thickness, plate.conductivity) == (1.0, 1.0, T_M, k)


def test_the_equivalent_plate_by_hand() -> None:
    """k_xy = sqrt(k_x k_y), k_eff = sqrt(k_xy k_z), t' = t sqrt(k_xy / k_z), in-plane scales (k_y/k_x)^(1/4)
    and (k_x/k_y)^(1/4) (Muzychka et al. 2004 for k_x = k_y; the in-plane stretch keeps areas): for 5000, 500,
    40 W/(m K): k_xy = 1581.14, k_eff = 251.49, t' = 6.28717 t, scales 0.56234 and 1.77828; t'/(k_eff A) is
    the through-plane 1-D resistance t/(k_z A)."""
    plate = equivalent_plate(T_M, 5000.0, 500.0, 40.0)
    assert plate.conductivity == pytest.approx(251.4867, rel=1e-6)
    assert plate.thickness / T_M == pytest.approx(6.287167, rel=1e-6)
    assert (plate.scale_x, plate.scale_y) == (pytest.approx(0.5623413, rel=1e-6), pytest.approx(1.778279, rel=1e-6))
    assert plate.scale_x * plate.scale_y == pytest.approx(1.0, rel=1e-15)
    assert plate.thickness / plate.conductivity == pytest.approx(T_M / 40.0, rel=1e-12)
    vc = series_spreading_orthotropic(*SOURCE, LX_M, LY_M, T_M, 2000.0, 2000.0, 20.0, R0, 0.01, 0.005)
    by_hand = series_spreading(*SOURCE, LX_M, LY_M, T_M * 10.0, 200.0, R0, 0.01, 0.005)   # sqrt(100) = 10
    assert vc.average == pytest.approx(by_hand.average, rel=1e-12)
    assert (vc.max_x, vc.max_y) == (pytest.approx(by_hand.max_x), pytest.approx(by_hand.max_y))
    with pytest.raises(ValueError, match="k_z must be a positive"):
        equivalent_plate(T_M, 100.0, 100.0, 0.0)


# ----------------------------------------------------------------------------------------------- end to end

VAPOUR_CHAMBER = "base: {kind: vapour-chamber, k_in_plane: 3000 W/(m*K), k_through: 30 W/(m*K)}"
LEGACY = "material: copper, source: [40 mm, 40 mm], required_margin: 5 K}"


def _tray(tmp_path: Path, package0: str | None) -> Path:
    """The fixed 1U tray copied to ``tmp_path``, package0's line given ``package0`` (None: as it is)."""
    shutil.copytree(EXAMPLES / "tray-1u" / "cad", tmp_path / "cad")
    text = (EXAMPLES / "tray-1u" / "fixed.yaml").read_text()
    first = text.index(LEGACY)
    if package0 is not None:
        text = text[:first] + LEGACY[:-1] + ", " + package0 + "}" + text[first + len(LEGACY):]
    path = tmp_path / "design.yaml"
    path.write_text(text)
    return path


def _check(cli: Callable[..., Run], path: Path) -> dict:
    result = cli("check", path, "--format", "json")
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


def test_a_vapour_chamber_base_raises_the_margin_by_the_predicted_amount(cli: Callable[..., Run],
                                                                         tmp_path: Path) -> None:
    """The example with package0's 5 mm copper base replaced by a vapour chamber (3000 / 30 W/(m K)): in every
    scenario the margin rises by P (R_sp,Cu + t/(k_Cu A) - R_sp,VC - t/(k_z A)) at that scenario's R_hs (the fins
    and their air do not change), each spreading value from the isotropic series directly, the vapour chamber's
    on its equivalent plate computed here by hand (k_eff = sqrt(3000 x 30) = 300 W/(m K), t' = 10 t)."""
    before = _check(cli, _tray(tmp_path / "a", None))
    after = _check(cli, _tray(tmp_path / "b", VAPOUR_CHAMBER))
    sink = next(s for s in after["thermal"]["heatsinks"] if s["part"] == "heatsink0")
    conductivity = {"unit": "W/K/m"}                                      # the reports' spelling of W/(m K)
    assert sink["base"] == {"kind": "vapour-chamber", "k_x": {"value": 3000.0, **conductivity},
                            "k_y": {"value": 3000.0, **conductivity}, "k_z": {"value": 30.0, **conductivity}}
    assert all("base" not in s for s in before["thermal"]["heatsinks"])
    text = cli("check", tmp_path / "b" / "design.yaml").out              # the text report names the base too
    assert "vapour-chamber base k 3000 x 3000 x 30 W/(m K) (x, y, through)" in text, text
    assert all("base" not in s for s in after["thermal"]["heatsinks"] if s["part"] != "heatsink0")
    bx, by = sink["width"]["value"] * 1e-3, sink["length"]["value"] * 1e-3   # the fin bank's footprint (x, y)
    t = sink["base_thickness"]["value"] * 1e-3
    k_cu = 388.0                                                           # models/materials.yaml, copper
    gained = []
    for old, new in zip(before["thermal"]["scenarios"], after["thermal"]["scenarios"], strict=True):
        c_old = next(c for c in old["components"] if c["part"] == "package0")
        c_new = next(c for c in new["components"] if c["part"] == "package0")
        r_hs = c_old["resistances"]["r_heatsink"]["value"]
        assert c_new["resistances"]["r_heatsink"]["value"] == pytest.approx(r_hs, rel=1e-5)
        copper = float(series_spreading(0.04, 0.04, bx, by, t, k_cu, r_hs, maximum=False).average)
        assert c_old["resistances"]["r_spreading"]["value"] == pytest.approx(copper, rel=2e-3)   # centred die
        chamber = float(series_spreading(0.04, 0.04, bx, by, 10.0 * t, 300.0, r_hs, maximum=False).average)
        predicted = 300.0 * (copper + t / (k_cu * bx * by) - chamber - t / (30.0 * bx * by))
        gain = c_new["margin"]["value"] - c_old["margin"]["value"]
        assert gain == pytest.approx(predicted, rel=3e-3, abs=2e-4)
        gained.append(gain)
    assert min(gained) > 5.0     # the 5 mm copper plate spreads 300 W from 40 x 40 mm poorly (R_sp 0.05 K/W)


@pytest.mark.parametrize(("new", "fragment"), [
    ("base: {kind: vapour-chamber, k_in_plane: 3000 W/(m*K)}", "a vapour-chamber base needs k_through"),
    ("base: {kind: vapour-chamber, k_in_plane: 3000 W/(m*K), k_through: 30 W/(m*K), k_along: 1 W/(m*K)}",
     "k_along is a key of kind: heat-pipe"),
    ("base: {kind: heat-pipe, k_along: 6000 W/(m*K), k_across: 400 W/(m*K), k_through: 200 W/(m*K)}",
     "a heat-pipe base needs direction: x or y"),
    ("base: {kind: vapour-chamber, k_in_plane: 3000 W/(m*K), k_through: 30 W/(m*K), direction: x}",
     "direction (the axis the heat pipes run along, x or y) is for kind: heat-pipe only"),
    ("base: {kind: vapour-chamber, k_in_plane: 3000 mm, k_through: 30 W/(m*K)}", "k_in_plane"),
    ("base: {kind: vapour-chamber, k_in_plane: 3e6 W/(m*K), k_through: 30 W/(m*K)}", "outside 1-100000"),
    ("base: {kind: vapour-chamber, material: copper}", "'copper' is not a vapour-chamber material"),
    ("base: {kind: heat-pipe, material: vapour-chamber-representative, direction: y}",
     "is not a heat-pipe material"),
    ("base: {kind: vapour-chamber, material: vapour-chamber-representative, k_through: 30 W/(m*K)}",
     "give either material or the conductivities"),
    ("base: {kind: cold-plate}", "'cold-plate' is not allowed"),
    ("base: vapour-chamber", "expected a mapping"),
])
def test_base_errors(cli: Callable[..., Run], tmp_path: Path, new: str, fragment: str) -> None:
    """Bad base keys are design errors (exit 2) naming the file and line, with what to do."""
    path = _tray(tmp_path, new)
    result = cli("check", path)
    assert result.code == 2, result.err + result.out[-2000:]
    assert fragment in result.err and "design.yaml:" in result.err, result.err


def test_an_orthotropic_material_is_not_a_fin_metal(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = _tray(tmp_path, None)
    path.write_text(path.read_text().replace("material: copper, source", "material: vapour-chamber-representative, "
                                             "source", 1))
    result = cli("check", path)
    assert result.code == 2 and "is an orthotropic base material" in result.err
    assert "base: {kind: vapour-chamber, material: vapour-chamber-representative}" in result.err


def test_heat_pipe_base_and_material_entry(cli: Callable[..., Run], tmp_path: Path) -> None:
    """``direction: y`` puts k_along on y; ``material:`` reads models/materials.yaml's entry."""
    from sledcheck.pipeline import load

    pipes = _tray(tmp_path / "a", "base: {kind: heat-pipe, k_along: 6000 W/(m*K), k_across: 400 W/(m*K), "
                                  "k_through: 200 W/(m*K), direction: y}")
    base = next(c for c in load(pipes).thermal.components if c.part == "package0").base
    assert (base.kind, base.k_x, base.k_y, base.k_z) == ("heat-pipe", 400.0, 6000.0, 200.0)
    entry = _tray(tmp_path / "b", "base: {kind: vapour-chamber, material: vapour-chamber-representative}")
    base = next(c for c in load(entry).thermal.components if c.part == "package0").base
    assert (base.k_x, base.k_y, base.k_z) == (870.0, 870.0, 40.0)
    assert base.source.startswith("vapour-chamber-representative: ")
