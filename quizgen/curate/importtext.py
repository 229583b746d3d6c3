"""`quizgen import-text`: draft a source.yaml from an article, with its paragraphs checked against the models."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from quizgen.errors import ContentError, Problem, QuizgenError, rel
from quizgen.fsutil import write_many
from quizgen.load.dataio import read_text


@dataclass(frozen=True)
class Imported:
    """What `import-text` wrote: counts, and one line per thing it left out of the text."""

    sections: int
    paragraphs: int
    skipped: list[str]
    notes: list[str] = field(default_factory=list)
    """Guesses to confirm (a personal `作者` taken as the outlet)."""
    warnings: list[str] = field(default_factory=list)
    """Paragraphs to review: a label left at the start, a question that may be the host's."""
    origins: list[str] = field(default_factory=list)
    """Where each metadata value came from."""
    text_out: Path | None = None
    """The article's text, written as Markdown beside source.yaml when the input was a web page."""


HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".mhtml")


def page_markdown(page: bytes) -> str:
    """A saved web page -> its main text as Markdown, with the page's metadata as front matter (trafilatura)."""
    import trafilatura  # noqa: PLC0415 - heavy import kept out of Markdown imports and --help

    meta = trafilatura.extract_metadata(page)
    body = trafilatura.extract(page, output_format="markdown", include_formatting=True, include_images=False, include_links=True,
                               include_tables=True, include_comments=False, favor_recall=True, with_metadata=False) or ""
    fields: dict[str, str] = {}
    if meta is not None:
        for key in ("title", "author", "sitename", "date", "url"):
            value = getattr(meta, key, None)
            if value:
                fields[key] = str(value)
    outlet = _wechat_account(page)
    if outlet:  # a WeChat page names the platform as its site; the account is the outlet
        fields["sitename"] = outlet
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=100000) if fields else ""
    return (f"---\n{front}---\n\n" if front else "") + body.strip() + "\n"


def _wechat_account(page: bytes) -> str | None:
    """The account name of a WeChat article page (`<a id="js_name">`)."""
    from lxml import html as lhtml  # type: ignore[import-untyped]  # noqa: PLC0415 - no stubs; trafilatura's parser, web pages only

    try:
        tree = lhtml.fromstring(page)
    except (ValueError, lhtml.etree.ParserError):
        return None
    for node in tree.xpath('//*[@id="js_name"]'):
        name = " ".join(node.text_content().split())
        if name:
            return name
    return None


def _read_article(article: Path) -> tuple[str, bool]:
    """The article as Markdown, and whether it came from a web page."""
    if article.suffix.lower() not in HTML_SUFFIXES:
        return read_text(article), False
    try:
        page = article.read_bytes()
    except FileNotFoundError as exc:
        raise ContentError(Problem(rel(article), None, "file", "not found; check the path")) from exc
    except OSError as exc:
        raise ContentError(Problem(rel(article), None, "file", f"cannot be read ({exc.strerror}); check the path")) from exc
    text = page_markdown(page)
    if not text.split("---\n")[-1].strip():
        raise ContentError(Problem(rel(article), None, "file", "no article text found in the page; save the page as it shows the "
                                   "article (File, Save Page As, complete or HTML only), or copy the text into a .md file"))
    return text, True


def import_article(article: Path, *, source_id: str, speakers_file: Path, out: Path, title: str | None = None,
                   outlet: str | None = None, date: str | None = None, url: str | None = None, genre: str | None = None,
                   author: str | None = None, keep_extras: bool = False) -> Imported:
    """Write a draft source.yaml for an article; every problem (options, speakers file, article) is reported at once."""
    import re  # noqa: PLC0415 - only this path needs it

    from quizgen.curate.markdown import GENRES, assemble, parse_date, split_article  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.load.content import Collector, pydantic_message  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.load.dataio import line_of, load_yaml  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.models import Source, Speaker  # noqa: PLC0415 - loaded on use, so light commands start fast

    problems = Collector()
    cmd = "quizgen import-text"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", source_id):
        problems.add(cmd, None, "--id", f"{source_id!r} is not a usable source id; use lowercase letters, digits and hyphens, "
                     "starting with a letter or digit (e.g. my-talk-2025)")
    if genre is not None and genre not in GENRES:
        problems.add(cmd, None, "--genre", f"{genre!r} is not a genre; use one of {', '.join(GENRES)}")
    if date is not None and parse_date(date) is None:
        problems.add(cmd, None, "--date", f"{date!r} is not a date; write it as YYYY-MM-DD")
    if out.exists():
        problems.add(out, None, "--out", "already exists; choose another path or delete it first")
    text_out = out.parent / "article.md" if article.suffix.lower() in HTML_SUFFIXES else None
    if text_out is not None and text_out.exists() and text_out.resolve() != article.resolve():
        problems.add(text_out, None, "article.md", "already exists, and the page's text would be written there; move it away first")
    speakers: list[dict] = []
    speaker_problems = len(problems.problems)
    try:
        raw = load_yaml(speakers_file)
        if not isinstance(raw, list) or not raw:
            problems.add(speakers_file, getattr(raw, "line", 1) or 1, "speakers",
                         "expected a list of speakers, each with id, name, role and labels (see docs/how-to/add-a-source.md)")
        else:
            for idx, entry in enumerate(raw):
                try:
                    Speaker.model_validate(entry)
                except ValidationError as exc:
                    for err in exc.errors(include_url=False):
                        loc = (idx, *err["loc"])
                        problems.add(speakers_file, line_of(raw, loc), ".".join(map(str, loc)), pydantic_message(err))
                    continue
                speakers.append(json.loads(json.dumps(entry)))  # plain dicts, without the loader's line bookkeeping
            ids = [s["id"] for s in speakers]
            for sid in sorted({i for i in ids if ids.count(i) > 1}):
                problems.add(speakers_file, None, "id", f"speaker id {sid!r} is used twice; give each speaker its own id")
    except QuizgenError as exc:
        problems.catch(exc)
    speakers_ok = len(problems.problems) == speaker_problems  # else the article's labels would all look unknown
    draft = None
    article_text = ""
    try:
        article_text, from_page = _read_article(article)
    except QuizgenError as exc:
        problems.catch(exc)
    else:
        if not speakers_ok:
            problems.raise_if_any()
        default = next((s["id"] for s in speakers if s.get("narrator")), speakers[0]["id"] if speakers else "speaker")
        name = f"{rel(article)} (its text, as {rel(text_out)} would hold it)" if from_page and text_out else rel(article)
        draft = split_article(article_text, file=name, speakers=speakers, default_speaker=default,
                              title=title, outlet=outlet, date=date, url=url, genre=genre, author=author, keep_extras=keep_extras)
        problems.problems.extend(draft.problems)
    problems.raise_if_any()
    assert draft is not None
    data = assemble(draft, source_id=source_id, speakers=speakers)
    genre_value = data.pop("genre", None)
    if genre_value is not None and genre_value not in GENRES:  # from the front matter: --genre was checked above
        problems.add(article, None, "genre", f"{genre_value!r} is not a genre; use one of {', '.join(GENRES)} (or pass --genre)")
        problems.raise_if_any()
    try:
        Source.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.add(article, None, ".".join(map(str, err["loc"])), f"{pydantic_message(err)}; fix the article or the speakers file")
        problems.raise_if_any()
    if genre_value:
        if "genre" in Source.model_fields:
            data = {**{k: v for k, v in data.items() if k not in ("speakers", "sections")}, "genre": genre_value,
                    "speakers": data["speakers"], "sections": data["sections"]}
        else:  # this quizgen does not know `genre` yet: keep the choice visible without failing `check`
            draft.skipped.append(f"--genre {genre_value}: written as a comment (this quizgen's source.yaml has no genre field)")
    text = "# Draft made by `quizgen import-text`: review ids, speakers and paragraph splits before citing them.\n"
    if genre_value and "genre" not in Source.model_fields:
        text += f"# genre: {genre_value}\n"
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100000)
    files = {out: text.encode("utf-8")}
    if text_out is not None:
        files[text_out] = article_text.encode("utf-8")
    write_many(files)
    return Imported(len(data["sections"]), sum(len(s["paragraphs"]) for s in data["sections"]), draft.skipped, draft.notes,
                    draft.warnings, draft.origins, text_out)
