"""Read YAML, TOML and CSV text, keeping the line of every key for error messages."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from quizgen.errors import ContentError, Problem, rel
from quizgen.text.labels import letter_label


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A sequence that remembers the line of each element (1-based)."""

    line: int = 0
    item_lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # base chosen at run time (C loader when built)
    """SafeLoader (libyaml's parser where available) whose mappings and sequences carry line numbers."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "keys must be plain scalars", key_node.start_mark)
        key = str(key)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings: pydantic parses them, and "2024-10-21" never silently turns into another type.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, turning OS and decoding errors into content problems."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ContentError(Problem(rel(path), None, "file", "not found; check the path")) from exc
    except IsADirectoryError as exc:
        raise ContentError(Problem(rel(path), None, "file", "is a folder, expected a file")) from exc
    except OSError as exc:
        raise ContentError(Problem(rel(path), None, "file", f"cannot be read ({exc.strerror}); fix its permissions")) from exc
    try:
        return data.decode("utf-8").removeprefix("\ufeff")  # editors on Windows may save UTF-8 with a BOM
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(Problem(rel(path), line, "encoding", f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8")) from exc


def load_yaml(path: Path) -> Any:
    """Parse one YAML document; syntax errors become a problem with the line."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        raise ContentError(Problem(rel(path), line, "yaml", f"malformed YAML: {what}; fix the syntax")) from exc
    except yaml.YAMLError as exc:
        raise ContentError(Problem(rel(path), None, "yaml", f"malformed YAML: {exc}")) from exc


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; returns the data and its text (to locate keys later)."""
    text = read_text(path)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_AT.search(str(exc))
        line = int(m.group(1)) if m else None
        msg = _TOML_AT.sub("", str(exc)).strip()
        raise ContentError(Problem(rel(path), line, "toml", f"malformed TOML: {msg}; fix the syntax")) from exc


def toml_key_line(text: str, key: str) -> int | None:
    """The line where `key = ...` is set in a flat TOML file."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.M)
    m = pattern.search(text)
    return text[: m.start()].count("\n") + 1 if m else None


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """Follow a pydantic error location through LineDict/LineList to the best known line."""
    best = getattr(data, "line", None) or None
    node = data
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            best = node.key_lines.get(part, best)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.item_lines[part]
            node = node[part]
        elif isinstance(node, LineDict) and isinstance(part, str) and part == node.get("kind"):
            continue  # a discriminated union's tag (items.0.fact.value): not a key, keep descending
        else:
            break
    return best


def decode_csv(data: bytes, where: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 as Excel saves CSV on Chinese Windows."""
    if data.startswith(b"PK\x03\x04"):
        raise ContentError(Problem(where, None, "encoding", "this is an Excel workbook, not CSV text; name it .xlsx"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text
    line, column = _first_unreadable(data)
    raise ContentError(Problem(where, line, f"column {letter_label(column)}" if line else "encoding",
                               "cannot read the text here: the file is neither UTF-8 nor GB18030; "
                               "save it from your spreadsheet as “CSV UTF-8” and try again"))


def _first_unreadable(data: bytes) -> tuple[int | None, int]:
    """Line and column (by commas before it) of the first byte UTF-8 cannot read."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        start = before.rfind(b"\n") + 1
        return before.count(b"\n") + 1, before[start:].count(b",")
    return None, 0


def parse_csv(text: str) -> list[list[str]]:
    """Rows of cells; comma-separated, or tab/semicolon when the header uses those instead."""
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
