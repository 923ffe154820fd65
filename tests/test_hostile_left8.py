"""Session 7's own leftovers from earlier outside testers: feeds' pictures."""

from __future__ import annotations

from pathlib import Path

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
