"""Images in their own ratio, stories in their own language, nothing dropped without a word."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from conftest import FIXTURES, SEED

import mailkit
from mailkit._fixtures import load_edition
from mailkit._media import image_box, story_direction, voice_of
from mailkit._models import Image

MIXED = FIXTURES / "digest-languages-and-images.yaml"
DIGEST = FIXTURES / "digest-morning-briefing.yaml"


def img(width: int | None = None, height: int | None = None) -> Image:
    return Image(src="https://e.example/p.jpg", alt="A photo", width=width, height=height)


def seed() -> dict:  # type: ignore[type-arg]
    return load_edition(SEED).model_dump(mode="json")


# -- images -------------------------------------------------------------------

@pytest.mark.parametrize(("width", "height"), [(None, None), (1200, None), (None, 800), (10_000, 8_000), (3000, 500)])
def test_images_without_dimensions_or_with_huge_ones_are_accepted(width: int | None, height: int | None) -> None:
    # RSS and most CMS APIs give no dimensions; cameras give 10000x8000
    data = seed()
    data["articles"][0]["image"].update(width=width, height=height)
    if width is None:
        del data["articles"][0]["image"]["width"]
    email = mailkit.render("breaking", data)
    tag = lxml.html.document_fromstring(email.html).xpath("//img[contains(@src, 'china')]")[0]
    assert tag.get("width") == "552"
    if width and height:
        assert int(tag.get("height")) == round(552 * height / width)
        assert not [w for w in email.warnings if "no width and height" in w]
    else:
        assert tag.get("height") == "auto" and "height:auto" in tag.get("style").replace(" ", "")
        assert [w for w in email.warnings if w.startswith("articles[0].image: no width and height")]


@pytest.mark.parametrize(("own", "layout", "max_height", "box"), [
    ((3000, 500), 552, None, (552, 92, True)),        # a panorama keeps its 6:1
    ((2400, 240), 264, 264, (264, 26, True)),         # 10:1, on a card
    ((1500, 1000), 264, 264, (264, 176, True)),       # 3:2, not squashed to 16:9
    ((800, 1200), 552, 552, (368, 552, True)),        # a portrait: as tall as allowed, narrower
    ((1080, 1080), 264, 264, (264, 264, True)),
    ((10_000, 8_000), 552, 552, (552, 442, True)),    # huge: scaled down
    ((200, 100), 552, 552, (200, 100, False)),        # tiny: never blown up, not even on phones
    ((65_535, 1), 552, None, (552, 1, True)),         # at least a pixel
    ((1200, None), 552, None, (552, None, True)),     # one dimension: width from the layout
    ((300, None), 552, None, (300, None, False)),
    ((None, 900), 552, None, (552, None, True)),
    ((None, None), 264, 264, (264, None, True)),
])
def test_image_box_keeps_the_image_ratio(own, layout, max_height, box) -> None:  # type: ignore[no-untyped-def]
    b = image_box(img(*own), layout, max_height)
    assert (b.width, b.height, b.fluid) == box
    if own[0] and own[1] and b.height and b.height > 20:
        assert abs(b.width / b.height - own[0] / own[1]) / (own[0] / own[1]) < 0.03


def test_digest_cards_keep_each_image_ratio_not_16_9() -> None:
    email = mailkit.render("digest", MIXED)
    root = lxml.html.document_fromstring(email.html)
    edition = email.edition
    images = {a.image.src: a.image for _, a in _stories(edition) if a.image}
    seen = 0
    for tag in root.xpath("//img[@src]"):
        own = images.get(tag.get("src"))
        if own is None or not (own.width and own.height):
            continue
        seen += 1
        w, h = int(tag.get("width")), int(tag.get("height"))
        assert abs(w / h - own.width / own.height) / (own.width / own.height) < 0.03, tag.get("src")
    assert seen == 6  # and the Amazon image, without dimensions: height auto


def _stories(edition):  # type: ignore[no-untyped-def]
    yield from enumerate(edition.articles)
    for s in edition.sections:
        yield from enumerate(s.articles)


def test_caption_and_credit_are_set_apart_in_both_parts() -> None:
    email = mailkit.render("breaking", SEED)
    root = lxml.html.document_fromstring(email.html)
    caption = root.xpath("//p[contains(@class, 'mk-caption')]")[0]
    credit = caption.xpath(".//span[contains(@class, 'mk-credit')]")[0]
    assert caption.xpath("./br") and credit.text_content() == "Photo: Lintao Zhang / Getty Images, file"
    lines = email.text.splitlines()
    at = lines.index("Photo: Lintao Zhang / Getty Images, file")
    assert lines[at - 1].endswith("in 2013.") or lines[at - 1]  # the caption's last line, right above

    # Arabic: the label, on its own line; the caption has no full stop to end it
    data = load_edition(FIXTURES / "breaking-arabic-rtl.yaml").model_dump(mode="json")
    data["articles"][0]["image"]["caption"] = "مبنى وزارة الخارجية في بكين"
    text = mailkit.render("breaking", data).text
    assert "مبنى وزارة الخارجية في بكين\nتصوير: رويترز" in text


# -- language and direction ---------------------------------------------------

@pytest.mark.parametrize(("lang", "direction"), [
    ("he", "rtl"), ("ar-EG", "rtl"), ("fa", "rtl"), ("ckb", "rtl"), ("en-GB", "ltr"), ("ja", "ltr"), ("xx", None),
])
def test_story_direction(lang: str, direction: str | None) -> None:
    assert story_direction(lang) == direction


def test_a_story_in_another_language_carries_its_own_lang_and_dir() -> None:
    from mailkit._models import Link

    assert voice_of(Link(title="x", url="https://e.example/", language="he"), "en", "ltr").attrs == (
        ' lang="he" dir="rtl" style="text-align:right;"')
    assert voice_of(Link(title="x", url="https://e.example/", language="en"), "en", "ltr").attrs == ""
    assert voice_of(Link(title="x", url="https://e.example/", language="en"), "ar", "rtl").align == "left"
    unknown = voice_of(Link(title="x", url="https://e.example/", language="xx"), "en", "ltr")
    assert unknown.dir == "auto" and 'dir="auto"' in unknown.attrs

    email = mailkit.render("digest", MIXED)
    root = lxml.html.document_fromstring(email.html)
    for headline, lang, direction in [("المتحف المصري الكبير", "ar", "rtl"), ("הרכבת הקלה", "he", "rtl"),
                                      ("الأردن يطلق", "ar", "rtl"), ("בדיקת דם", "he", "rtl"),
                                      ("السعودية تحدد", "ar", "rtl"), ("גשם ראשון", "he", "rtl")]:
        a = root.xpath(f"//a[contains(., '{headline}')]")[0]
        holder = a.xpath("ancestor::*[@lang][1]")[0]
        assert (holder.get("lang"), holder.get("dir")) == (lang, direction), headline
        assert "text-align:right" in holder.get("style").replace(" ", "")
    # English stories inherit the document's
    a = root.xpath("//a[contains(., 'Moon Lander')]")[0]
    assert a.xpath("ancestor::*[@lang][1]")[0].get("lang") == "en"
    assert not a.xpath("ancestor::*[@dir='rtl']")
    # the story's own labels: Hebrew bylines and credits
    assert "מאת דנה כהן ויוסי לוי" in email.text and "צילום: מרים שטרן / פלאש 90" in email.text


def test_lines_of_mixed_direction_parts_have_a_direction() -> None:
    # "© 2026 Example News" in an Arabic email must not read "Example News 2026 ©"
    data = load_edition(FIXTURES / "breaking-arabic-rtl.yaml").model_dump(mode="json")
    data["newsletter"]["footer"]["copyright"] = "© 2026 Example News"
    root = lxml.html.document_fromstring(mailkit.render("breaking", data).html)
    for text in ("© 2026 Example News", "1 Harbor Street", data["newsletter"]["footer"]["reason"]):
        p = root.xpath(f"//p[contains(., '{text}')]")[0]
        assert p.get("dir") == "auto", text
    assert root.xpath("//strong[contains(., 'بكين')]")[0].get("dir") == "auto"  # the dateline
    assert root.xpath("//span[contains(@class, 'mk-credit')]/span")[0].get("dir") == "auto"


# -- nothing dropped in silence ------------------------------------------------

def test_section_is_shown_as_the_kicker_where_there_is_none() -> None:
    data = seed()
    data["articles"][0].pop("kicker", None)
    data["articles"][0]["section"] = "Asia Pacific"
    email = mailkit.render("breaking", data)
    assert "Asia Pacific" in email.text and not [w for w in email.warnings if "section" in w]


def test_digest_shows_bylines_and_warns_what_it_leaves_out_per_story() -> None:
    data = load_edition(DIGEST).model_dump(mode="json")
    story = data["sections"][1]["articles"][0]
    story.update(authors=[{"name": "Ana Ruiz"}, {"name": "Li Wei"}], body="<p>The whole story.</p>",
                 section="Business", contributors="Reuters contributed.")
    story["image"].update(caption="Solar panels in Oregon.", credit="Natalie Behring / Getty Images")
    data["articles"][0]["body"] = "<p>The lead's body.</p>"
    email = mailkit.render("digest", data)
    assert "By Ana Ruiz and Li Wei" in email.text
    assert "Photo: Natalie Behring / Getty Images" in email.text
    unshown = sorted(w for w in email.warnings if "not shown" in w)
    assert unshown == [
        "articles[0].body: not shown by template 'digest' (a digest links to the full story)",
        "sections[0].articles[2].image: not shown by template 'digest' (compact list)",
        "sections[1].articles[0].body: not shown by template 'digest' (a digest links to the full story)",
        "sections[1].articles[0].contributors: not shown by template 'digest' (a digest links to the full story)",
        ("sections[1].articles[0].image.caption: not shown by template 'digest' "
         "(story card: the alt text describes the image)"),
    ]


def test_story_fields_a_custom_template_never_reads_are_named(tmp_path: Path) -> None:
    (tmp_path / "headlines.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% block content %}<mj-section><mj-column><mj-text>'
        "{% for s in sections %}{% for a in s.articles[:1] %}<p>{{ a.headline }}</p>{% endfor %}{% endfor %}"
        "</mj-text></mj-column></mj-section>{% endblock %}\n", encoding="utf-8")
    email = mailkit.render("headlines", DIGEST, mailkit.RenderOptions(template_dirs=(tmp_path,)))
    warnings = email.warnings
    assert "sections[0].articles[0].summary: not shown by template 'headlines'" in warnings
    assert "sections[0].articles[0].kicker: not shown by template 'headlines'" in warnings
    assert "sections[0].articles[0].image: not shown by template 'headlines'" in warnings
    assert "sections[0].articles[1]: story not shown by template 'headlines'" in warnings
    assert "articles: 1 article(s) not shown by template 'headlines'" in warnings
    assert not [w for w in warnings if re.match(r"articles\[0\]", w)]  # said once, as a whole


def test_a_story_stand_in_is_no_way_out_of_the_sandbox(tmp_path: Path) -> None:
    for i, expr in enumerate(("article._target", "article.__class__.__mro__", "article._read", "article.headlin")):
        (tmp_path / f"t{i}.mjml.j2").write_text(
            '{% extends "layouts/base.mjml.j2" %}{% block content %}<mj-section><mj-column><mj-text>'
            f"{{{{ {expr} }}}}</mj-text></mj-column></mj-section>{{% endblock %}}\n", encoding="utf-8")
        with pytest.raises(mailkit.TemplateError, match=rf"t{i}\.mjml\.j2.*line 1") as info:
            mailkit.render(f"t{i}", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))
        if expr.endswith("headlin"):
            assert "'mailkit.Article object' has no attribute 'headlin'" in str(info.value)


@pytest.mark.parametrize("lang", ["en", "ar", "he"])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_bylines_isolate_each_name_and_read_as_before(lang: str, count: int) -> None:
    import babel.lists

    names = ["Sara Khatib", "דנה כהן", "M. Alex Johnson"][:count]
    data = seed()
    data["articles"][0].update(language=lang, authors=[{"name": n} for n in names])
    email = mailkit.render("breaking", data)
    by = {"en": "By", "ar": "بقلم", "he": "מאת"}[lang]
    # CLDR's list patterns (Arabic repeats the conjunction: "A وB وC"); English keeps
    # the newsroom's "A, B and C" (no serial comma)
    expected = babel.lists.format_list(names, locale="en_GB" if lang == "en" else lang)
    assert f"{by} {expected}" in email.text
    spans = lxml.html.document_fromstring(email.html).xpath("//p[contains(@class, 'mk-meta')]/span[@dir='auto']")
    assert [s.text for s in spans] == names
