"""Floors for Anki builds: what a bare genanki script costs for the same work, in a fresh process.

  floor_genanki.py notes NOTES.json OUT.apkg
      writes exactly these notes (fields, tags, GUIDs, as quizgen wrote them; bench.py reads them from quizgen's deck)
      with bare genanki: one model per field count, one deck, genanki.Package.write_to_file.
  floor_genanki.py bank CONTENT_DIR NOTES CHARS OUT.apkg
      loads every bank YAML file under CONTENT_DIR with libyaml, then writes NOTES notes whose fields hold CHARS
      characters in all (quizgen's average), taken from the bank's text.
No validation, no question templates, no escaping, no sub-decks, no note state: what any script would do at the least.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import genanki


def _model(n_fields: int) -> genanki.Model:
    names = [f"F{i}" for i in range(n_fields)]
    return genanki.Model(1607392319 + n_fields, f"floor-{n_fields}", fields=[{"name": n} for n in names],
                         templates=[{"name": "Card 1", "qfmt": "{{F0}}", "afmt": "{{F1}}"}])


def from_notes(notes_file: Path, out: Path) -> None:
    deck = genanki.Deck(2059400110, "floor")
    models: dict[int, genanki.Model] = {}
    for note in json.loads(notes_file.read_text(encoding="utf-8")):
        fields = note["fields"]
        model = models.get(len(fields)) or models.setdefault(len(fields), _model(len(fields)))
        deck.add_note(genanki.Note(model=model, fields=fields, tags=note["tags"], guid=note["guid"]))
    genanki.Package(deck).write_to_file(str(out))


def from_bank(content: Path, notes: int, chars: int, out: Path) -> None:
    import yaml

    items = [item for path in sorted(content.glob("*/bank/*.yaml"))
             for item in (yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}).get("items", [])]
    model = _model(3)
    deck = genanki.Deck(2059400110, "floor")
    for i, item in zip(range(notes), itertools.cycle(items)):
        text = "".join(str(v) for v in item.values() if isinstance(v, str))
        while len(text) < chars:
            text += text
        third = chars // 3
        fields = [text[:third], text[third:2 * third], text[2 * third:chars]]
        deck.add_note(genanki.Note(model=model, fields=fields, tags=[f"kind::{item.get('kind')}"], guid=genanki.guid_for(item["id"], i)))
    genanki.Package(deck).write_to_file(str(out))


if __name__ == "__main__":
    if sys.argv[1] == "notes":
        from_notes(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        from_bank(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
