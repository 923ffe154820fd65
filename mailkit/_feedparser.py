"""Adapter: the feedparser internal mailkit relies on, and nowhere else.

``feedparser.datetimes._parse_date`` reads every date format feedparser knows
(RFC 822 and its misspellings, W3C-DTF, Korean, Greek, Hungarian ...) and
returns a UTC ``time.struct_time`` or ``None``; feedparser has no public
name for it. Pinned in tests/test_adapters.py.
"""

from __future__ import annotations

import time
from typing import cast

__all__ = ["parse_date"]


def parse_date(raw: str) -> time.struct_time | None:
    """``raw`` as a UTC ``struct_time`` by any format feedparser knows, or ``None``."""
    import feedparser.datetimes  # loaded only for a date the standard library cannot read

    return cast("time.struct_time | None", feedparser.datetimes._parse_date(raw))
