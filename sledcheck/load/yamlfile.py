"""YAML documents that remember the line of every key, so errors can point at the line.

``read_yaml(path)`` returns a :class:`YamlDocument`: the plain Python data (dicts, lists, scalars) and a
table from the path of each value (a tuple of keys and indices) to its 1-based line.

Files come from pull requests, so reading is bounded: only regular files (never a
FIFO or a device), at most ``SLEDCHECK_MAX_YAML_BYTES`` (4 MiB), UTF-8 text, no anchors or aliases, no tags
beyond the plain core ones, at most ``SLEDCHECK_MAX_YAML_NODES`` values (50 000), nesting at most
:data:`MAX_DEPTH` (64) deep, values at most ``SLEDCHECK_MAX_YAML_SCALAR`` characters (65 536), numbers at most
:data:`MAX_NUMBER_CHARS` characters. Each limit ends the read with a :class:`DesignError` naming the line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DesignError, InputLimitError, os_error_message

YamlPath = tuple[str | int, ...]

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 50_000     # ~0.4 s to refuse; real designs have a few thousand values
MAX_SCALAR = 65_536
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100
_CORE_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map"))
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's scanner when available (fast)


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


def limit(name: str, default: int) -> int:
    """The limit in environment variable ``name`` (a whole number of bytes/values), else ``default``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise DesignError(f"{name}={text!r} is not a positive whole number", hint=f"unset it (default {default})")
    return int(text)


def stat_input(path: Path, shown: str) -> os.stat_result:
    """``os.stat`` of an input file; missing, folders, FIFOs, devices, loops, long names are DesignErrors."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as err:
        message, hint = os_error_message(err)
        raise DesignError(message, file=shown, hint=hint) from None
    _require_regular(info, shown)
    return info


def _require_regular(info: os.stat_result, shown: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise DesignError("is a folder, not a file", file=shown, hint="give the path of a file in it")
    if not stat.S_ISREG(info.st_mode):
        raise DesignError("is not a regular file (a FIFO, device or socket); sledcheck reads only files",
                          file=shown, hint="give a path to a file on disk")


def read_input(path: Path, shown: str, max_bytes: int, limit_name: str) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (never blocks on a FIFO, never reads forever)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as err:
        message, hint = os_error_message(err)
        raise DesignError(message, file=shown, hint=hint) from None
    try:
        info = os.fstat(fd)
        _require_regular(info, shown)
        if info.st_size > max_bytes:
            raise _too_big(shown, info.st_size, max_bytes, limit_name)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as err:
        message, hint = os_error_message(err)
        raise DesignError(message, file=shown, hint=hint) from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise _too_big(shown, total, max_bytes, limit_name)
    return b"".join(chunks)


def _too_big(shown: str, size: int, max_bytes: int, limit_name: str) -> InputLimitError:
    return InputLimitError(f"the file is {size} bytes; the limit is {max_bytes} bytes", file=shown,
                           hint=f"is it the right file? to allow larger files set {limit_name}")


def decode_text(data: bytes, shown: str) -> str:
    """UTF-8 text of ``data``; binary data and invalid UTF-8 are DesignErrors naming the byte and line."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise DesignError(f"a binary file, not YAML text (NUL byte at byte offset {nul})", file=shown,
                          line=data.count(b"\n", 0, nul) + 1, hint="give the design YAML file, saved as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DesignError(f"not UTF-8 text: byte 0x{data[err.start]:02x} at byte offset {err.start}", file=shown,
                          line=data.count(b"\n", 0, err.start) + 1, hint="save the file as UTF-8") from None


def read_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read a YAML file within the limits; every problem becomes a :class:`DesignError` with the line."""
    shown = display or str(path)
    text = decode_text(read_input(path, shown, limit("SLEDCHECK_MAX_YAML_BYTES", MAX_BYTES),
                                  "SLEDCHECK_MAX_YAML_BYTES"), shown)
    node = _compose(text, shown)
    if node is None:
        return YamlDocument(path, None, {(): 1})
    lines: dict[YamlPath, int] = {}
    data = _build(node, (), lines, shown)
    return YamlDocument(path, data, lines)


def _compose(text: str, shown: str) -> yaml.Node | None:
    """The document's node tree from the parser's events, with the limits applied as it goes."""
    composer = _Composer(yaml.parse(text, Loader=_LOADER), shown)
    try:
        return composer.document()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if "nesting depth" in str(err.problem):   # libyaml's own limit (1000), above ours
            raise InputLimitError(f"lists and mappings nested more than {MAX_DEPTH} levels deep", file=shown,
                                  line=mark.line + 1 if mark else None, hint="flatten the structure") from None
        raise DesignError(f"not valid YAML: {err.problem or err}", file=shown, line=mark.line + 1 if mark else None,
                          hint="check indentation, colons and quotes") from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1 if isinstance(err.position, int) else None
        raise DesignError(f"not valid YAML: character {err.character!r} is not allowed in YAML", file=shown,
                          line=line, hint="remove control characters") from None
    except yaml.YAMLError as err:
        raise DesignError(f"not valid YAML: {err}", file=shown) from None
    except RecursionError:
        raise InputLimitError(f"nesting too deep (the limit is {MAX_DEPTH} levels)", file=shown) from None


class _Composer:
    """PyYAML's composer, with no anchors or aliases, core tags only, and limits on size and depth."""

    def __init__(self, events: Iterator[yaml.Event], shown: str) -> None:
        self.events = events
        self.pending: yaml.Event | None = None
        self.shown = shown
        self.nodes = 0
        self.max_nodes = limit("SLEDCHECK_MAX_YAML_NODES", MAX_NODES)
        self.max_scalar = limit("SLEDCHECK_MAX_YAML_SCALAR", MAX_SCALAR)
        self.resolver = yaml.resolver.Resolver()

    def fail(self, event: Any, message: str, hint: str, error: type[DesignError] = DesignError) -> DesignError:
        return error(message, file=self.shown, line=event.start_mark.line + 1, hint=hint)

    def document(self) -> yaml.Node | None:
        self.next()                              # StreamStartEvent
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        node = self.node(0)
        self.next()                              # DocumentEndEvent
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise self.fail(event, "more than one YAML document in the file",
                            "keep one document: remove the '---' line")
        return node

    def node(self, depth: int) -> yaml.Node:
        event: Any = self.next()
        self.admit(event, depth)
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event)
        tag = event.tag if event.tag not in (None, "!") else None
        start: Any = event.start_mark   # the stubs split pure-Python and libyaml marks; both work here
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(self.peek(), yaml.SequenceEndEvent):
                items.append(self.node(depth + 1))
            end: Any = self.next()
            return yaml.SequenceNode(tag or "tag:yaml.org,2002:seq", items, start, end.end_mark,
                                     flow_style=event.flow_style)
        pairs = []
        while not isinstance(self.peek(), yaml.MappingEndEvent):
            pairs.append((self.node(depth + 1), self.node(depth + 1)))
        end = self.next()
        return yaml.MappingNode(tag or "tag:yaml.org,2002:map", pairs, event.start_mark, end.end_mark,
                                flow_style=event.flow_style)

    def next(self) -> Any:
        event, self.pending = (self.pending, None) if self.pending is not None else (next(self.events), None)
        return event

    def peek(self) -> Any:
        if self.pending is None:
            self.pending = next(self.events)
        return self.pending

    def admit(self, event: Any, depth: int) -> None:
        """Refuse aliases, anchors, non-core tags and documents over the node and depth limits."""
        if isinstance(event, yaml.AliasEvent):
            raise self.fail(event, f"YAML aliases (*{event.anchor}) are not supported",
                            "write the value out in full instead of referring to an anchor")
        if getattr(event, "anchor", None):
            raise self.fail(event, f"YAML anchors (&{event.anchor}) are not supported",
                            "remove the anchor and write each value out in full")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in _CORE_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise self.fail(event, f"the YAML tag {shown[:60]!r} is not allowed", "remove the tag; sledcheck "
                            "reads plain values: text, numbers, true/false, lists and mappings")
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self.fail(event, f"more than {self.max_nodes} YAML values", "a design needs far fewer; to "
                            "allow more set SLEDCHECK_MAX_YAML_NODES", InputLimitError)
        if depth >= MAX_DEPTH:
            raise self.fail(event, f"lists and mappings nested more than {MAX_DEPTH} levels deep",
                            "flatten the structure", InputLimitError)

    def scalar(self, event: Any) -> yaml.ScalarNode:
        if len(event.value) > self.max_scalar:
            raise self.fail(event, f"a value of {len(event.value)} characters; the limit is {self.max_scalar}",
                            "shorten it; to allow longer values set SLEDCHECK_MAX_YAML_SCALAR", InputLimitError)
        tag = event.tag
        if tag in (None, "!"):
            tag = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)


def _build(node: yaml.Node, path: YamlPath, lines: dict[YamlPath, int], shown: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise DesignError("YAML merge keys (<<) are not supported", file=shown,
                                  line=key_node.start_mark.line + 1)
            key = _scalar(key_node, shown)
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
    return _scalar(node, shown)


def _scalar(node: yaml.Node, shown: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay text ('2027-03-31'); the schema parses them
    line = node.start_mark.line + 1
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and len(node.value) > MAX_NUMBER_CHARS:
        raise InputLimitError(f"a number of {len(node.value)} characters; the limit is {MAX_NUMBER_CHARS}",
                              file=shown, line=line, hint="write it in exponent form such as 1e30, or quote it")
    try:
        value = _CONSTRUCTOR.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as err:
        raise DesignError(f"cannot read the value {node.value[:40]!r}: {err}", file=shown, line=line) from None
    finally:
        _CONSTRUCTOR.constructed_objects.clear()   # it would otherwise keep every node alive
    return value
