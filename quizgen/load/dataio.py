"""Read YAML, TOML, CSV and zip members within limits, keeping the line of every key for error messages.

Every reader of user files goes through here, so a hostile or broken file (an alias bomb, nesting ten thousand deep,
a sheet whose header claims a million rows, a zip that inflates to gigabytes) is refused with a located one-line
error before it costs memory or time. The limits are `LIMITS` below; each is raised by its environment variable
(docs/how-to/limits.md).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from quizgen.errors import ContentError, Problem, brief, rel
from quizgen.text.labels import letter_label


@dataclass(frozen=True)
class Limit:
    """One bound on what a reader accepts; `QUIZGEN_MAX_<NAME>` raises (or lowers) it."""

    env: str
    default: int
    what: str

    def value(self) -> int:
        """The bound in force: the environment variable when set (a positive whole number), else the default."""
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        if not raw:
            return self.default
        if not raw.isdigit() or int(raw) <= 0:
            raise ContentError(Problem(self.env, None, "environment", f"{raw!r} is not a positive whole number; unset it or give the new limit for {self.what}"))
        return int(raw)

    def hint(self) -> str:
        return f"set {self.env} above {self.value()} for a genuinely larger file"


MiB = 1024 * 1024
TEXT_BYTES = Limit("QUIZGEN_MAX_TEXT_BYTES", 32 * MiB, "a YAML, TOML or Markdown file (bytes)")
YAML_ALIASES = Limit("QUIZGEN_MAX_YAML_ALIASES", 1_000, "aliases (`*name`) in one YAML file")
YAML_NODES = Limit("QUIZGEN_MAX_YAML_NODES", 200_000, "values in one YAML file, counting each alias as the whole value it repeats")
NESTING = Limit("QUIZGEN_MAX_NESTING", 64, "levels of nesting in a YAML or TOML file")
CSV_BYTES = Limit("QUIZGEN_MAX_CSV_BYTES", 8 * MiB, "a CSV file: class sheet or key (bytes)")
ROWS = Limit("QUIZGEN_MAX_ROWS", 10_000, "rows of a class sheet or key (CSV or xlsx)")
COLUMNS = Limit("QUIZGEN_MAX_COLUMNS", 1_000, "columns of a class sheet or key (CSV or xlsx)")
CELL_CHARS = Limit("QUIZGEN_MAX_CELL_CHARS", 32_767, "characters in one CSV cell (Excel's own limit)")
XLSX_BYTES = Limit("QUIZGEN_MAX_XLSX_BYTES", 64 * MiB, "a workbook once unzipped (bytes, all parts together)")
XLSX_CELLS = Limit("QUIZGEN_MAX_XLSX_CELLS", 2_000_000, "cells of one workbook sheet, counting the empty ones up to the last in each row")
COLLECTION_BYTES = Limit("QUIZGEN_MAX_COLLECTION_BYTES", 512 * MiB, "an Anki collection once decompressed from a .colpkg (bytes)")
STATE_BYTES = Limit("QUIZGEN_MAX_STATE_BYTES", 512 * MiB, "a deck's note state, decks/state/*.json (bytes; it keeps every note's fields)")
LIMITS = (TEXT_BYTES, YAML_ALIASES, YAML_NODES, NESTING, CSV_BYTES, ROWS, COLUMNS, CELL_CHARS, XLSX_BYTES, XLSX_CELLS, COLLECTION_BYTES,
          STATE_BYTES)
"""Every limit, in the order docs/how-to/limits.md lists them."""


class LimitExceeded(ContentError):
    """An input is larger than a limit allows."""


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    """A sequence that remembers the line of each element (1-based)."""

    line: int = 0
    item_lines: list[int]


class _Budget(yaml.MarkedYAMLError):
    """A YAML file went over a limit (found on its node graph, before any value was built)."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # base chosen at run time (C loader when built)
    """SafeLoader (libyaml's parser where available) whose mappings and sequences carry line numbers."""


def _check_graph(root: yaml.Node) -> None:
    """Refuse a node graph over the alias, value or nesting budget, or with a loop, before it is built into values.

    Composing does not expand aliases (each alias is the anchored node itself, shared), so a 500-byte bomb is a
    graph of a few dozen nodes here; what it would expand to is counted on that graph, each shared node once.
    """
    max_aliases, max_nodes, max_depth = YAML_ALIASES.value(), YAML_NODES.value(), NESTING.value()
    size: dict[int, int] = {}
    """id(collection node) -> values it stands for, expanded (capped just above the budget)."""
    open_nodes: set[int] = set()
    aliases = 0
    scalar, mapping = yaml.ScalarNode, yaml.MappingNode

    def walk(node: yaml.Node, parent: yaml.Node, depth: int) -> int:
        nonlocal aliases
        key = id(node)
        if key in size:
            aliases += 1
            if aliases > max_aliases:
                raise _Budget(None, None, f"too many aliases: more than {max_aliases} (`*name`) in one file; {YAML_ALIASES.hint()}", parent.start_mark)
            return size[key]
        if key in open_nodes:
            raise _Budget(None, None, "an alias inside the value it names (a loop); remove it", parent.start_mark)
        if depth > max_depth:
            raise _Budget(None, None, f"too deep: more than {max_depth} levels of nesting; {NESTING.hint()}", node.start_mark)
        open_nodes.add(key)
        total = 1
        children = (c for pair in node.value for c in pair) if node.__class__ is mapping else node.value
        for child in children:
            total += 1 if child.__class__ is scalar else walk(child, node, depth + 1)
            if total > max_nodes:
                raise _Budget(None, None, f"too many values: more than {max_nodes} once aliases are expanded (an alias bomb?); {YAML_NODES.hint()}", node.start_mark)
        open_nodes.discard(key)
        size[key] = total
        return total

    if root.__class__ is not scalar:
        walk(root, root, 1)


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


def read_text(path: Path, limit: Limit = TEXT_BYTES) -> str:
    """Read a UTF-8 text file, turning OS and decoding errors into content problems."""
    try:
        data = read_capped(path, limit)
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


def read_capped(path: Path, limit: Limit) -> bytes:
    """A file's bytes, refusing (before reading them all) one larger than the limit."""
    cap = limit.value()
    with path.open("rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(Problem(rel(path), None, "file", f"too large: more than {cap} bytes; {limit.hint()}"))
    return data


def load_yaml(path: Path) -> Any:
    """Parse one YAML document; syntax errors become a problem with the line."""
    return parse_yaml(read_text(path), rel(path))


def parse_yaml(text: str, where: str, *, first_line: int = 1, field: str = "yaml") -> Any:
    """Parse YAML text (from `where`, starting at `first_line`) within the alias, node and nesting budgets."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        return loader.construct_document(node)
    except RecursionError:  # only without libyaml, whose parser stops at 1000 levels itself
        raise LimitExceeded(Problem(where, None, field, f"too deep to read; {NESTING.hint()}")) from None
    except _Budget as exc:
        line = exc.problem_mark.line + first_line if exc.problem_mark else None
        raise LimitExceeded(Problem(where, line, field, str(exc.problem))) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        what = exc.problem or str(exc)
        raise ContentError(Problem(where, line, field, f"malformed YAML: {brief(what)}; fix the syntax")) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(where, None, field, f"malformed YAML: {brief(str(exc))}")) from None
    finally:
        loader.dispose()


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")


def load_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a TOML file; returns the data and its text (to locate keys later)."""
    text = read_text(path)
    deep = _toml_too_deep(text, NESTING.value())
    if deep is not None:
        raise LimitExceeded(Problem(rel(path), deep, "toml", f"too deep: more than {NESTING.value()} levels of nested arrays or tables; {NESTING.hint()}"))
    try:
        return tomllib.loads(text), text
    except RecursionError:
        raise LimitExceeded(Problem(rel(path), None, "toml", f"too deep to read; {NESTING.hint()}")) from None
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_AT.search(str(exc))
        line = int(m.group(1)) if m else None
        msg = _TOML_AT.sub("", str(exc)).strip()
        raise ContentError(Problem(rel(path), line, "toml", f"malformed TOML: {msg}; fix the syntax")) from exc


_TOML_TOKEN = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]|\n', re.S)


def _toml_too_deep(text: str, limit: int) -> int | None:
    """The line where arrays and inline tables nest deeper than `limit` (tomllib recurses once per level), else None.

    Strings and comments are skipped; a malformed file is left to tomllib to report.
    """
    depth, line = 0, 1
    for m in _TOML_TOKEN.finditer(text):
        piece = m.group()
        if piece in ("[", "{"):
            depth += 1
            if depth > limit:
                return line
        elif piece in ("]", "}"):
            depth = max(depth - 1, 0)
        line += piece.count("\n")
    return None


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


def read_csv_bytes(path: Path) -> bytes:
    """A CSV file's bytes, within the CSV byte limit."""
    return read_capped(path, CSV_BYTES)


def parse_csv(text: str, where: str) -> list[list[str]]:
    """Rows of cells, within the row, column and cell limits; comma-separated, or tab/semicolon when the header uses those."""
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    max_rows, max_columns, max_cell = ROWS.value(), COLUMNS.value(), CELL_CHARS.value()
    if max_cell > csv.field_size_limit():
        csv.field_size_limit(max_cell)  # the csv module's own bound is process-wide; ours is checked below per cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            line = reader.line_num
            if len(rows) >= max_rows:
                raise LimitExceeded(Problem(where, line, "rows", f"too many rows: more than {max_rows}; {ROWS.hint()}"))
            if len(row) > max_columns:
                raise LimitExceeded(Problem(where, line, "columns", f"too many columns: {len(row)}, more than {max_columns}; {COLUMNS.hint()}"))
            for i, cell in enumerate(row):
                if len(cell) > max_cell:
                    raise LimitExceeded(Problem(where, line, f"column {letter_label(i)}", f"a cell of {len(cell)} characters, more than {max_cell}; {CELL_CHARS.hint()}"))
            rows.append(row)
    except csv.Error as exc:
        too_long = "field larger than field limit" in str(exc)
        raise (LimitExceeded if too_long else ContentError)(Problem(
            where, reader.line_num or 1, "csv",
            f"a cell of more than {max_cell} characters; {CELL_CHARS.hint()}" if too_long else f"cannot read the CSV here ({exc}); save it again from your spreadsheet")) from None
    return rows


# --- zip members and workbooks -----------------------------------------------------------------


def check_zip(zf: Any, where: str, limit: Limit, *, what: str) -> None:
    """Refuse a zip whose members add up to more than the limit once unpacked.

    zipfile never yields more bytes of a member than its declared size (it stops there and fails the CRC), so the
    declared sizes bound everything any later reader gets out of it, however small the file on disk.
    """
    cap = limit.value()
    infos = zf.infolist()
    if len(infos) > 10_000:
        raise LimitExceeded(Problem(where, None, what, f"a zip of {len(infos)} parts; this is not a {what} quizgen can read"))
    total = sum(i.file_size for i in infos)
    if total > cap:
        raise LimitExceeded(Problem(where, None, what, f"too large once unzipped: {total} bytes, more than {cap}; {limit.hint()}"))


def copy_capped(source: IO[bytes], out: IO[bytes], cap: int, *, first: bytes = b"") -> int:
    """Copy a (decompressing) stream to `out`, never more than `cap` bytes; return how many, or cap + 1 when it had more."""
    written = len(first)
    out.write(first)
    while written <= cap:
        chunk = source.read(min(1 * MiB, cap + 1 - written))
        if not chunk:
            return written
        out.write(chunk[: cap - written] if written + len(chunk) > cap else chunk)
        written += len(chunk)
    return written


@dataclass
class Workbook:
    """Rows of the sheets of one .xlsx, read in streaming mode."""

    file: str
    rows: list[list[Any]]
    """The main sheet's rows of cell values, as many as the sheet really holds (its declared size is ignored)."""
    extra: dict[str, list[list[Any]]]
    """Other sheets asked for by name, those that are there."""


def read_xlsx(path: Path, where: str, *, main: str = "", extra: tuple[str, ...] = ()) -> Workbook:
    """The rows of sheet `main` (the first sheet when there is none of that name) and of the `extra` sheets, within the
    size, row, column and cell limits.

    openpyxl's read-only mode pads every row to the sheet's declared dimension (`A1:XFD1048576` in a 5 KB file is
    a billion cells) and stops at its declared last row (a stale header drops students): the dimension is reset
    so only the cells really written are read, and rows are counted as they come.
    """
    import zipfile  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415 - only when a workbook is read

    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, where, XLSX_BYTES, what="workbook")
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as exc:
        raise ContentError(Problem(where, None, "workbook", f"cannot open the workbook ({brief(str(exc))}); save it again as .xlsx")) from None
    try:
        first = main if main in book.sheetnames else book.sheetnames[0]
        return Workbook(where, _xlsx_sheet_rows(book[first], where, first),
                        {name: _xlsx_sheet_rows(book[name], where, name) for name in extra if name in book.sheetnames})
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise ContentError(Problem(where, None, "workbook", f"cannot read the workbook ({brief(str(exc))}); save it again as .xlsx")) from None
    finally:
        book.close()


def _xlsx_sheet_rows(ws: Any, where: str, name: str) -> list[list[Any]]:
    max_rows, max_columns, max_cells = ROWS.value(), COLUMNS.value(), XLSX_CELLS.value()
    ws.reset_dimensions()
    rows: list[list[Any]] = []
    pending = 0
    """Empty rows seen since the last row with a value (kept only when a value follows, so row numbers stay true)."""
    seen = 0
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        seen += max(len(values), 1)  # a styled empty cell far right still makes openpyxl fill the row up to it
        if seen > max_cells:
            raise LimitExceeded(Problem(where, number, f"sheet {name}", f"too many cells: more than {max_cells} up to row {number}; {XLSX_CELLS.hint()}"))
        cells = list(values)
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            pending += 1
            if number > 2 * max_rows:  # empty rows far past the limit: still rows openpyxl makes us walk through
                raise LimitExceeded(Problem(where, number, f"sheet {name}", f"too many rows: row {number}, far beyond {max_rows}; {ROWS.hint()}"))
            continue
        if number > max_rows:
            raise LimitExceeded(Problem(where, number, f"sheet {name}", f"too many rows: a value in row {number}, beyond {max_rows}; {ROWS.hint()}"))
        if len(cells) > max_columns:
            raise LimitExceeded(Problem(where, number, f"sheet {name}", f"too many columns: a value in column {letter_label(len(cells) - 1)}, beyond {max_columns}; {COLUMNS.hint()}"))
        rows.extend([] for _ in range(pending))
        pending = 0
        rows.append(cells)
    return rows
