"""IDF 3.0 files as records: bounded reading, tokens (quoted strings kept whole) and sections with line numbers.

An IDF file is plain text: sections open with ``.NAME [owner]`` and close with ``.END_NAME``; records are
whitespace-separated fields, a field in double quotes may hold spaces; lines starting with ``#`` are comments
(IDF 3.0 specification, section 3: file structure). Every error names the file and the line.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ...errors import MeshLoadError, os_error_message

MAX_BYTES_ENV = "SLEDCHECK_MAX_IDF_BYTES"
MAX_BYTES = 256 * 1024**2       # an IDF file larger than this is refused [bytes]
MAX_LINE = 4096                 # longest line [characters]; the specification's records are far shorter
MAX_FIELDS = 64                 # fields in one record
MAX_RECORDS = 5_000_000         # records in one section
MAX_COORDINATE = 1e9            # largest |number| in the file's units: beyond it the file is corrupt
MAX_POINTS = 20_000_000         # outline points of one file once its arcs are cut into chords
REEXPORT = "the file is damaged or not IDF 3.0; re-export it from the ECAD tool"


@dataclass(frozen=True)
class Record:
    """One line of fields and its line number (1-based)."""

    fields: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Section:
    """``.NAME owner`` ... ``.END_NAME``: its name (upper case), the fields after the name, its records."""

    name: str
    head: tuple[str, ...]
    records: tuple[Record, ...]
    line: int


class Reader:
    """Reads one IDF file into sections; ``error`` builds the file's errors."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self.points_left = MAX_POINTS

    def spend(self, points: int, line: int) -> None:
        """Count ``points`` of outline against the file's budget (arcs make many points of one record)."""
        self.points_left -= points
        if self.points_left < 0:
            raise self.error(f"the outlines make more than {MAX_POINTS:,} points once their arcs are cut into "
                             "chords", line)

    def error(self, message: str, line: int | None = None, hint: str | None = REEXPORT) -> MeshLoadError:
        return MeshLoadError(message, file=self.display, line=line, hint=hint)

    def text(self) -> str:
        """The file's text (bounded by SLEDCHECK_MAX_IDF_BYTES; NUL bytes refused; latin-1 beyond UTF-8)."""
        limit = _max_bytes(self.display)
        try:
            if not stat.S_ISREG(os.stat(self.path).st_mode):   # before opening: a FIFO would block the open
                raise self.error("is not a regular file (a folder, pipe or device)", hint="give the IDF file itself")
            with open(self.path, "rb") as handle:
                data = handle.read(limit + 1)
        except (OSError, ValueError) as err:
            message, hint = os_error_message(err)
            raise self.error(message, hint=hint) from None
        if len(data) > limit:
            raise self.error(f"the file is larger than {limit:,} bytes", hint=f"raise {MAX_BYTES_ENV} if it is real")
        if not data.strip():
            raise self.error("the file is empty", hint="re-export it from the ECAD tool")
        if b"\0" in data:
            at = data[:data.index(b"\0")].count(b"\n") + 1
            raise self.error(f"the file holds a NUL byte at line {at}: it is binary, not IDF text", at)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("latin-1")

    def sections(self) -> list[Section]:
        """Every section of the file in order; text outside sections other than comments is an error."""
        out: list[Section] = []
        current: tuple[str, tuple[str, ...], int] | None = None
        records: list[Record] = []
        for number, raw in enumerate(self.text().splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if len(line) > MAX_LINE:
                raise self.error(f"line {number} is {len(line):,} characters long (at most {MAX_LINE:,})", number)
            fields = self.split(line, number)
            keyword = fields[0].upper()
            if keyword.startswith(".END_"):
                if current is None or keyword[5:] != current[0]:
                    opened = f"'.{current[0]}' (line {current[2]})" if current else "no section"
                    raise self.error(f"'{fields[0]}' closes {opened}", number)
                out.append(Section(current[0], current[1], tuple(records), current[2]))
                current, records = None, []
            elif keyword.startswith(".") and len(keyword) > 1 and not _is_number(keyword):
                if current is not None:
                    raise self.error(f"section '.{current[0]}' (line {current[2]}) is not closed before "
                                     f"'{fields[0]}'", number, f"add '.END_{current[0]}' before line {number}")
                current = (keyword[1:], fields[1:], number)
            elif current is None:
                raise self.error(f"a record outside any section: {_short(line)!r}", number)
            else:
                if len(records) >= MAX_RECORDS:
                    raise self.error(f"section '.{current[0]}' has more than {MAX_RECORDS:,} records", number)
                records.append(Record(fields, number))
        if current is not None:
            raise self.error(f"section '.{current[0]}' (line {current[2]}) is never closed: the file is truncated",
                             current[2], f"add '.END_{current[0]}' or re-export the file")
        return out

    def split(self, line: str, number: int) -> tuple[str, ...]:
        """The fields of a line; a double-quoted field keeps its spaces (quotes removed)."""
        fields: list[str] = []
        i, n = 0, len(line)
        while i < n:
            if line[i].isspace():
                i += 1
                continue
            if line[i] == '"':
                end = line.find('"', i + 1)
                if end < 0:
                    raise self.error(f"a quoted field is not closed: {_short(line)!r}", number)
                fields.append(line[i + 1:end])
                i = end + 1
            else:
                end = i
                while end < n and not line[end].isspace():
                    end += 1
                fields.append(line[i:end])
                i = end
            if len(fields) > MAX_FIELDS:
                raise self.error(f"a record of more than {MAX_FIELDS} fields", number)
        return tuple(fields)

    def number(self, record: Record, index: int, what: str, *, positive: bool = False,
               non_negative: bool = False) -> float:
        """Field ``index`` of ``record`` as a finite number within MAX_COORDINATE, named ``what`` in errors."""
        if index >= len(record.fields):
            raise self.error(f"the record has no {what} (field {index + 1}): {_short(' '.join(record.fields))!r}",
                             record.line)
        text = record.fields[index]
        try:
            value = float(text) if len(text) <= 40 else math.nan
        except ValueError:
            raise self.error(f"{what} {_short(text)!r} is not a number", record.line) from None
        if not math.isfinite(value) or abs(value) > MAX_COORDINATE:
            raise self.error(f"{what} {_short(text)!r} is not a usable number (finite, at most "
                             f"{MAX_COORDINATE:.0e})", record.line)
        if positive and value <= 0:
            raise self.error(f"{what} {text} must be positive", record.line)
        if non_negative and value < 0:
            raise self.error(f"{what} {text} must not be negative", record.line)
        return value

    def field(self, record: Record, index: int, what: str, choices: tuple[str, ...] | None = None) -> str:
        """Field ``index`` of ``record`` (upper-cased and checked when ``choices`` are given)."""
        if index >= len(record.fields):
            raise self.error(f"the record has no {what} (field {index + 1}): {_short(' '.join(record.fields))!r}",
                             record.line)
        value = record.fields[index]
        if choices is not None:
            if value.upper() not in choices:
                raise self.error(f"{what} {_short(value)!r} is not one of {', '.join(choices)}", record.line)
            return value.upper()
        return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _max_bytes(display: str) -> int:
    text = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not text:
        return MAX_BYTES
    if not text.isdigit() or int(text) <= 0:
        raise MeshLoadError(f"{MAX_BYTES_ENV}={text!r} is not a positive whole number of bytes", file=display,
                            hint=f"unset it (default {MAX_BYTES:,})")
    return int(text)


def iter_records(section: Section, start: int = 0) -> Iterator[Record]:
    """The section's records from ``start`` on."""
    yield from section.records[start:]
