"""sledcheck: check AI-accelerator server sled designs (CAD exports) for fit and air-cooling margin.

Python API (see the README)::

    from sledcheck import check, Q_
    report = check("examples/tray-1u/fixed.yaml")
    report.verdict, report.exit_code, report.findings

The names below are imported on first use, so ``import sledcheck`` (and ``sledcheck --version``) stays fast.
"""

from __future__ import annotations

from typing import Any

from .version import __version__

_LAZY = {"check": ("pipeline", "check"), "Q_": ("units", "Q_"), "ureg": ("units", "ureg"),
         "SledcheckError": ("errors", "SledcheckError")}

__all__ = ["Q_", "SledcheckError", "__version__", "check", "ureg"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sledcheck' has no attribute {name!r}")
