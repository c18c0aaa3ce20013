"""Output formats: each a pure function from a :class:`Report` to text."""

from __future__ import annotations

from collections.abc import Callable

from .json_format import render_json
from .model import Report
from .text import render_text

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
}

__all__ = ["FORMATS", "Report", "render_json", "render_text"]
