"""Output formats: each module turns a question set into the files to write, `render(qset, options) -> {name: bytes}`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OutputOptions:
    """Settings an output format may read; every field has a default that suits most platforms."""

    xlsx_columns: Mapping[str, str] | None = None
    """xlsx: default column header -> the header a platform expects (an empty string drops the column)."""
    epoch: int | None = None
    """Seconds since 1970 stamped into archives and document properties; None: SOURCE_DATE_EPOCH, else the newest source date."""
