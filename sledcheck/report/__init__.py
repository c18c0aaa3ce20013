"""Output formats: each a pure function from a :class:`Report` to text (``FORMATS``: name -> function).

The renderers are imported on first use, so the command line can list the format names without loading them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Report

#: Format name -> (module, renderer function).
RENDERERS = {
    "text": ("text", "render_text"),
    "json": ("json_format", "render_json"),
    "junit": ("junit", "render_junit"),
    "sarif": ("sarif", "render_sarif"),
    "markdown": ("markdown", "render_markdown"),
    "github": ("github", "render_github"),
    "html": ("html", "render_html"),
}
FORMAT_NAMES = tuple(RENDERERS)


def renderer(name: str) -> Callable[[Report], str]:
    """The renderer of the format ``name`` (a key of :data:`RENDERERS`)."""
    module, function = RENDERERS[name]
    render: Callable[[Report], str] = getattr(importlib.import_module(f".{module}", __name__), function)
    return render


def __getattr__(name: str) -> Any:
    if name == "FORMATS":
        return {fmt: renderer(fmt) for fmt in RENDERERS}
    if name == "Report":
        from .model import Report

        return Report
    for fmt, (_module, function) in RENDERERS.items():
        if name == function:
            return renderer(fmt)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FORMATS", "FORMAT_NAMES", "RENDERERS", "Report", "render_github", "render_html", "render_json",
           "render_junit", "render_markdown", "render_sarif", "render_text", "renderer"]
