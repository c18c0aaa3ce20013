"""The ready-to-copy CI integrations in examples/ci parse, and their sledcheck command lines are valid."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from conftest import EXAMPLES, ROOT
from sledcheck.cli import build_parser

FILES = sorted((EXAMPLES / "ci").glob("*.y*ml")) + [ROOT / ".pre-commit-hooks.yaml"]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_ci_file_is_valid_yaml(path) -> None:  # type: ignore[no-untyped-def]
    assert yaml.safe_load(path.read_text()) is not None


def test_command_lines_parse_with_the_real_parser() -> None:
    text = "\n".join(p.read_text() for p in FILES)
    found = re.findall(r"sledcheck check (?:[^\n\\]|\\\n)*", text)
    commands = [re.sub(r"\\\n\s*", " ", m) for m in found]
    assert len(commands) >= 2                  # GitHub Actions and GitLab CI
    for command in commands:
        args = shlex.split(command)[1:]
        parsed = build_parser().parse_args(args)
        assert parsed.command == "check"
        for item in parsed.output:
            assert item.split("=", 1)[0] in {"sarif", "markdown", "html", "junit", "json", "text", "github"}
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"] == "sledcheck check"
