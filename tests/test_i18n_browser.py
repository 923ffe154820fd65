"""Right-to-left and CJK editions in a real browser, at 375 and 1000 px.

Each edition is in its own direction (the band, headline and footer sit on the
reading side), nothing scrolls sideways, and each script is drawn with a font
that has its glyphs (Debian's Noto fonts, installed by .ci/run): a missing
glyph is a "tofu" box as wide as the font's notdef, the same for every character.
Screenshots go to tmp_path (MAILKIT_SCREENSHOTS=folder keeps them to look at).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from test_browser import open_email

import mailkit
from mailkit._paths import FIXTURES_DIR

pytestmark = pytest.mark.browser

EDITIONS = {
    "ar": ("breaking-arabic-rtl", "rtl", "عاجل"),
    "he": ("breaking-hebrew-rtl", "rtl", "מבזק"),
    "fa": ("breaking-persian-rtl", "rtl", "فوری"),
    "ja": ("breaking-japanese", "ltr", "速報"),
    "zh": ("breaking-chinese", "ltr", "突发新闻"),
    "hi": ("breaking-hindi", "ltr", "ब्रेकिंग न्यूज़"),
}


def _render(lang: str) -> mailkit.RenderedEmail:
    fixture, _, _ = EDITIONS[lang]
    data = yaml.safe_load((FIXTURES_DIR / f"{fixture}.yaml").read_text(encoding="utf-8"))
    data["language"] = lang
    return mailkit.render("breaking", data)


@pytest.mark.parametrize("width", [375, 1000])
@pytest.mark.parametrize("lang", list(EDITIONS))
def test_rtl_and_cjk_editions_read_natively(browser, lang: str, width: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    email = _render(lang)
    _, direction, band = EDITIONS[lang]
    context, page = open_email(browser, email.html, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate("document.documentElement.dir") == direction
        found = page.evaluate("""band => {
            const el = [...document.querySelectorAll('p')].find(p => p.textContent.trim() === band);
            if (!el) return null;
            const range = document.createRange();
            range.selectNodeContents(el);  // the text's own extent, not its block's
            const r = range.getBoundingClientRect(), box = el.closest('td').getBoundingClientRect();
            return {left: r.left - box.left, right: box.right - r.right, dir: getComputedStyle(el).direction};
        }""", band)
        assert found is not None, band
        assert found["dir"] == direction
        near, far = (found["right"], found["left"]) if direction == "rtl" else (found["left"], found["right"])
        assert near < far, found  # the band's label starts on the reading side

        # a font with the script's glyphs: distinct characters have distinct widths
        # (a missing glyph is the notdef box, the same width every time); format
        # characters (a Persian word's zero-width non-joiner) have no width to compare
        widths = page.evaluate("""text => {
            const span = document.createElement('span');
            span.style.fontFamily = getComputedStyle(document.querySelector('td.mk-text')).fontFamily;
            span.style.fontSize = '40px';
            document.body.appendChild(span);
            const out = [...new Set([...text].filter(c => c.trim() && !/\\p{Cf}/u.test(c)))].slice(0, 8).map(ch => { span.textContent = ch.repeat(5); return span.getBoundingClientRect().width; });
            span.remove();
            return out;
        }""", band + email.edition.lead.headline)
        assert len({round(w) for w in widths}) > 1 or lang in ("ja", "zh"), widths  # CJK: all full-width by design
        assert all(w > 0 for w in widths)
        shots = Path(os.environ.get("MAILKIT_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"breaking-{lang}-{width}.png"), full_page=True)
    finally:
        context.close()
