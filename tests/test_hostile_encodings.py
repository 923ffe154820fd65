"""Files that are not UTF-8 in a plain way: the error says which encoding they are in.

A fixture saved by a Windows editor as "Unicode" is UTF-16, with or without a
byte-order mark; one of ASCII text even decodes as UTF-8 (a NUL byte after
each letter). "line 1, column 1: not UTF-8 (invalid start byte: byte 0xff)" or
"U+0000 is a character a YAML file may not hold" sent the editor looking for
a bad character; the file's encoding is what to change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

import mailkit
from mailkit._reader import other_encoding

FRENCH = (FIXTURES / "breaking-french.yaml").read_text(encoding="utf-8")
ASCII = (FIXTURES / "breaking-minimal-no-image.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "codec", "name"), [
    (FRENCH, "utf-16", "UTF-16"), (FRENCH, "utf-16-le", "UTF-16"), (FRENCH, "utf-16-be", "UTF-16"),
    (ASCII, "utf-16-le", "UTF-16"), (ASCII, "utf-16", "UTF-16"), (FRENCH, "utf-32", "UTF-32"),
    (ASCII, "utf-32-le", "UTF-32"),
])
def test_a_fixture_in_utf16_or_utf32_is_named(tmp_path: Path, text: str, codec: str, name: str) -> None:
    path = tmp_path / "edition.yaml"
    path.write_bytes(text.encode(codec))
    with pytest.raises(mailkit.InvalidFixtureError, match=rf"edition\.yaml: not UTF-8: the file is {name}; save it as UTF-8"):
        mailkit.load_edition(path)


def test_latin1_still_gets_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "edition.yaml"
    path.write_bytes(FRENCH.encode("latin-1", "replace"))
    with pytest.raises(mailkit.InvalidFixtureError, match=r"line \d+, column \d+: not UTF-8 \(invalid continuation byte"):
        mailkit.load_edition(path)


def test_a_json_feed_in_utf16_is_named(tmp_path: Path) -> None:
    feed = (FIXTURES / "feeds" / "newsroom-jsonfeed.json").read_text(encoding="utf-8")
    with pytest.raises(mailkit.FeedError, match=r"not UTF-8: the file is UTF-16"):
        mailkit.from_feed(feed.encode("utf-16-le"), newsletter=FIXTURES / "feeds" / "newsletter.yaml")


@pytest.mark.parametrize("raw", [b"", b"a", "é".encode("latin-1") * 40, "日本語".encode("shift_jis") * 10,
                                 b"\x00", "x: é".encode()])
def test_other_encoding_names_only_the_plain_cases(raw: bytes) -> None:
    assert other_encoding(raw) is None

