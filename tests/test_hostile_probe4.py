"""Outside tester, round 3: recipients files of ``deliver`` (and feeds, checked safe).

Each case an input and its expected outcome: read safely, or refused with a
named MailkitError naming the file and line. Never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mailkit
from mailkit._deliver import Recipient, read_recipients
from mailkit._editions import from_feed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"

# --- recipients files: refused naming the file and line ----------------------------------

REFUSED = [
    ("JSON Lines nested 200,000 deep", "r.jsonl", b'{"email": "a@example.org"}\n' + b"[" * 200_000 + b"]" * 200_000 + b"\n",
     r"r\.jsonl: line 2: .*nested"),
    ("JSON Lines value nested 100,000 deep", "r.jsonl", b'{"email": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
     r"r\.jsonl: line 1: .*nested"),
    ("JSON Lines integer of 5,000 digits", "r.jsonl", b'{"email": "a@example.org", "first_name": ' + b"9" * 5000 + b"}\n",
     r"r\.jsonl: line 1: .*integer of 5,000 digits"),
    ("JSON Lines key given twice (which address?)", "r.jsonl",
     b'{"email": "a@example.org", "email": "b@example.org"}\n', r"r\.jsonl: line 1: .*duplicate key 'email'"),
    ("JSON Lines NaN", "r.jsonl", b'{"email": "a@example.org", "first_name": NaN}\n',
     r"r\.jsonl: line 1: first_name: nan is not a finite number"),
    ("CSV header naming a column twice (which address?)", "r.csv",
     b"email,first_name,email\na@example.org,Ann,b@example.org\n", r"r\.csv: line 1: .*'email' twice"),
]


@pytest.mark.parametrize(("name", "data", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_recipients_file_refused_naming_the_line(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(mailkit.InvalidFixtureError, match=message) as info:
        list(read_recipients(path))
    assert "\n" not in str(info.value)


def test_recipients_with_a_bom_crlf_and_formula_cells_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfemail,first_name\r\na@example.org,=cmd|' /C calc'!A0\r\n")
    (reader,) = read_recipients(path)
    assert isinstance(reader, Recipient) and reader.first_name == "=cmd|' /C calc'!A0"


# --- feeds: read safely ----------------------------------------------------------------


def test_parameter_entities_read_nothing_from_disk() -> None:
    feed = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;'
            b"<!ENTITY % q \"<!ENTITY r 'zz'>\"> %q;]>"
            b'<rss version="2.0"><channel><title>T</title><link>https://news.example/</link>'
            b"<item><title>S</title><link>https://news.example/1</link><pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate>"
            b"<description>a &r; b</description></item></channel></rss>")
    edition = from_feed(feed, newsletter=FEEDS / "newsletter.yaml", on_warning=lambda w: None)
    assert "root:" not in mailkit.render("digest", edition).text


IMAGES = [
    ("RSS media:content javascript: beside a safe thumbnail",
     ('<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>'
     "<link>https://news.example/</link><item><title>S</title><link>https://news.example/1</link>"
     "<pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate>"
     '<media:content url="javascript:alert(1)" medium="image" width="1200" height="800"/>'
     '<media:thumbnail url="https://img.example/s.jpg" width="600" height="400"/></item></channel></rss>')),
    ("JSON Feed data: image beside a safe banner",
     ('{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "1", "title": "S",'
     ' "url": "https://news.example/1", "date_published": "2014-05-20T09:15:00-04:00",'
     ' "image": "data:image/svg+xml,<svg onload=alert(1)>", "banner_image": "https://img.example/s.jpg"}]}')),
    ("ninjs vbscript: rendition beside a safe one",
     ('{"uri": "https://news.example/1", "type": "text", "headlines": [{"value": "S"}],'
      ' "versioncreated": "2014-05-20T09:15:00-04:00", "associations": [{"name": "featureimage", "uri": "urn:pic:1", "type": "picture", "renditions": ['
      '{"name": "large", "href": "vbscript:msgbox(1)", "width": 1200, "height": 800, "contenttype": "image/jpeg"},'
      ' {"name": "small", "href": "https://img.example/s.jpg", "width": 600, "height": 400, "contenttype": "image/jpeg"}]}]}')),
]


@pytest.mark.parametrize("feed", [c[1] for c in IMAGES], ids=[c[0] for c in IMAGES])
def test_an_unsafe_rendition_is_passed_over_for_a_safe_one(feed: str) -> None:
    # the best rendition was picked first and checked after: an unsafe one lost the story its image
    warnings: list[str] = []
    edition = from_feed(feed.encode(), newsletter=FEEDS / "newsletter.yaml", on_warning=warnings.append)  # type: ignore[arg-type]
    assert edition.lead.image is not None and str(edition.lead.image.src) == "https://img.example/s.jpg"
    assert any("not allowed" in str(w) for w in warnings)
    assert not any("javascript:" in str(w) or "data:" in str(w) for w in warnings if "no description" in str(w))


@pytest.mark.parametrize("declared", ["windows-1252", "iso-8859-1", "utf-8"])
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_a_byte_order_mark_wins_over_a_declaration_that_lies(declared: str, codec: str) -> None:
    # XML 1.0 appendix F: the BOM says the encoding; feedparser tried the declared one first,
    # and a UTF-16 feed declaring windows-1252 was "line 2: not well-formed (invalid token)"
    feed = (f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel><title>T</title>'
            "<link>https://news.example/</link><item><title>Caf\u00e9 \u201cq\u201d</title>"
            "<link>https://news.example/1</link><pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate></item>"
            "</channel></rss>")
    data = feed.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    edition = from_feed(data, newsletter=FEEDS / "newsletter.yaml", on_warning=lambda w: None)
    assert edition.lead.headline == "Caf\u00e9 \u201cq\u201d"
