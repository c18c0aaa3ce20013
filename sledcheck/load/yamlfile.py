"""YAML documents that remember the line of every key, so errors can point at the line.

``read_yaml(path)`` returns a :class:`YamlDocument`: the plain Python data (dicts, lists, scalars) and a
table from the path of each value (a tuple of keys and indices) to its 1-based line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DesignError

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML data with the line of each value [1-based]."""

    path: Path
    data: Any
    lines: dict[YamlPath, int] = field(repr=False)

    def line(self, *path: str | int) -> int:
        """Line of ``path``, or of its nearest ancestor that exists; 1 for the document."""
        key: YamlPath = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def read_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read a YAML file; syntax errors and duplicate keys become :class:`DesignError` with the line."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DesignError("file not found", file=shown, hint="check the path") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DesignError(f"cannot read the file: {err}", file=shown) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise DesignError(
            f"not valid YAML: {err.problem or err}", file=shown, line=line,
            hint="check indentation, colons and quotes",
        ) from None
    except yaml.YAMLError as err:
        raise DesignError(f"not valid YAML: {err}", file=shown) from None
    lines: dict[YamlPath, int] = {}
    if node is None:
        return YamlDocument(path, None, {(): 1})
    data = _build(node, (), lines, shown)
    return YamlDocument(path, data, lines)


def _build(node: yaml.Node, path: YamlPath, lines: dict[YamlPath, int], shown: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise DesignError("YAML merge keys (<<) are not supported", file=shown,
                                  line=key_node.start_mark.line + 1)
            key = _scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise DesignError("a key must be plain text", file=shown, line=key_node.start_mark.line + 1)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise DesignError(f"key {key!r} appears twice", file=shown, line=key_node.start_mark.line + 1,
                                  hint="keep one of them")
            child = (*path, key)
            result[key] = _build(value_node, child, lines, shown)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, shown) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay text ('2027-03-31'); the schema parses them
    return yaml.constructor.SafeConstructor().construct_object(node)
