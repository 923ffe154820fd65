"""review12: today's merges (Word normaliser, calendars, ...) read as an attacker and a maintainer.

Each case: an input a user can give, and what mailkit must do with it: render
it safely (no content lost without a warning), or fail with a named
MailkitError naming the field.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from conftest import FIXTURES

import mailkit
from mailkit._sanitize import sanitize_body

PERSIAN: dict[str, Any] = yaml.safe_load((FIXTURES / "breaking-persian-rtl.yaml").read_text(encoding="utf-8"))


def _body(html: str) -> tuple[str, list[str]]:
    result = sanitize_body(html, field="articles[0].body", base_url=None)
    return result.html, [w.message for w in result.warnings]


@pytest.mark.parametrize("when", ["0500-06-01T12:00:00Z", "0001-01-03T12:00:00Z", "9999-12-29T12:00:00Z"])
def test_a_persian_edition_dated_outside_the_solar_hijri_range_renders(when: str) -> None:
    # a time the models take (0001-01-02 .. 9999-12-30 UTC) but jdatetime cannot write
    # (before 1 AP, 622 CE, or after its year 9377): a TemplateError blaming
    # components.mjml.j2 "ValueError: year is out of range" before
    data = copy.deepcopy(PERSIAN)
    data["articles"][0]["published_at"] = when
    data["articles"][0]["updated_at"] = when
    email = mailkit.render("breaking", data)
    assert email.html


def test_an_image_inside_a_word_spacerun_span_is_kept() -> None:
    # the spacing-run pass took a span whose text is spaces only for a run of spaces,
    # and emptied it: an image (no text of its own) inside went without a warning
    html, warnings = _body('<p>Chart<span style="mso-spacerun:yes">&nbsp;<img src="https://example.com/c.png" '
                           'alt="Turnout chart" width="300" height="200"></span>below</p>')
    assert "https://example.com/c.png" in html or any("img" in w for w in warnings)


def test_a_second_mso_list_ignore_span_keeps_its_text() -> None:
    # only the first mso-list:Ignore span is the item's fake marker; a later one's words
    # were removed with it, without a warning
    html, warnings = _body('<p style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·&nbsp;&nbsp;</span>'
                           'Funds <span style="mso-list:Ignore">agencies through March</span></p>')
    assert "<li>" in html
    assert "agencies through March" in html or warnings


@pytest.mark.parametrize("body", [
    "<table><tr><td><p>Votes</p></td></tr></table>",
    '<p>Turnout rose<span class="MsoFootnoteReference">[1]</span>.</p>',
    "<p>Before the rule<br></p>x<br><hr>",
])
def test_the_office_normaliser_does_not_depend_on_unrelated_markup(body: str) -> None:
    # the normaliser ran only when something else in the body needed the parser (an <h1>,
    # a style attribute ...): a cell's paragraph, a footnote number, a break before a rule
    # came out one way alone and another beside an <h1>
    alone, _ = _body(body)
    with_heading, _ = _body(body + "<h1>Notes</h1>")
    assert alone + "<h2>Notes</h2>" == with_heading


# --- a feed's own DTD entities (scale11's check), spelled another way ---
# Entity names are XML Names (any letter: "é0"), and a feed may be UTF-16; the check
# read references as ASCII names in the raw bytes, so a billion laughs named in
# Latin-1 letters, or a long entity referenced often in a UTF-16 feed, was expanded
# by expat as before (300 bytes: a 100,000-character headline; 9 levels: 0.35 s, 97 MB)

def _feed(doctype: str, title: str, description: str = "d") -> str:
    return (f"<?xml version='1.0' encoding='UTF-8'?>{doctype}<rss version='2.0'><channel><title>T</title>"
            "<link>https://e.example/</link><item><title>" + title + "</title><link>https://e.example/1</link>"
            "<pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate><description>" + description
            + "</description></item></channel></rss>")


def _laughs(levels: int, name: str) -> str:
    return (f"<!DOCTYPE rss [<!ENTITY {name}0 'aaaaaaaaaa'>"
            + "".join(f"<!ENTITY {name}{i} '" + f"&{name}{i - 1};" * 10 + "'>" for i in range(1, levels)) + "]>")


@pytest.mark.parametrize(("feed", "encoding"), [
    (_feed(_laughs(5, "é"), "&é4;"), "utf-8"),
    (_feed(_laughs(9, "lolé"), "&lolé8;"), "utf-8"),
    (_feed("<!DOCTYPE rss [\n<!ENTITY bigé '" + "x" * 30_000 + "'>\n]>", "t", "&bigé;" * 2_000), "utf-8"),
    (_feed("<!DOCTYPE rss [\n<!ENTITY big '" + "x" * 30_000 + "'>\n]>", "t", "&big;" * 2_000)
     .replace("UTF-8", "UTF-16"), "utf-16"),
    (_feed("<!DOCTYPE rss [\n<!ENTITY bigé '" + "x" * 30_000 + "'>\n]>", "t", "&bigé;" * 2_000)
     .replace("UTF-8", "ISO-8859-1"), "latin-1"),
], ids=["laughs-latin1-name", "laughs-billion-latin1-name", "quadratic-latin1-name", "quadratic-utf16",
        "quadratic-declared-latin1"])
def test_a_feed_declaring_expanding_entities_in_another_spelling_is_refused(feed: str, encoding: str) -> None:
    from conftest import SEED

    with pytest.raises(mailkit.FeedError, match=r"<feed>: line \d+: entity '\w+' .*expand"):
        mailkit.from_feed(feed.encode(encoding), newsletter=SEED.parent / "feeds" / "newsletter.yaml",
                          on_warning=lambda w: None)


# --- a caption that mentions the agency is not a caption that credits it ---
# left11's de-duplication took a credit as held when its words stood anywhere in the
# caption: "... told Reuters on Monday" with credit "Reuters" lost its credit line,
# in the HTML and the text part, without a warning (a photo's attribution)

@pytest.mark.parametrize(("caption", "credit"), [
    ("The minister told Reuters on Monday she would resign.", "Reuters"),
    ("Protesters outside the AP building in New York.", "AP"),
    ("Visitors at a Getty Images exhibition in Los Angeles.", "Getty Images"),
])
def test_a_caption_mentioning_the_agency_keeps_the_credit(caption: str, credit: str) -> None:
    image = mailkit.Image(src="https://example.com/a.jpg", alt="x", caption=caption, credit=credit)
    assert image.caption_credit == credit


@pytest.mark.parametrize(("caption", "credit"), [
    ("Firefighters battle the blaze. (Photo: AP)", "AP"),
    ("Photo: AP. Firefighters battle the blaze.", "AP"),
    ("Firefighters battle the blaze [Jane Doe/Reuters] on Thursday.", "Jane Doe/Reuters"),
    ("Firefighters battle the blaze. Credit: Jane Doe for Reuters", "Jane Doe for Reuters"),
])
def test_a_caption_crediting_the_agency_still_holds_it(caption: str, credit: str) -> None:
    image = mailkit.Image(src="https://example.com/a.jpg", alt="x", caption=caption, credit=credit)
    assert image.caption_credit is None


# --- a link to a lookalike host beside a label IDNA 2008 refuses (an emoji domain) ---
# inject11's link-homograph warning decoded the whole host for its message: a label of an
# emoji (xn--ls8h, which safe_url and browsers take) raised idna's InvalidCodepoint out
# of sanitize_body, a traceback for any body with such a link

@pytest.mark.parametrize("href", [
    "https://xn--nbcnws-6of.xn--ls8h.la/",
    "https://xn--ls8h.xn--nbcnws-6of.com/",
    "https://xn--nbcnws-6of.xn--i-7iq.ws/",
])
def test_a_homograph_link_beside_an_emoji_label_is_warned_not_raised(href: str) -> None:
    result = sanitize_body(f'<p><a href="{href}">story</a></p>', field="articles[0].body", base_url=None)
    assert href in result.html
    assert [w.code for w in result.warnings] == ["link-homograph"]


# --- a Persian-calendar date in another language's line ---
# BCP 47's -u-ca-persian chooses the Solar Hijri calendar for any language, but its month
# names were always Persian's: "24. آبان 1403, 03:12 GMT · Aktualisiert" in a German
# line (the mixed line langs11 removed for labels); jdatetime carries the names in Latin

@pytest.mark.parametrize("lang", ["de-u-ca-persian", "en-u-ca-persian"])
def test_a_persian_calendar_date_in_another_language_has_its_month_in_latin_letters(lang: str) -> None:
    data = copy.deepcopy(PERSIAN)
    data["newsletter"]["language"] = lang
    data["articles"][0]["language"] = lang
    text = mailkit.render("breaking", data).text
    assert "آبان" not in text
    assert "Aban 24, 1403" in text or "24. Aban 1403" in text


def test_a_buddhist_era_year_in_a_pattern_without_an_era_names_its_era() -> None:
    # en-u-ca-buddhist: English's pattern has no era field, so "November 14, 2567" read as a
    # Gregorian year 543 years ahead; CLDR's English Buddhist pattern ends "y G" ("2567 BE")
    data = copy.deepcopy(PERSIAN)
    data["newsletter"]["language"] = "en-u-ca-buddhist"
    data["articles"][0]["language"] = "en-u-ca-buddhist"
    text = mailkit.render("breaking", data).text
    assert "2567 BE" in text


# --- a tracking pixel's size in another spelling ---
# inject11 drops a 1 x 1 body image (a beacon), read as width="1" height="1" after cleaning;
# the cleaner kept an integer attribute as written, so width="01" height="01" (which every
# client reads as 1) reached readers, unwarned

@pytest.mark.parametrize("side", ["01", "0001"])
def test_a_tracking_pixel_sized_with_leading_zeros_is_dropped(side: str) -> None:
    html, warnings = _body(f'<p>Text<img src="https://t.example/p.gif" alt="" width="{side}" height="{side}"></p>')
    assert "<img" not in html
    assert any("tracking pixel" in w for w in warnings)
