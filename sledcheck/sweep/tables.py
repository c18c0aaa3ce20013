"""A sweep as tables: CSV (contract.md, "Sweeps and Monte Carlo"), Parquet and JSON, every number written the
same way whatever ran the cases (so local and distributed runs give identical files)."""

from __future__ import annotations

import csv
import io
from typing import Any

from . import SweepResult
from .run import CaseResult


def columns(result: SweepResult) -> list[str]:
    """``case``, one column per variable (its unit in the header), ``fit``, ``margin:COMPONENT [K]`` each,
    ``verdict``, then ``fit_stackups``, ``failing`` and ``error``."""
    return (["case", *(v.header for v in result.variables), "fit"]
            + [f"margin:{c} [K]" for c in result.components] + ["verdict", "fit_stackups", "failing", "error"])


def rows(result: SweepResult) -> list[list[Any]]:
    """One row per case, values as numbers (None where a case has no margin)."""
    out = []
    for values, case in zip(result.values, result.cases, strict=True):
        margins = {m[0]: round(m[1], 6) for m in case.margins}
        out.append([case.index, *values, case.fit, *(margins.get(c) for c in result.components), case.verdict,
                    case.fit_stackups, " ".join(case.failing), case.error])
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def csv_text(result: SweepResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(result))
    for row in rows(result):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def parquet_bytes(result: SweepResult) -> bytes:
    """The CSV's table as Parquet (pyarrow; the ``parquet`` extra)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from ..errors import SledcheckError

        raise SledcheckError("--output parquet=... needs pyarrow", hint="pip install 'sledcheck[parquet]'") from None
    names = columns(result)
    table = pa.table({name: [row[k] for row in rows(result)] for k, name in enumerate(names)})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def window(result: SweepResult) -> dict[str, Any]:
    """Where the design passes: how many cases, and for each numeric variable the range the passing cases
    span (null when none pass)."""
    passing = [values for values, case in zip(result.values, result.cases, strict=True) if case.verdict == "pass"]
    ranges: dict[str, Any] = {}
    for k, variable in enumerate(result.variables):
        numbers = [v[k] for v in passing if isinstance(v[k], float)]
        ranges[variable.path] = ({"min": min(numbers), "max": max(numbers), "unit": variable.unit}
                                 if numbers else None)
    return {"passing": len(passing), "cases": len(result.cases), "ranges": ranges}


def case_dict(result: SweepResult, case: CaseResult) -> dict[str, Any]:
    values = result.values[case.index]
    return {"case": case.index,
            "values": {v.path: {"value": x, "unit": v.unit} for v, x in zip(result.variables, values, strict=True)},
            "fit": case.fit, "fit_stackups": case.fit_stackups,
            "margins": {m[0]: {"value": round(m[1], 6), "unit": "K", "required": m[2], "scenario": m[3]}
                        for m in case.margins},
            "verdict": case.verdict, "failing": list(case.failing), "error": case.error or None}


def json_dict(result: SweepResult) -> dict[str, Any]:
    best = result.best
    return {
        "design": result.design, "sample": result.sample, "seed": result.seed,
        "variables": [{"path": v.path, "unit": v.unit, "low": v.low, "high": v.high, "count": v.count or None,
                       "choices": list(v.choices) or None} for v in result.variables],
        "components": list(result.components),
        "window": window(result),
        "best": case_dict(result, best) if best else None,
        "cases": [case_dict(result, c) for c in result.cases],
    }
