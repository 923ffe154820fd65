"""Session 7's own leftovers from earlier outside testers: feeds' pictures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailkit import from_feed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


def _ninjs(*pictures: str) -> bytes:
    associations = ", ".join(
        f'{{"name": "p{i}", "uri": "urn:pic:{i}", "type": "picture", "descriptions": [{{"role": "alt", "value": "Picture {i}"}}],'
        f' "renditions": [{renditions}]}}' for i, renditions in enumerate(pictures))
    return ('{"uri": "https://news.example/1", "type": "text", "headlines": [{"value": "S"}],'
            f' "versioncreated": "2014-05-20T09:15:00-04:00", "associations": [{associations}]}}').encode()


def _rendition(href: str, width: int) -> str:
    return f'{{"name": "r{width}", "href": "{href}", "width": {width}, "height": {width // 2}, "contenttype": "image/jpeg"}}'


def test_a_ninjs_story_whose_first_picture_is_unsafe_gets_its_second() -> None:
    """Only the first picture association was tried: all its renditions unsafe (javascript:)
    lost the story its image although the second picture was fine."""
    warnings: list[str] = []
    feed = _ninjs(_rendition("javascript:alert(1)", 1200), _rendition("https://img.example/second.jpg", 1200))
    edition = from_feed(feed, newsletter=FEEDS / "newsletter.yaml", on_warning=lambda w: warnings.append(str(w)))
    assert edition.lead.image is not None
    assert str(edition.lead.image.src) == "https://img.example/second.jpg"
    assert edition.lead.image.alt == "Picture 1"
    assert any("image dropped" in w for w in warnings)


def test_the_first_safe_picture_wins_over_a_better_size_of_another() -> None:
    """The lead picture is the first one; a second picture's larger rendition is not its better size,
    and the second picture's unsafe rendition, never considered, is not warned about."""
    warnings: list[str] = []
    feed = _ninjs(_rendition("https://img.example/first.jpg", 600),
                  ", ".join([_rendition("https://img.example/second.jpg", 1200), _rendition("vbscript:x", 1400)]))
    edition = from_feed(feed, newsletter=FEEDS / "newsletter.yaml", on_warning=lambda w: warnings.append(str(w)))
    assert edition.lead.image is not None and str(edition.lead.image.src) == "https://img.example/first.jpg"
    assert not any("image dropped" in w for w in warnings), warnings


def test_a_korean_text_part_breaks_lines_at_spaces_never_inside_a_word() -> None:
    """Korean is written with spaces between words: the text part wrapped it as Chinese, between
    any two syllables, cutting words in half ("동결하" / "고"). Lines now break at spaces only,
    and hold at most 78 columns (a syllable takes two)."""
    import yaml

    import mailkit
    from mailkit._text import columns

    seed = Path(__file__).resolve().parent.parent / "fixtures" / "breaking-china-cyberspying.yaml"
    data = yaml.safe_load(seed.read_text(encoding="utf-8"))
    paragraph = ("서울 — 한국은행은 목요일 기준금리를 3.5%로 동결하고, 물가 상승세가 둔화되고 있지만 가계부채 증가와 "
                 "부동산 시장 과열 우려가 여전하다고 밝혔다. 이창용 총재는 기자회견에서 \"AI가 바꾸는 노동시장\"에 "
                 "대해서도 언급했다.")
    data["language"] = "ko"
    data["articles"][0].update(headline="한국은행, 기준금리 3.5%로 동결… 가계부채 증가와 부동산 과열 우려 여전",
                               body=f"<p>{paragraph}</p><blockquote><p>{paragraph}</p></blockquote>")
    text = mailkit.render("breaking", data).text
    words = set(paragraph.split()) | set(data["articles"][0]["headline"].split())
    lines = [line for line in text.splitlines() if any("\uac00" <= c <= "\ud7a3" for c in line) and "·" not in line
             and not line.startswith("By ")]
    assert len(lines) >= 4
    for line in lines:
        assert columns(line) <= 78, line
        for word in line.lstrip("> ").split():
            assert word in words, (word, line)


def _first_sentence_reading_everything(html: str, limit: int) -> str:
    # the code before _plain_prefix: the whole body made plain text first
    from mailkit import _render

    real = _render._plain_prefix
    try:
        _render._plain_prefix = lambda html, chars: _render._plain(html)  # type: ignore[assignment]
        return _render._first_sentence(html, limit)
    finally:
        _render._plain_prefix = real


_PIECES = ["<p>", "</p>", "<b>", "</b>", "<a href=\"https://x.example/?a=1&amp;b=2\">", "</a>", "<br>", "<h2>", "</h2>",
           "&amp;", "&lt;", "&#8217;", "&nbsp;", " ", "  ", "\n", ". ", "U.S. ", "Mr. ", "Word", "word", "“Quote.” ",
           "ä", "한국", "中文。", "\u0301", "A", "?", "! ", "<span>", "</span>", "<li>", "</li>", "x" * 300]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=400), st.integers(min_value=1, max_value=200))
def test_the_preheader_from_a_bodys_first_sentence_reads_only_what_it_needs(pieces: list[str], limit: int) -> None:
    """A story without a dek takes its preheader from its body's first sentence, which read
    (made plain text) the whole body first; it reads a prefix now, with the same result."""
    from mailkit._render import _first_sentence

    html = "".join(pieces)
    assert _first_sentence(html, limit) == _first_sentence_reading_everything(html, limit)


def test_a_long_body_without_a_dek_is_not_read_to_its_end_for_the_preheader(monkeypatch: pytest.MonkeyPatch) -> None:
    from mailkit import _render

    read: list[int] = []
    real = _render._plain
    monkeypatch.setattr(_render, "_plain", lambda html: read.append(len(html)) or real(html))
    body = "".join(f"<p>Paragraph {i} of the story, with <b>bold</b> words. More here.</p>" for i in range(5000))
    assert _render._first_sentence(body) == "Paragraph 0 of the story, with bold words."
    assert sum(read) < 10_000 < len(body)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=400), st.integers(min_value=1, max_value=400))
def test_the_plain_text_of_a_bodys_prefix_is_a_prefix_of_its_plain_text(pieces: list[str], chars: int) -> None:
    from mailkit._render import _plain, _plain_prefix

    html = "".join(pieces)
    full, part = _plain(html), _plain_prefix(html, chars)
    assert full.startswith(part)
    assert len(part) > chars or part == full
