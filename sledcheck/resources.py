"""Where the built-in data lives: the repository's ``specs/`` and ``models/`` folders in a checkout or an
editable install, or ``<prefix>/share/sledcheck/`` after a regular ``pip install`` (pyproject data-files)."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path


def _data_dir(name: str) -> Path:
    checkout = Path(__file__).resolve().parents[1] / name
    if checkout.is_dir():
        return checkout
    for prefix in (sys.prefix, sysconfig.get_paths()["data"]):
        installed = Path(prefix) / "share" / "sledcheck" / name
        if installed.is_dir():
            return installed
    return checkout


SPECS = _data_dir("specs")
MODELS = _data_dir("models")
