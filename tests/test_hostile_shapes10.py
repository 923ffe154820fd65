"""Photos of any shape, at widths nobody tried (session 9, shapes10).

Same spirit as tests/test_hostile_input.py: each case a clear input and its
expected outcome: it renders safely (no sideways scroll at 320 to 1000 px,
images in their own ratio inside the column, a portrait no taller than the
cap on phones too) or fails with a named MailkitError subclass naming the
field. Browser cases serve real PNG files of the declared size, so the
layout is what a reader sees once images load (a broken-image placeholder
has no ratio).
"""

from __future__ import annotations

import copy
import struct
import zlib
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit
from mailkit._media import image_box
from mailkit._models import Image

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
SRC = "https://media.example-news.com/shape.png"
WIDTHS = (320, 375, 414, 768, 1000)


def with_lead(**image: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["articles"][0]["image"] = {"src": SRC, "alt": "A photo", **image}
    return data


def with_body(html: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = f"<p>Before.</p>{html}<p>After.</p>"
    return data


# -- refused, with the field named -------------------------------------------

REFUSED = [
    ("zero", {"width": 0, "height": 0}, mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width"),
    ("negative", {"width": -5, "height": 10}, mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width"),
    ("huge", {"width": 100_000, "height": 100_000}, mailkit.InvalidFixtureError, r"articles\[0\]\.image\.height"),
    ("px-string", {"width": "600px", "height": "400px"}, mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width"),
    ("percent", {"width": "100%", "height": 400}, mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width"),
    ("data-uri", {"src": "data:image/png;base64,iVBORw0KGgo="}, mailkit.UnsafeInputError, r"image\.src: URL scheme 'data'"),
    ("space", {"src": "https://m.example.com/a b.jpg"}, mailkit.UnsafeInputError, r"image\.src: .*position 23"),
    ("quote", {"src": 'https://m.example.com/a"b.jpg'}, mailkit.UnsafeInputError, r"image\.src: .*position 23"),
    ("10kb-url", {"src": "https://m.example.com/" + "a" * 10_000 + ".jpg"}, mailkit.InvalidFixtureError, r"image\.src: URL is"),
]


@pytest.mark.parametrize(("image", "error", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_nonsense_sizes_and_urls_fail_naming_the_field(image: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        mailkit.render("breaking", with_lead(**image))


def test_idn_host_and_non_ascii_path_are_encoded() -> None:
    html = mailkit.render("breaking", with_lead(src="https://bücher.example/ä.jpg")).html
    assert 'src="https://xn--bcher-kva.example/%C3%A4.jpg"' in html


# -- the box: a capped portrait keeps its cap on phones ------------------------

def test_a_capped_portrait_does_not_stretch_to_a_phones_width() -> None:
    # 1200 x 3000 at most 552 tall is 221 x 552; stretched to a 327 px phone
    # column it was 817 px tall, over the cap the desktop keeps
    box = image_box(Image(src=SRC, alt="", width=1200, height=3000), 552, 552)
    assert (box.width, box.height, box.fluid) == (221, 552, False)
    # a portrait capped but still wider than a phone's column scales with it (at most ~564 px tall)
    assert image_box(Image(src=SRC, alt="", width=1200, height=1500), 552, 552).fluid
    # not capped: as before
    assert image_box(Image(src=SRC, alt="", width=3000, height=2000), 552, 552).fluid


# -- in a browser ----------------------------------------------------------------

def png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\x80" * (width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def measure(browser: Any, html: str, width: int, file: bytes, dark: bool = False) -> tuple[int, list[list[float]]]:
    """Scroll width and [w, h] of each image from SRC's host, the file served as ``file``."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light")
    page = context.new_page()
    try:
        page.route("**/*", lambda r: r.fulfill(status=200, content_type="image/png", body=file)
                   if "shape" in r.request.url else r.abort())
        page.set_content(html, wait_until="load")
        return page.evaluate(  # type: ignore[no-any-return]
            "() => [document.documentElement.scrollWidth, [...document.querySelectorAll('img')]"
            ".filter(i => i.src.includes('shape')).map(i => { const r = i.getBoundingClientRect(); return [r.width, r.height]; })]")
    finally:
        context.close()


SHAPES = [  # id, declared size (None: undeclared), the file's real size, where
    ("portrait-lead", (1200, 3000), (1200, 3000), "lead"),
    ("slim-portrait-lead", (100, 3000), (100, 3000), "lead"),
    ("1x8000-strip-lead", (1, 8000), (1, 8000), "lead"),
    ("panorama-lead", (8000, 100), (8000, 100), "lead"),
    ("panorama-undeclared-lead", None, (8000, 100), "lead"),
    ("pixel-lead", (1, 1), (1, 1), "lead"),
    ("portrait-body", (1200, 3000), (1200, 3000), "body"),
    ("panorama-body", (8000, 100), (8000, 100), "body"),
    ("body-in-link", (3000, 2000), (3000, 2000), "link"),
    ("body-in-table-cell", (3000, 2000), (3000, 2000), "cell"),
    ("body-align-left", (3000, 2000), (3000, 2000), "align"),
    ("body-style-2000px", None, (2000, 1000), "style"),
]


def shape_email(declared: tuple[int, int] | None, where: str) -> str:
    size = dict(zip(("width", "height"), declared, strict=True)) if declared else {}
    attrs = f' width="{declared[0]}" height="{declared[1]}"' if declared else ""
    img = f'<img src="{SRC}" alt="A photo"{attrs}>'
    data = {
        "lead": lambda: with_lead(**size),
        "body": lambda: with_body(img),
        "link": lambda: with_body(f'<a href="https://e.example.com/">{img}</a>'),
        "cell": lambda: with_body(f"<table><tr><td>{img}</td><td>Side text</td></tr></table>"),
        "align": lambda: with_body(img.replace("<img", '<img align="left"') + "<p>Wrapped text.</p>"),
        "style": lambda: with_body(img.replace("<img", '<img style="width:2000px"')),
    }[where]()
    return mailkit.render("breaking", data).html


@pytest.mark.browser
@pytest.mark.parametrize(("declared", "real", "where"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_any_shape_fits_every_width_in_its_own_ratio(browser: Any, declared: tuple[int, int] | None,
                                                     real: tuple[int, int], where: str) -> None:
    html = shape_email(declared, where)
    file = png(*real)
    for width in WIDTHS:
        for dark in (False, True):
            scroll, imgs = measure(browser, html, width, file, dark)
            assert scroll <= width, f"sideways scroll at {width}px: {scroll}px"
            assert imgs, "the image is shown"
            for w, h in imgs:
                assert w <= min(width, 600), f"{w}px wide at {width}px"
                if real[1] <= 552 * real[0]:  # a 1 x 8000 strip is under 1 px wide at 552 px tall: 1 x 552
                    assert w / h == pytest.approx(real[0] / real[1], rel=0.02, abs=0.02), f"{w}x{h} squashed at {width}px"
                if where == "lead":
                    assert h <= 552 + 1, f"lead portrait {w}x{h} over the 552 px cap at {width}px"


# -- formats some clients do not show --------------------------------------------

FORMATS = [  # where the URL is, the URL, whether a warning names it
    ("svg-lead", "lead", "https://m.example.com/chart.svg", True),
    ("webp-lead", "lead", "https://m.example.com/a.webp", True),
    ("avif-lead-query", "lead", "https://m.example.com/a.AVIF?w=1200", True),
    ("svg-body", "body", "https://m.example.com/map.svg#v", True),
    ("jpeg-lead", "lead", "https://m.example.com/a.jpg", False),
    ("gif-body", "body", "https://m.example.com/anim.gif", False),
    ("svg-in-query-only", "lead", "https://m.example.com/render?f=a.svg", False),
]


@pytest.mark.parametrize(("where", "url", "warned"), [f[1:] for f in FORMATS], ids=[f[0] for f in FORMATS])
def test_svg_webp_avif_images_are_a_warning(where: str, url: str, warned: bool) -> None:
    data = (with_lead(src=url, width=1200, height=800) if where == "lead"
            else with_body(f'<img src="{url}" alt="A map" width="600" height="400">'))
    found = [w for w in mailkit.render("breaking", data).warnings if w.code == "image-format"]
    assert bool(found) == warned, found
    if warned:
        assert url.split("?")[0].split("#")[0][-5:].lower().lstrip("/") in found[0].message.lower()
        assert found[0].field == "html"


@pytest.mark.parametrize("where", ["lead", "body"])
def test_an_http_image_is_a_warning(where: str) -> None:
    url = "http://m.example.com/a.jpg"
    data = (with_lead(src=url, width=1200, height=800) if where == "lead"
            else with_body(f'<img src="{url}" alt="A map" width="600" height="400">'))
    found = [w for w in mailkit.render("breaking", data).warnings if w.code == "image-not-https"]
    assert len(found) == 1 and url in found[0].message and found[0].field == "html", found


# -- the text part ---------------------------------------------------------------

def test_a_linked_image_keeps_its_link_in_the_text_part_named_by_its_alt() -> None:
    # the link's only content was the image, which the text part leaves out: the link vanished
    email = mailkit.render("breaking", with_body(
        f'<a href="https://e.example.com/gallery"><img src="{SRC}" alt="The full gallery" width="600" height="400"></a>'))
    assert "The full gallery [" in email.text
    assert "https://e.example.com/gallery" in email.text
    # an image not in a link stays out of the text part, as the README says
    plain = mailkit.render("breaking", with_body(f'<img src="{SRC}" alt="A flooded street" width="600" height="400">'))
    assert "A flooded street" not in plain.text
