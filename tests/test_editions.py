"""Editions from feeds (mailkit._editions): one test per mapping rule, the CLI, round trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._cli import main
from mailkit._editions import edition_yaml, from_feed, from_ninjs

ROOT = Path(__file__).resolve().parent.parent
FEEDS = ROOT / "fixtures" / "feeds"
NEWSLETTER = FEEDS / "newsletter.yaml"


def rss(*items: str, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>T</title><link>https://news.example/</link>{channel}"
        + "".join(f"<item>{i}</item>" for i in items)
        + "</channel></rss>"
    ).encode()


def item(n: int = 1, extra: str = "", date: str = "Tue, 20 May 2014 09:15:00 -0400") -> str:
    return (f"<title>Story {n}</title><link>https://news.example/story-{n}</link><guid>g{n}</guid>"
            f"<pubDate>{date}</pubDate>{extra}")


def load(data: bytes, **kwargs: object) -> tuple[mailkit.Edition, list[str]]:
    warnings: list[str] = []
    edition = from_feed(data, newsletter=NEWSLETTER, on_warning=warnings.append, **kwargs)  # type: ignore[arg-type]
    return edition, warnings


# --- mapping rules -----------------------------------------------------------------


def test_title_to_headline_with_entities_decoded() -> None:
    edition, _ = load(rss("<title>Fish &amp;amp; Chips</title><link>https://news.example/a</link>"
                          "<pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate>"))
    assert edition.lead.headline == "Fish & Chips"


def test_description_to_dek_stripped_decoded_and_cut_at_a_word() -> None:
    long = "word " * 100
    edition, _ = load(rss(item(1, "<description>&lt;p&gt;Hello &amp;amp; &lt;b&gt;welcome&lt;/b&gt;&lt;/p&gt;</description>"),
                          item(2, f"<description>{long}</description>")))
    assert edition.articles[0].dek == "Hello & welcome"
    dek = edition.articles[1].dek
    assert dek is not None and dek.endswith("word…") and len(dek) <= 300


def test_content_to_body_cleaned_by_the_body_allowlist_with_relative_links_resolved() -> None:
    body = '<![CDATA[<p onclick="x()">Hi <a href="/more">more</a></p><iframe src="https://x.example/"></iframe>]]>'
    edition, _ = load(rss(item(1, f"<content:encoded>{body}</content:encoded>")))
    assert "onclick" not in edition.lead.body and "iframe" not in edition.lead.body
    assert 'href="https://news.example/more"' in edition.lead.body


def test_image_best_rendition_for_a_600px_column_at_2x_with_alt_and_credit() -> None:
    media = (
        '<media:content url="https://i.example/4000.jpg" medium="image" width="4000" height="2250"/>'
        '<media:content url="https://i.example/1200.jpg" medium="image" width="1200" height="675">'
        "<media:description>A harbour at dawn</media:description><media:credit>Jo Li / AP</media:credit></media:content>"
        '<media:thumbnail url="https://i.example/300.jpg" width="300" height="169"/>'
    )
    edition, warnings = load(rss(item(1, f"<content:encoded>&lt;p&gt;Body&lt;/p&gt;</content:encoded>{media}")))
    image = edition.lead.image
    assert image is not None
    assert (image.src, image.width, image.height) == ("https://i.example/1200.jpg", 1200, 675)
    # feedparser drops <media:description> when content:encoded is there (kurtmckee/feedparser#53)
    assert (image.alt, image.credit) == ("A harbour at dawn", "Jo Li / AP")
    assert edition.lead.body == "<p>Body</p>"
    assert warnings == []


def test_largest_rendition_when_none_is_2x() -> None:
    media = ('<media:thumbnail url="https://i.example/300.jpg" width="300" height="169"/>'
             '<media:content url="https://i.example/800.jpg" medium="image" width="800" height="450"/>')
    edition, _ = load(rss(item(1, media)))
    assert edition.lead.image is not None and edition.lead.image.src == "https://i.example/800.jpg"


def test_image_without_dimensions_is_kept_and_rendered_at_the_column_width() -> None:
    edition, _ = load(rss(item(1, '<enclosure url="https://i.example/e.jpg" type="image/jpeg" length="9"/>')))
    image = edition.lead.image
    assert image is not None and image.src == "https://i.example/e.jpg" and image.width is image.height is None
    email = mailkit.render("digest", edition)
    assert "https://i.example/e.jpg" in email.html
    assert any("articles[0].image: no width and height" in w for w in email.warnings)


def test_image_without_description_warns_and_has_empty_alt() -> None:
    edition, warnings = load(rss(item(1, '<media:content url="https://i.example/a.jpg" width="1200" height="800"/>')))
    assert edition.lead.image is not None and edition.lead.image.alt == ""
    assert any("no description: alt text left empty" in w for w in warnings)


def test_dc_creator_to_byline() -> None:
    edition, _ = load(rss(item(1, "<dc:creator>Ana Ruiz</dc:creator>")))
    assert [a.name for a in edition.lead.authors] == ["Ana Ruiz"]


def test_categories_to_sections_and_a_caller_mapping_wins() -> None:
    feed = rss(item(1, "<category>World</category>"), item(2, "<category>World</category>"),
               item(3, "<category>biz</category>"))
    edition, _ = load(feed)
    assert [s.title for s in edition.sections] == ["World", "biz"]
    edition, _ = load(feed, sections={"biz": "Business"})
    assert [s.title for s in edition.sections] == ["World", "Business"]


def test_times_keep_their_zone_and_a_zoneless_time_gets_the_newsletters_with_a_warning() -> None:
    edition, warnings = load(rss(item(1, date="Tue, 20 May 2014 09:15:00 +0530"),
                                 item(2, date="Tue, 20 May 2014 09:15:00")))
    assert edition.articles[0].published_at.utcoffset().total_seconds() == 5.5 * 3600  # type: ignore[union-attr]
    second = edition.articles[1].published_at
    assert str(second.tzinfo) == "America/New_York"
    assert any("has no time zone: read as America/New_York" in w for w in warnings)


def test_duplicates_by_guid_or_canonical_url_are_merged() -> None:
    edition, warnings = load(rss(
        item(1, "<dc:creator>A</dc:creator>"),
        "<title>Story 1 (updated)</title><link>https://news.example/story-1/</link><guid>other</guid>"
        "<pubDate>Tue, 20 May 2014 11:00:00 -0400</pubDate>",
        "<title>Story 1 again</title><link>https://news.example/elsewhere</link><guid>g1</guid>"
        "<pubDate>Tue, 20 May 2014 10:00:00 -0400</pubDate>",
    ))
    assert edition.story_count == 1
    lead = edition.lead
    assert lead.headline == "Story 1 (updated)" and lead.url == "https://news.example/story-1"
    assert [a.name for a in lead.authors] == ["A"]  # the older entry fills what the newer lacks
    assert lead.published_at == datetime(2014, 5, 20, 13, 15, tzinfo=UTC)
    assert lead.updated_at == datetime(2014, 5, 20, 15, 0, tzinfo=UTC)
    assert sum("merged with an earlier entry" in w for w in warnings) == 2


def test_newest_n_since_a_time_in_the_feeds_order() -> None:
    feed = rss(item(1, date="Tue, 20 May 2014 08:00:00 -0400"), item(2, date="Tue, 20 May 2014 12:00:00 -0400"),
               item(3, date="Tue, 20 May 2014 10:00:00 -0400"), item(4, date="Mon, 19 May 2014 10:00:00 -0400"))
    edition, warnings = load(feed, since=datetime(2014, 5, 20, 0, 0), limit=2)
    assert [a.headline for a in edition.articles] == ["Story 2", "Story 3"]
    assert any("1 story published before" in w for w in warnings)
    assert any("1 older story left out (limit 2)" in w for w in warnings)


def test_entries_without_title_or_link_are_skipped_with_a_warning() -> None:
    edition, warnings = load(rss(item(1), "<link>https://news.example/x</link>", "<title>No link</title>"))
    assert edition.story_count == 1
    assert any("entry 2: skipped: no title" in w for w in warnings)
    assert any("skipped: no link" in w for w in warnings)


def test_warnings_default_to_feed_warnings() -> None:
    with pytest.warns(mailkit.FeedWarning, match="skipped: no title"):
        from_feed(rss(item(1), "<link>https://news.example/x</link>"), newsletter=NEWSLETTER)


def test_atom_xhtml_content_and_relative_links() -> None:
    edition, _ = load((FEEDS / "newsroom-atom.xml").read_bytes())
    lead = edition.lead
    assert lead.url == "https://www.harborledger.example/2014/05/21/port-strike-ends"
    assert "<em>dawn</em>" in lead.body
    assert 'href="https://www.harborledger.example/2014/05/21/port-strike-timeline"' in lead.body
    assert lead.authors[0].url == "https://www.harborledger.example/staff/priya-natarajan"
    assert lead.updated_at is not None and lead.updated_at.utcoffset().total_seconds() == 3600  # type: ignore[union-attr]


def test_json_feed() -> None:
    edition, warnings = load((FEEDS / "newsroom-jsonfeed.json").read_bytes())
    assert edition.lead.headline.startswith("Grey Seals Return")
    assert edition.lead.authors[0].name == "Lena Fischer"
    assert edition.sections[0].articles[0].body == (
        "<p>The brass gauge at Pier 3 has recorded every tide since 1870.</p>"
        "<p>Volunteers still wind it each Sunday.</p>"
    )
    assert any("skipped: no link" in w for w in warnings)


def test_ninjs_item_picture_byline_dateline_subject() -> None:
    warnings: list[str] = []
    edition = from_ninjs(FEEDS / "ninjs-item.json", newsletter=NEWSLETTER, on_warning=warnings.append)
    lead = edition.lead
    assert lead.headline == "China Suspends Cyber Working Group With the U.S."
    assert lead.url == "https://www.tt.se/en/world/china-suspends-cyber-working-group"
    assert lead.dateline == "Beijing" and lead.authors[0].name == "Anna Lindqvist/TT"
    assert lead.section == "Politics"
    assert "<title>" not in lead.body and "announced on Monday" in lead.body
    image = lead.image
    assert image is not None and image.src.endswith("_preview.jpg") and (image.width, image.height) == (1280, 853)
    assert image.credit == "AP" and image.alt.startswith("The entrance of the Chinese Foreign Ministry")
    assert warnings == []


def test_ninjs_package_gives_one_story_per_text_association() -> None:
    edition = from_ninjs(json.loads((FEEDS / "ninjs-package.json").read_text()), newsletter=NEWSLETTER)
    assert edition.story_count == 3
    assert edition.lead.image is not None and edition.lead.image.credit == "AP"


def test_ninjs_is_validated_against_the_iptc_schema() -> None:
    with pytest.raises(mailkit.FeedError, match=r"headlines\[0\]\.value: not IPTC ninjs 2.1: 3 is not of type"):
        from_ninjs({"uri": "https://x.example/1", "headlines": [{"value": 3}]}, newsletter=NEWSLETTER)
    with pytest.raises(mailkit.FeedError, match=r"not IPTC ninjs 2\.1: 'uri' is a required property"):
        from_ninjs({"headlines": [{"value": "x"}]}, newsletter=NEWSLETTER)


def test_feedparser_private_date_parser_still_exists() -> None:
    # mailkit._editions._instant falls back on it for dates fromisoformat and RFC 822 do not read
    import feedparser

    assert feedparser.datetimes._parse_date("2014-05-20T09:15:00Z")[:4] == (2014, 5, 20, 9)


# --- output: fixtures, schema, round trip ------------------------------------------


@pytest.mark.parametrize("name", ["newsroom-rss.xml", "newsroom-atom.xml", "newsroom-jsonfeed.json",
                                  "ninjs-item.json", "ninjs-package.json", "broken-rss.xml"])
def test_import_validates_against_the_fixture_schema_and_round_trips(name: str) -> None:
    edition, _ = load((FEEDS / name).read_bytes())
    text = edition_yaml(edition)
    data = yaml.safe_load(text)
    jsonschema.Draft202012Validator(mailkit.edition_schema()).validate(json.loads(json.dumps(data, default=str)))
    assert mailkit.load_edition(data) == edition
    first, again = mailkit.render("digest", edition), mailkit.render("digest", data)
    assert (first.html, first.text, first.subject) == (again.html, again.text, again.subject)


def test_cli_render_a_feed_and_import_then_render_the_yaml(tmp_path: Path) -> None:
    runner = CliRunner()
    feed = FEEDS / "newsroom-rss.xml"
    result = runner.invoke(main, ["render", "digest", str(feed), "--newsletter", str(NEWSLETTER), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "warning: entry 7: skipped: no title" in result.output
    result = runner.invoke(main, ["import", str(feed), "--newsletter", str(NEWSLETTER), "-o", str(tmp_path / "ed.yaml")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["render", "digest", str(tmp_path / "ed.yaml"), "-o", str(tmp_path / "yaml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "digest--newsroom-rss.html").read_text() == (tmp_path / "yaml" / "digest--ed.html").read_text()


def test_cli_detects_a_feed_by_content_not_extension(tmp_path: Path) -> None:
    disguised = tmp_path / "edition.yaml"
    disguised.write_bytes((FEEDS / "ninjs-item.json").read_bytes())
    result = CliRunner().invoke(main, ["render", "digest", str(disguised), "--newsletter", str(NEWSLETTER),
                                       "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["render", "digest", str(disguised), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "a feed needs --newsletter" in result.output


# --- random entries never crash the import -----------------------------------------

_text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional={
    "id": _text, "url": st.one_of(_text, st.just("https://news.example/a")), "title": _text, "summary": _text,
    "content_html": _text, "image": _text, "date_published": st.one_of(_text, st.just("2014-05-20T09:15:00")),
    "tags": st.lists(_text, max_size=2), "authors": st.lists(st.fixed_dictionaries({"name": _text}), max_size=2),
}), max_size=5))
def test_random_json_feed_entries_never_crash(items: list[dict[str, object]]) -> None:
    feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": items}).encode()
    try:
        edition, _ = load(feed)
    except mailkit.MailkitError:
        return
    mailkit.render("digest", edition)


def test_cli_still_renders_a_toml_fixture_whose_first_line_is_a_table(tmp_path: Path) -> None:
    # "[newsletter]" starts like a JSON array: told apart from ninjs by what follows the bracket
    toml = tmp_path / "edition.toml"
    toml.write_text(
        '[newsletter]\nname = "N"\nurl = "https://news.example/"\nbrand = "nbc-news"\n'
        '[newsletter.footer]\npostal_address = "1 Main St"\nunsubscribe_url = "https://news.example/u"\n'
        'preferences_url = "https://news.example/p"\n'
        '[[articles]]\nheadline = "H"\nurl = "https://news.example/h"\npublished_at = 2014-05-20T09:15:00-04:00\n'
    )
    result = CliRunner().invoke(main, ["render", "digest", str(toml), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_json_feed_is_told_by_its_version_wherever_the_key_is() -> None:
    items = [{"id": f"{n}", "url": f"https://news.example/{n}", "title": f"Story {n} " + "x" * 100,
              "date_published": "2014-05-20T09:15:00-04:00"} for n in range(60)]
    feed = json.dumps({"items": items, "version": "https://jsonfeed.org/version/1.1"}).encode()
    edition, _ = load(feed)
    assert edition.story_count == 60


_xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_xml_text, st.one_of(_xml_text, st.just("https://news.example/a")), _xml_text,
                          st.one_of(_xml_text, st.just("Tue, 20 May 2014 09:15:00")), _xml_text), max_size=4))
def test_random_rss_items_never_crash(items: list[tuple[str, str, str, str, str]]) -> None:
    from xml.sax.saxutils import escape

    inner = [
        f"<title>{escape(t)}</title><link>{escape(link)}</link><description>{escape(d)}</description>"
        f"<pubDate>{escape(when)}</pubDate><category>{escape(c)}</category>"
        f'<media:content url="https://i.example/{n}.jpg" width="{len(t) + 1}" height="9"/>'
        for n, (t, link, d, when, c) in enumerate(items)
    ]
    try:
        edition, _ = load(rss(*inner))
    except mailkit.MailkitError:
        return
    mailkit.render("digest", edition)
