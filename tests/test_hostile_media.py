"""Hostile and broken images, captions, credits and languages, each with its expected outcome.

Same spirit as tests/test_hostile_input.py: every case either renders safely
(nothing executable, the footer intact, the layout in the image's own ratio,
what was left out reported as a warning) or fails with a MailkitError
subclass whose message names the field and the position.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lxml.html
import pytest
import yaml
from conftest import FIXTURES, SEED
from test_hostile_input import dangerous, expand, setter

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
MIXED = yaml.safe_load((FIXTURES / "digest-languages-and-images.yaml").read_text(encoding="utf-8"))


@dataclass
class Case:
    id: str
    change: Callable[[dict[str, Any]], None]
    error: type[Exception] | None = None
    message: str = ""  # regex the error message must match
    warning: str = ""  # regex one warning must match
    template: str = "breaking"
    check: Callable[[mailkit.RenderedEmail], None] | None = None
    base: dict[str, Any] | None = None


def image(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        img = data["articles"][0]["image"]
        for k, v in fields.items():
            if v is None:
                img.pop(k, None)
            else:
                img[k] = v
    return change


def lead_img(email: mailkit.RenderedEmail) -> Any:
    src = email.edition.lead.image.src  # type: ignore[union-attr]
    return lxml.html.document_fromstring(email.html).xpath(f"//img[@src='{src}']")[0]


def box(width: str, height: str) -> Callable[[mailkit.RenderedEmail], None]:
    def check(email: mailkit.RenderedEmail) -> None:
        tag = lead_img(email)
        assert (tag.get("width"), tag.get("height")) == (width, height), (tag.get("width"), tag.get("height"))
    return check


def has(fragment: str, part: str = "text") -> Callable[[mailkit.RenderedEmail], None]:
    def check(email: mailkit.RenderedEmail) -> None:
        assert fragment in getattr(email, part), fragment
    return check


CASES: list[Case] = [
    # dimensions: what a CMS or RSS feed really sends
    Case("no-dimensions", image(width=None, height=None), warning=r"^articles\[0\]\.image: no width and height",
         check=box("552", "auto")),
    Case("width-only", image(height=None), warning=r"^articles\[0\]\.image: no width and height", check=box("552", "auto")),
    Case("height-only", image(width=None), warning=r"^articles\[0\]\.image: no width and height", check=box("552", "auto")),
    Case("huge-camera-original", image(width=10_000, height=8_000), check=box("552", "442")),
    Case("panorama-10-to-1", image(width=2400, height=240), check=box("552", "55")),
    Case("extreme-panorama", image(width=65_535, height=1), check=box("552", "1")),
    Case("extreme-portrait", image(width=1, height=65_535), check=box("1", "552")),
    Case("tiny-not-blown-up", image(width=120, height=80), check=box("120", "80")),
    Case("width-zero", image(width=0), mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: .*greater than 0"),
    Case("height-negative", image(height=-5), mailkit.InvalidFixtureError, r"articles\[0\]\.image\.height: .*greater than 0"),
    Case("width-beyond-any-format", image(width=100_000), mailkit.InvalidFixtureError,
         r"articles\[0\]\.image\.width: .*less than or equal to 65535"),
    Case("width-words", image(width="wide"), mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: .*integer"),
    Case("width-float-string", image(width="1200.5"), mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: "),
    Case("height-bool", image(height=True), mailkit.InvalidFixtureError, r"articles\[0\]\.image\.height: a number of pixels, not true"),
    Case("dimensions-as-strings", image(width="1200", height="800"), check=box("552", "368")),  # as CMS APIs send them
    # captions and credits
    Case("credit-without-caption", image(caption=None), check=has("\nPhoto: Lintao Zhang / Getty Images, file\n")),
    Case("caption-without-credit", image(credit=None), check=lambda e: "mk-credit" not in e.html),
    Case("credit-bidi-override", image(credit="Getty\u202eImages"), mailkit.UnsafeInputError,
         r"articles\[0\]\.image\.credit: bidi override U\+202E at position 5"),
    Case("caption-rtl-mark-kept", image(caption="מצלמה\u200f 2014"), check=has("מצלמה\u200f 2014")),
    Case("credit-markup-escaped", image(credit='</span></p><script>alert(1)</script>'),
         check=has("</span></p><script>alert(1)</script>")),
    Case("credit-very-long", image(credit="AP " * 1600), check=has("Photo: AP AP")),
    # languages
    Case("language-malformed", setter("articles.0.language", "ar_EG!"), mailkit.InvalidFixtureError,
         r"articles\[0\]\.language: "),
    Case("language-unknown-gets-dir-auto", lambda d: d["sections"][2]["articles"][1].update(language="qqa"),
         template="digest", base=MIXED,
         check=has('lang="qqa" dir="auto" style="text-align:start;"', "html")),
    Case("link-language-malformed", lambda d: d["more_stories"][1].update(language="<ar>"),
         mailkit.InvalidFixtureError, r"more_stories\[1\]\.language: ", template="digest", base=MIXED),
    Case("link-language-markup-cannot-break-out", lambda d: d["more_stories"][1].update(language="ar-onclick"),
         template="digest", base=MIXED, check=has('lang="ar-onclick" dir="rtl"', "html")),
    # what a template leaves out
    Case("digest-body-warned", lambda d: d["sections"][1]["articles"][0].update(body="<p>Full text.</p>"),
         template="digest", base=MIXED,
         warning=r"^sections\[1\]\.articles\[0\]\.body: not shown by template 'digest' \(a digest links to the full story\)$"),
    Case("compact-list-image-warned", lambda d: d["sections"][1]["articles"][2].update(
        image={"src": "https://e.example/i.jpg", "alt": "Lava near Grindavik"}), template="digest", base=MIXED,
         warning=r"^sections\[1\]\.articles\[2\]\.image: not shown by template 'digest' \(compact list\)$"),
    Case("section-shown-without-kicker", lambda d: d["sections"][1]["articles"][0].update(kicker=None, section="Asia"),
         template="digest", base=MIXED, check=has("\nAsia\n")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_media_catalogue(case: Case) -> None:
    data = expand(BASE) if case.base is None else copy.deepcopy(case.base)
    case.change(data)
    if case.error is not None:
        with pytest.raises(case.error) as info:
            mailkit.render(case.template, data)
        assert isinstance(info.value, mailkit.MailkitError)
        assert re.search(case.message, str(info.value)), str(info.value)
        return
    email = mailkit.render(case.template, data)
    assert dangerous(email.html) == []
    if case.warning:
        assert any(re.search(case.warning, w) for w in email.warnings), email.warnings
    elif case.base is None:
        assert not [w for w in email.warnings if "image" in w], email.warnings
    if case.check:
        case.check(email)
    assert email.edition.newsletter.footer.unsubscribe_url.replace("&", "&amp;") in email.html
