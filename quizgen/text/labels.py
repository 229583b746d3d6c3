"""Letter labels as spreadsheets write them: versions A, B…, option letters, sheet columns."""

from __future__ import annotations


def letter_label(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the spreadsheet-style label of a 0-based index."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def option_letters(count: int) -> str:
    """The letters of `count` options, in order: 4 -> "ABCD"."""
    return "".join(letter_label(i) for i in range(count))
