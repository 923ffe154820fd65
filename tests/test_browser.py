"""Responsive layout in a real browser: Debian's Chromium, driven by playwright.

At 375 px there is no horizontal scroll and story cards stack; at 1000 px they
sit side by side in a 600 px column. With MAILKIT_REQUIRE_BROWSER=1 (set by
.ci/run) a missing Chromium fails these tests instead of skipping them.
"""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import INLINERS, THEMES, matrix, pair_id, rendered

import mailkit

pytestmark = pytest.mark.browser

def open_email(browser, html: str, width: int, dark: bool = False):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="dark" if dark else "light")
    page = context.new_page()
    page.route("**/*", lambda route: route.abort())  # offline: images are placeholders
    page.set_content(html, wait_until="domcontentloaded")
    return context, page


def boxes(page, selector: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        selector, "els => els.map(e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width}; })"
    )


@pytest.mark.parametrize("inliner", INLINERS)
@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_phone_width_has_no_horizontal_scroll_and_cards_stack(browser, pair, inliner: str) -> None:  # type: ignore[no-untyped-def]
    email = rendered(*pair, inliner=inliner)
    context, page = open_email(browser, email.html, 375)
    try:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 375, f"horizontal scroll: {scroll}px"
        cards = boxes(page, ".mk-story")
        for a, b in pairwise(cards):
            assert b["y"] > a["y"], "story cards should stack on a phone"
        for card in cards:
            assert card["w"] > 300
    finally:
        context.close()


@pytest.mark.parametrize("inliner", INLINERS)
@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_desktop_width_is_a_600px_column_with_cards_side_by_side(browser, pair, inliner: str) -> None:  # type: ignore[no-untyped-def]
    email = rendered(*pair, inliner=inliner)
    context, page = open_email(browser, email.html, 1000)
    try:
        for card in boxes(page, ".mk-card"):
            assert abs(card["w"] - 600) < 1 and abs(card["x"] - 200) < 1
        cards = boxes(page, ".mk-story")
        pairs = list(zip(cards[::2], cards[1::2], strict=False))  # an odd last card has no neighbour
        for a, b in pairs:
            assert a["y"] == b["y"]
            assert b["x"] > a["x"] if email.edition.dir == "ltr" else b["x"] < a["x"]
        if email.template == "digest" and email.edition.sections:
            assert pairs, "the digest shows story cards in pairs"
    finally:
        context.close()


def contrast(fg: str, bg: str) -> float:
    def lum(rgb: str) -> float:
        parts = [int(x) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("inliner", INLINERS)
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("theme", ["nbc-news", "harbor-ledger"])
@pytest.mark.parametrize(("template", "fixture"), [("breaking", "breaking-china-cyberspying"),
                                                   ("special-report", "special-report-inside-the-indictment")])
def test_body_text_contrast_in_light_and_dark_mode(browser, template: str, fixture: str,  # type: ignore[no-untyped-def]
                                                   theme: str, dark: bool, inliner: str) -> None:
    # the special report has figures in its body: their alt text is checked too
    email = rendered(template, Path("fixtures") / f"{fixture}.yaml", theme, inliner)
    context, page = open_email(browser, email.html, 1000, dark=dark)
    try:
        samples = page.eval_on_selector_all(
            ".mk-card .mk-text p, .mk-page-footer .mk-text p",
            """els => els.map(e => {
                 let bg = null, n = e;
                 while (n && (!bg || bg === 'rgba(0, 0, 0, 0)')) { bg = getComputedStyle(n).backgroundColor; n = n.parentElement; }
                 return {fg: getComputedStyle(e).color, bg: bg, text: e.textContent.slice(0, 40)};
               })""",
        )
        assert samples
        for s in samples:
            assert contrast(s["fg"], s["bg"]) >= 4.5, s
        if dark:
            assert samples[0]["bg"] != "rgb(255, 255, 255)"
        # images are blocked here, as in Outlook or Gmail's "ask before
        # displaying": the box shows its alt text on its placeholder colour
        alts = page.eval_on_selector_all(
            ".mk-img img, .mk-text img",
            """els => els.map(e => { const s = getComputedStyle(e);
                 return {fg: s.color, bg: s.backgroundColor, size: parseFloat(s.fontSize), alt: e.alt}; })""",
        )
        assert alts
        for a in alts:
            assert contrast(a["fg"], a["bg"]) >= 4.5 and a["size"] >= 14, a
    finally:
        context.close()


def test_logo_and_its_dark_variant(browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    theme = tmp_path / "logo-theme.yaml"
    theme.write_text(
        "name: Logo News\n"
        "logo: {src: 'https://cdn.example.com/logo.png', dark_src: 'https://cdn.example.com/logo-dark.png',"
        " alt: 'Logo News', width: 160, height: 40}\n", encoding="utf-8")
    email = mailkit.render("breaking", "fixtures/breaking-china-cyberspying.yaml", mailkit.RenderOptions(theme=theme))
    assert "logo-dark.png" in email.html and "Logo News" not in email.text.splitlines()[1:2]
    for dark, visible in ((False, "logo.png"), (True, "logo-dark.png")):
        context, page = open_email(browser, email.html, 600, dark=dark)
        try:
            shown = page.eval_on_selector_all(
                "td.mk-logo img, td.mk-logo-dark img",
                "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.getAttribute('src'))")
            assert len(shown) == 1 and shown[0].endswith("/" + visible), shown
        finally:
            context.close()


AXE = Path(__file__).resolve().parent / "mjml" / "node_modules" / "axe-core" / "axe.min.js"
# An email is an article inside the mail client's own page, which supplies
# <main> and the landmarks (MJML marks the wrapper role="article"): these two
# page-level best practices do not apply.
AXE_OFF = ("landmark-one-main", "region")


@pytest.mark.parametrize("inliner", INLINERS)
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_axe_finds_no_accessibility_violation(browser, pair, theme: str, inliner: str) -> None:  # type: ignore[no-untyped-def]
    # axe-core (Deque's reference engine, installed beside the MJML validator):
    # WCAG 2.2 A/AA and best practices, in light and in dark mode
    if not AXE.is_file():
        if os.environ.get("MAILKIT_REQUIRE_BROWSER"):
            pytest.fail("axe-core is not installed (npm ci --prefix tests/mjml)")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/mjml)")
    email = rendered(*pair, theme=theme, inliner=inliner)
    context, page = open_email(browser, email.html, 1000)
    try:
        page.add_script_tag(path=str(AXE))
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            result = page.evaluate(
                """off => axe.run(document, {
                     runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
                     rules: Object.fromEntries(off.map(id => [id, {enabled: false}])),
                     resultTypes: ['violations']})""", list(AXE_OFF))
            found = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]]
            assert found == [], (scheme, found)
    finally:
        context.close()


IMAGE_CASES = [("digest", "digest-languages-and-images"), ("digest", "digest-morning-briefing"),
               ("breaking", "breaking-china-cyberspying"), ("special-report", "breaking-arabic-rtl")]


@pytest.mark.parametrize("width", [375, 1000])
@pytest.mark.parametrize(("template", "fixture"), IMAGE_CASES)
def test_every_image_is_laid_out_in_its_own_ratio(browser, template: str, fixture: str, width: int) -> None:  # type: ignore[no-untyped-def]
    # offline the images do not load: what is measured is the box the HTML lays
    # out, which is what a reader sees before the image arrives and around it after
    email = rendered(template, Path("fixtures") / f"{fixture}.yaml")
    edition = email.edition
    stories = [*edition.articles, *(a for s in edition.sections for a in s.articles)]
    own = {a.image.src: a.image for a in stories if a.image and a.image.width and a.image.height}
    context, page = open_email(browser, email.html, width)
    try:
        shown = page.eval_on_selector_all(
            "img", "els => els.map(e => { const r = e.getBoundingClientRect(); return {src: e.getAttribute('src'), w: r.width, h: r.height}; })")
        measured = [s for s in shown if s["src"] in own]
        assert measured
        for s in measured:
            ratio = own[s["src"]].width / own[s["src"]].height
            assert s["h"] > 0 and abs(s["w"] / s["h"] - ratio) / ratio < 0.03, (s, ratio)
            assert s["w"] <= own[s["src"]].width  # never wider than the file
    finally:
        context.close()


@pytest.mark.parametrize("email_lang", ["en", "ar"])
@pytest.mark.parametrize("width", [375, 1000])
def test_stories_in_another_direction_are_laid_out_in_theirs(browser, width: int, email_lang: str) -> None:  # type: ignore[no-untyped-def]
    # an English digest with Arabic and Hebrew stories, and the same as an Arabic email (vice versa)
    fixture = Path("fixtures") / "digest-languages-and-images.yaml"
    if email_lang == "en":
        email = rendered("digest", fixture)
    else:
        data = mailkit.load_edition(fixture).model_dump(mode="json")
        for story in [*data["articles"], *(a for s in data["sections"] for a in s["articles"]), *data["more_stories"]]:
            story["language"] = story["language"] or "en"  # without one, a story is in the email's language
        email = mailkit.render("digest", {**data, "language": email_lang})
        assert email.edition.dir == "rtl"
    context, page = open_email(browser, email.html, width)
    try:
        found = page.eval_on_selector_all(
            ".mk-text h1, .mk-text h3, .mk-text li, .mk-text p.mk-kicker",
            """els => els.map(e => { const s = getComputedStyle(e);
                 return {text: e.textContent.trim().slice(0, 30), dir: s.direction, align: s.textAlign,
                         lang: e.closest('[lang]').getAttribute('lang')}; })""")
        rtl = [f for f in found if any("\u0590" <= c <= "\u06ff" for c in f["text"])]
        ltr = [f for f in found if f["text"].isascii()]
        assert len(rtl) >= 10 and len(ltr) >= 8
        for f in rtl:
            assert (f["dir"], f["align"]) == ("rtl", "right") and f["lang"] in ("ar", "he"), f
        for f in ltr:  # English, and the French story (left to right as well)
            assert (f["dir"], f["align"]) == ("ltr", "left") and f["lang"] in ("en", "fr"), f
        if width == 1000:  # the two-card rows run in the email's direction
            cards = boxes(page, ".mk-story")
            assert cards[1]["x"] > cards[0]["x"] if email_lang == "en" else cards[1]["x"] < cards[0]["x"]
    finally:
        context.close()
