"""Helpers for the quiz tests: the second-source set, a tiny HTML tree, and "skip locally, fail under CI" for tools.

Not a conftest (tests/conftest.py belongs to the whole suite): the quiz test modules import it by name.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
SECOND = ROOT / "tests" / "fixtures" / "second_source"
GOLDEN = ROOT / "tests" / "golden" / "quiz"


# --- tools: skip when missing, but never under CI ----------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(why: str) -> None:
    """Skip with the reason locally; under CI=true a missing tool is a failure, not a skip."""
    if in_ci():
        pytest.fail(f"{why} (CI=true: browser tests must run; .ci/run installs chromium, poppler-utils and fonts-noto-cjk)")
    pytest.skip(why)


def require_chromium() -> str:
    """The Chromium executable quizgen would use, or skip/fail saying why."""
    from quizgen.errors import ToolMissingError
    from quizgen.outputs.quiz.pdf import find_chromium

    try:
        return find_chromium()
    except ToolMissingError as exc:
        missing(str(exc))
        raise  # unreachable: missing() always raises


def require_poppler() -> None:
    absent = [tool for tool in ("pdfinfo", "pdffonts", "pdftotext") if shutil.which(tool) is None]
    if absent:
        missing(f"poppler-utils not installed ({', '.join(absent)} missing): apt-get install poppler-utils")


# --- question sets ------------------------------------------------------------------------------


def second_source_set():
    """The full set of the second source's recipe, generated fresh (all eight question types)."""
    from quizgen.project.paths import Paths
    from quizgen.project.plan import resolve

    paths = Paths(content=SECOND / "content", templates=TEMPLATES, decks=SECOND / "decks", out=ROOT / "build")
    qset, _ = resolve(SECOND / "decks" / "second.toml", paths)
    return qset


def golden_set():
    """The frozen small set the golden files are rendered from."""
    from quizgen.load.sets import load_set_file

    return load_set_file(GOLDEN / "set.yaml")


# --- a tiny HTML tree (the standard library has a tokenizer, not a DOM) -------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        out = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in (node.attrs.get("class") or "").split():
                continue
            if any(node.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(node)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}>"
        return found[0]

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def get(self, name: str) -> str:
        value = self.attrs.get(name)
        assert value is not None, f"<{self.tag}> has no {name}"
        return value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


def squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines wherever it likes."""
    return "".join(text.split())


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M).group(1))


def pages(pdf: Path) -> list[str]:
    """The text of each page, page by page (pdftotext -f N -l N), in drawing order (-raw): Chromium draws in document
    order, while pdftotext's layout analysis would read a row of options column by column."""
    return [run("pdftotext", "-raw", "-f", str(n), "-l", str(n), "-enc", "UTF-8", str(pdf), "-") for n in range(1, page_count(pdf) + 1)]


def pdf_font_names(data: bytes) -> set[str]:
    """FontName entries of the PDF's font descriptors, also inside compressed streams."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(match.group(1)))
    return {m.decode("latin-1") for chunk in chunks for m in re.findall(rb"/FontName\s*/([^\s/<>\[\]()]+)", chunk)}
