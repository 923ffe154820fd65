"""Hostile and broken feeds: each case an input and its expected outcome.

Either the import renders what it safely can (with a warning naming what was
skipped), or it fails with a named MailkitError whose message names the source
and the line or field. Never a traceback, a hang, a fetch or a file read.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

import mailkit
from mailkit._editions import MAX_FEED_BYTES, MAX_FEED_ENTRIES, from_feed, from_ninjs

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
NEWSLETTER = FEEDS / "newsletter.yaml"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        "<channel><title>T</title><link>https://news.example/</link>")


def rss(items: str, head: str = HEAD) -> bytes:
    return (head + items + "</channel></rss>").encode()


def item(n: int = 1, title: str | None = None, link: str | None = None, extra: str = "") -> str:
    return (f"<item><title>{title if title is not None else f'Story {n}'}</title>"
            f"<link>{link or f'https://news.example/{n}'}</link>"
            f"<pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate>{extra}</item>")


def load(data: bytes | str | Path) -> tuple[mailkit.Edition, list[str]]:
    warnings: list[str] = []
    return from_feed(data, newsletter=NEWSLETTER, on_warning=warnings.append), warnings  # type: ignore[arg-type]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- fails with a named error --------------------------------------------------------

MALFORMED = [
    ("not a feed at all", b"<<<\x00 garbage", mailkit.FeedError,
     r"<feed>: line \d+: not a readable feed: not well-formed"),
    ("an HTML page", b"<html><body><p>Hello</p></body></html>", mailkit.FeedError,
     "not a readable feed: not an RSS, Atom or JSON feed"),
    ("a valid feed with no items", rss(""), mailkit.FeedError, "no story to make an edition of"),
    ("broken JSON", b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [}', mailkit.FeedError,
     r"line 2, column 12: Expecting value"),
    # refused by the walk every reader's data goes through (as a 5,000-digit integer), naming the field
    ("JSON NaN", b'{"uri": "https://x.example/", "urgency": NaN}', mailkit.InvalidFixtureError,
     "urgency: nan is not a finite number"),
    # json kept the last "items": the first list's stories were dropped without a word
    ("JSON Feed giving items twice", (b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [{"id": "1", '
     b'"url": "https://x.example/1", "title": "One"}],\n "items": []}'), mailkit.FeedError,
     r"line 3, column 2: duplicate key 'items' \(first at line 2\)"),
    ("JSON Feed without items", b'{"version": "https://jsonfeed.org/version/1.1"}', mailkit.FeedError,
     "items: a JSON Feed needs a list of items"),
    ("ninjs failing IPTC's schema", b'{"uri": "u", "headlines": "not a list"}', mailkit.FeedError,
     "headlines: not IPTC ninjs 2.1"),
    ("ninjs nested 40 deep", b'{"uri": "u", "x": ' + b"[" * 40 + b"]" * 40 + b"}", mailkit.LimitExceededError,
     "nest"),
    ("every entry without a link", rss("<item><title>Only a title</title></item>"), mailkit.FeedError,
     "every entry was skipped"),
]


@pytest.mark.parametrize(("data", "error", "message"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_input_is_a_one_line_named_error(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        load(data)
    assert "\n" not in str(info.value)


def test_feed_over_the_byte_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<rss>" + b" " * MAX_FEED_BYTES)
    start = time.process_time()
    with pytest.raises(mailkit.LimitExceededError, match=r"big\.xml: feed larger than 8,000,000 bytes"):
        load(big)
    assert time.process_time() - start < 0.5


def test_a_url_is_never_fetched_unless_asked(no_network: None) -> None:
    with pytest.raises(mailkit.FeedError, match=r"fetch it with mailkit\.fetch_feed"):
        load("https://news.example/feed.xml")


def test_fetch_feed_refuses_other_schemes() -> None:
    with pytest.raises(mailkit.FeedError, match="only https and http"):
        mailkit.fetch_feed("file:///etc/passwd")


# --- renders safely, with warnings ----------------------------------------------------


def test_external_entity_is_not_resolved(no_network: None) -> None:
    head = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
            '<!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>' + HEAD.split("?>", 1)[1])
    edition, _ = load(rss(item(1, extra="<description>a &xxe; b &remote; c</description>"), head=head))
    assert "root:" not in (edition.lead.dek or "")
    assert "root:" not in mailkit.render("digest", edition).text


def test_external_dtd_is_not_fetched(no_network: None) -> None:
    head = '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">' + HEAD.split("?>", 1)[1]
    edition, _ = load(rss(item(1), head=head))
    assert edition.lead.headline == "Story 1"


def test_billion_laughs_is_not_expanded() -> None:
    entities = '<!ENTITY a "lol">' + "".join(f'<!ENTITY {c} "{f"&{p};" * 10}">'
                                              for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    head = f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]>' + HEAD.split("?>", 1)[1]
    start = time.process_time()
    try:
        edition, _ = load(rss(item(1, extra="<description>&i;</description>"), head=head))
    except mailkit.MailkitError:
        pass
    else:
        assert len(edition.lead.dek or "") < 1000
    assert time.process_time() - start < 1


def test_ten_thousand_items_are_bounded_in_time_and_kept_to_the_newest() -> None:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://news.example/{n}</link><guid>g{n}</guid>"
        f"<pubDate>Tue, 20 May 2014 {n // 600 % 24:02d}:{n // 10 % 60:02d}:{n % 10:02d} -0400</pubDate>"
        "<description>A short summary of the story, as newsrooms write them.</description></item>"
        for n in range(10_000)
    )
    data = rss(items)
    assert len(data) < MAX_FEED_BYTES
    start = time.process_time()
    edition, warnings = load(data)
    elapsed = time.process_time() - start
    assert edition.story_count == mailkit.LIMITS.max_stories
    assert any("older stories left out (limit 60)" in w for w in warnings)
    assert elapsed < 15, f"{elapsed:.1f} s"


def test_entries_past_the_entry_limit_are_skipped_with_a_warning() -> None:
    items = "".join(f"<item><title>S{n}</title><link>https://news.example/{n}</link></item>"
                    for n in range(MAX_FEED_ENTRIES + 5))
    with pytest.raises(mailkit.FeedError):  # no dates: every entry skipped, but reported
        warnings: list[str] = []
        try:
            from_feed(rss(items), newsletter=NEWSLETTER, on_warning=warnings.append)
        finally:
            assert any("5 entries past the first 10,000 skipped" in w for w in warnings)


SKIPPED = [
    ("javascript: link", item(1, link="javascript:alert(1)"), "entry 2 ('Story 1'): skipped: url: URL scheme 'javascript' not allowed"),
    ("bidi override in the title", item(1, title="Safe \u202egnp.exe"), "skipped: headline: bidi override U+202E"),
    ("a time beyond the calendar's end",
     "<item><title>Far</title><link>https://news.example/far</link><pubDate>9999-12-31T23:00:00-05:00</pubDate></item>",
     "skipped: published_at: "),
    ("no publication time", "<item><title>When</title><link>https://news.example/when</link></item>",
     "skipped: no publication time"),
    ("an unreadable date", "<item><title>When</title><link>https://news.example/w</link><pubDate>soon</pubDate></item>",
     "published 'soon' is not a date"),
]


@pytest.mark.parametrize(("bad", "warning"), [c[1:] for c in SKIPPED], ids=[c[0] for c in SKIPPED])
def test_a_bad_entry_is_skipped_with_a_warning_and_the_rest_render(bad: str, warning: str) -> None:
    edition, warnings = load(rss(item(2) + bad))
    assert [a.headline for a in edition.articles] == ["Story 2"]
    assert any(warning in w for w in warnings), warnings
    mailkit.render("digest", edition)


DROPPED = [
    ("javascript: image", '<media:content url="javascript:alert(1)" width="1200" height="800"/>', "image dropped: "),
    ("bidi override in the summary", "<description>Safe \u202egnp.exe</description>",
     "dek dropped: bidi override U+202E"),
    ("body over 300 KB", "<description>ok</description><content:encoded>" + "<p>x</p>" * 40_000 + "</content:encoded>",
     "body dropped: "),
    ("body nested 60 deep", "<content:encoded>" + "&lt;blockquote&gt;" * 60 + "x" + "&lt;/blockquote&gt;" * 60 + "</content:encoded>",
     "body dropped: "),
    ("javascript: link in the body",
     '<content:encoded>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</content:encoded>', "dropped <a href="),
]


@pytest.mark.parametrize(("extra", "warning"), [c[1:] for c in DROPPED], ids=[c[0] for c in DROPPED])
def test_a_bad_field_is_dropped_with_a_warning_and_the_story_kept(extra: str, warning: str) -> None:
    head = HEAD.replace('xmlns:media="http://search.yahoo.com/mrss/"',
                        'xmlns:media="http://search.yahoo.com/mrss/" '
                        'xmlns:content="http://purl.org/rss/1.0/modules/content/"')
    edition, warnings = load(rss(item(1, extra=extra), head=head))
    assert edition.lead.headline == "Story 1"
    assert any(warning in w for w in warnings), warnings
    html = mailkit.render("digest", edition).html
    assert "javascript:" not in html


def test_broken_feed_renders_what_it_can_and_names_the_line() -> None:
    edition, warnings = load(FEEDS / "broken-rss.xml")
    assert edition.story_count == 3
    assert any("broken-rss.xml: line 16: broken feed, read leniently" in w for w in warnings)


def test_latin1_feed_is_decoded_by_its_declaration() -> None:
    data = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>T</title>'
            "<link>https://news.example/</link>" + item(1, title="Café in Zürich") + "</channel></rss>").encode("latin-1")
    edition, _ = load(data)
    assert edition.lead.headline == "Café in Zürich"


def test_ninjs_schema_is_validated_offline(no_network: None) -> None:
    # places[].geojson refers to GeoJSON's schema on the web: never fetched
    item = {"uri": "https://x.example/1", "type": "text", "headlines": [{"value": "Quake"}],
            "versioncreated": "2014-05-20T09:15:00+00:00",
            "places": [{"name": "Gotland", "geojson": {"type": "Point", "coordinates": [18.3, 57.6]}}]}
    assert from_ninjs(item, newsletter=NEWSLETTER).lead.headline == "Quake"
