"""Output formats: each a pure function from a :class:`Report` to text."""

from __future__ import annotations

from collections.abc import Callable

from .github import render_github
from .html import render_html
from .json_format import render_json
from .junit import render_junit
from .markdown import render_markdown
from .model import Report
from .sarif import render_sarif
from .text import render_text

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "markdown": render_markdown,
    "github": render_github,
    "html": render_html,
}

__all__ = ["FORMATS", "Report", "render_github", "render_html", "render_json", "render_junit", "render_markdown",
           "render_sarif", "render_text"]
