"""The fifth outside tester's catalogue: markup as newsroom CMSs and wire feeds
export it (lazy-loaded and responsive images, noscript twins, AMP, SVG and
MathML, Word and Gutenberg leftovers), languages not tried before, and attacks
through those shapes. Each case is an input and its expected outcome: renders
safely with the content kept (or dropped with a named warning), or fails with
a named MailkitError.

Same spirit as tests/test_hostile_input.py, through the public API only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from conftest import COLUMNS, element_widths
from test_hostile_input import BASE, dangerous, expand, setter

import mailkit

GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def render(body: str, field: str = "articles.0.body", **options: Any) -> mailkit.RenderedEmail:
    data = expand(BASE)
    setter(field, body)(data)
    return mailkit.render("breaking", data, options or None)


def body_text(email: mailkit.RenderedEmail) -> str:
    """The story body's part of the text: between the lead image's credit and the contributors."""
    text = email.text
    return text[text.index("Getty Images, file") + len("Getty Images, file"):text.index("NBC News researcher")]


# --- images as CMSs write them -----------------------------------------------------------

IMAGE_CASES = {
    # WordPress, Arc and most CMSs: a placeholder GIF in src, the real file in data-src
    "lazy-data-src": f'<p>Lead.</p><img src="{GIF}" data-src="https://cdn.example.org/a.jpg" loading="lazy" '
                     'alt="Firefighters at the scene" width="1600" height="900"><p>After.</p>',
    # lazysizes: data-srcset only, no src at all
    "lazy-data-srcset": '<p>Lead.</p><img class="lazyload" data-srcset="https://cdn.example.org/a-800.jpg 800w, '
                        'https://cdn.example.org/a.jpg 1600w" alt="Firefighters at the scene"><p>After.</p>',
    "srcset-only": '<p>Lead.</p><img srcset="https://cdn.example.org/a-800.jpg 1x, https://cdn.example.org/a.jpg 2x" '
                   'alt="Firefighters at the scene"><p>After.</p>',
    "picture-source-only": '<p>Lead.</p><picture><source srcset="https://cdn.example.org/a.jpg" '
                           'media="(min-width: 600px)"><img alt="Firefighters at the scene"></picture><p>After.</p>',
    "amp-img": '<p>Lead.</p><amp-img src="https://cdn.example.org/a.jpg" alt="Firefighters at the scene" '
               'width="1600" height="900" layout="responsive"></amp-img><p>After.</p>',
    # the noscript twin is the only real image
    "noscript-twin-only": f'<p>Lead.</p><img src="{GIF}" alt="Firefighters at the scene"><noscript>'
                          '<img src="https://cdn.example.org/a.jpg" alt="Firefighters at the scene"></noscript><p>After.</p>',
}


@pytest.mark.parametrize("body", IMAGE_CASES.values(), ids=IMAGE_CASES.keys())
def test_a_cms_image_shows_its_real_file_once(body: str) -> None:
    # before: the placeholder's src was dropped and the <img> stayed as an empty grey box
    # (or the whole image was dropped); a noscript twin showed as "<img src=...>" text
    email = render(body)
    root = lxml.html.document_fromstring(email.html)
    images = [img for img in root.iter("img") if "media.nbcnews.com" not in (img.get("src") or "")]
    assert [(img.get("src"), img.get("alt")) for img in images] == [
        ("https://cdn.example.org/a.jpg", "Firefighters at the scene")]
    assert "&lt;img" not in email.html and "<img" not in email.text
    assert body_text(email).split() == ["Lead.", "After."]
    assert not dangerous(email.html)
    # nothing the reader would miss is reported as dropped
    assert not [w for w in email.warnings if w.code in ("url-dropped", "element-dropped")], email.warnings


def test_a_lazy_image_and_its_noscript_twin_show_once() -> None:
    email = render(f'<p>Lead.</p><figure><img src="{GIF}" data-src="https://cdn.example.org/a.jpg" '
                   'alt="Firefighters at the scene"><noscript><img src="https://cdn.example.org/a.jpg" '
                   'alt="Firefighters at the scene"></noscript><figcaption>At the scene.</figcaption></figure>'
                   '<p>After.</p>')
    root = lxml.html.document_fromstring(email.html)
    assert [img.get("src") for img in root.iter("img") if "cdn.example" in (img.get("src") or "")] == [
        "https://cdn.example.org/a.jpg"]
    assert "&lt;img" not in email.html and "<img" not in email.text
    assert body_text(email).split() == ["Lead.", "At", "the", "scene.", "After."]


def test_noscript_content_is_markup_not_text() -> None:
    # html5ever (nh3) reads <noscript> as raw text: its markup reached the reader as "<p title="">"
    email = render('<noscript><p>Enable JavaScript to see the chart.</p></noscript><p>After.</p>')
    assert "&lt;p" not in email.html and "<p" not in email.text
    assert "Enable JavaScript to see the chart." in body_text(email)


@pytest.mark.parametrize("body", [
    '<img alt="Firefighters at the scene">',
    '<img src="javascript:alert(1)" alt="Firefighters at the scene">',
    f'<img src="{GIF}" alt="Firefighters at the scene">',
    '<img srcset="javascript:alert(1) 1x" data-src="vbscript:x" alt="Firefighters at the scene">',
], ids=["no-src", "javascript", "placeholder-only", "all-unsafe"])
def test_an_image_with_no_usable_file_is_dropped_with_a_warning(body: str) -> None:
    # before: an <img> without src stayed, a 552 x 310 grey box with its alt text
    email = render("<p>Lead.</p>" + body + "<p>After.</p>")
    root = lxml.html.document_fromstring(email.html)
    assert all(img.get("src") for img in root.iter("img"))
    assert any(w.code in ("url-dropped", "element-dropped") and w.field == "articles[0].body"
               for w in email.warnings), email.warnings
    assert not dangerous(email.html)


# --- languages: text measured as readers see it ----------------------------------------

def marks_free_columns(line: str) -> int:
    """What a terminal gives a line: combining marks (Vietnamese tones written apart,
    Hebrew niqqud, Devanagari signs) take no column."""
    return sum(0 if unicodedata.category(ch) in ("Mn", "Me") else 1 for ch in line)


VI_HEADLINE = "Thủ tướng Việt Nam công bố gói hỗ trợ kinh tế mới cho các tỉnh miền Trung"  # 73 characters
STACKED = {
    # Vietnamese as a Mac or a wire system decomposes it: each tone a mark of its own (NFD)
    "vi-nfd": ("vi", unicodedata.normalize("NFD", "Người dân ở Huế và Quảng Trị đã phải sơ tán khỏi nhà. ") * 8),
    # Hebrew with niqqud: every vowel point a mark; there is no composed form to fall back on
    "he-niqqud": ("he", "הַמֶּמְשָׁלָה הִתְכַּנְּסָה הַיּוֹם וְהֶחְלִיטָה עַל צְעָדִים חֲדָשִׁים. " * 8),
}


def localized(lang: str, headline: str, body: str) -> dict[str, Any]:
    data = expand(BASE)
    data["newsletter"]["language"] = lang
    story = data["articles"][0]
    story.update(language=lang, headline=headline, dek=None, body=f"<p>{body}</p>", kicker=None, contributors=None)
    story.pop("image", None)
    return data


@pytest.mark.parametrize(("lang", "body"), STACKED.values(), ids=STACKED.keys())
def test_text_with_combining_marks_wraps_by_columns(lang: str, body: str) -> None:
    # before: lines were cut at 78 code points, 44 to 60 columns of Hebrew or Vietnamese
    headline = body.split(". ")[0]
    email = mailkit.render("breaking", localized(lang, headline, body))
    lines = email.text.splitlines()
    at = lines.index(headline)
    # the headline's underline is as long as the headline looks
    assert lines[at + 1] == "=" * marks_free_columns(headline)
    paragraph = [line for line in lines[at + 2:] if line and line.split()[0] in body and len(line.split()) > 3]
    assert len(paragraph) >= 3
    assert all(marks_free_columns(line) <= 78 for line in paragraph)
    assert all(marks_free_columns(line) >= 60 for line in paragraph[:-1]), paragraph


def test_a_decomposed_headline_that_fits_is_not_cut() -> None:
    # 73 characters as written, 95 code points decomposed: the subject was cut at 78 of them
    headline = unicodedata.normalize("NFD", VI_HEADLINE)
    email = mailkit.render("breaking", localized("vi", headline, "Nội dung."))
    assert email.subject == headline and "…" not in email.subject
    assert "subject-too-long" not in {w.code for w in email.warnings}
    # a longer one is cut between letters and their tones, never after a base letter alone
    long = unicodedata.normalize("NFD", VI_HEADLINE + " và Tây Nguyên sau bão")
    cut = mailkit.render("breaking", localized("vi", long, "Nội dung.")).subject
    assert cut.endswith("…") and marks_free_columns(cut) <= 78
    assert unicodedata.normalize("NFC", cut[:-1]) in unicodedata.normalize("NFC", long)


def test_the_zero_width_table_is_this_pythons_unicode() -> None:
    from mailkit._text import _ZERO_WIDTH
    zero = {chr(cp) for cp in range(0x10000)
            if (unicodedata.category(chr(cp)) in ("Mn", "Me") or chr(cp) in "\u200b\u200c\u200e\u200f\u2060\ufeff")
            and not (chr(cp) == "\u200d" or "\ufe00" <= chr(cp) <= "\ufe0f")}
    assert {chr(cp) for cp in range(0x10000) if _ZERO_WIDTH.match(chr(cp))} == zero


# --- SVG and MathML: their text is content -------------------------------------------

@pytest.mark.parametrize(("body", "kept"), [
    (('<p>Turnout: <svg width="120" height="20" role="img" aria-label="Turnout 61 percent">'
     '<rect width="73" height="20"/></svg> so far.</p>'), "Turnout 61 percent"),
    (('<p>Turnout: <svg width="120" height="20"><title>Turnout 61 percent</title><rect width="73" height="20"/>'
     '</svg> so far.</p>'), "Turnout 61 percent"),
    (('<p>Turnout: <svg width="120" height="20"><text x="0" y="15">61%</text><text x="60" y="15">of voters</text>'
     '</svg> so far.</p>'), "61% of voters"),
    ('<p>Energy: <math><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math> so far.</p>', "E=mc^2"),
    (('<p>Energy: <math alttext="E = m c squared"><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn>'
     '</msup></math> so far.</p>'), "E = m c squared"),
], ids=["svg-aria-label", "svg-title", "svg-text", "mathml", "mathml-alttext"])
def test_the_text_of_svg_and_mathml_stays(body: str, kept: str) -> None:
    # before: nh3 dropped <svg> and <math> with everything in them: "Turnout:  so far."
    email = render(body)
    assert " ".join(body_text(email).split()) == " ".join(body.split(":")[0].split("<p>")[1:]) + f": {kept} so far."
    assert not dangerous(email.html)
    # the graphic itself is gone, and the sender is told
    assert any(w.code == "element-dropped" and re.search(r"<(svg|math)>", w) for w in email.warnings), email.warnings


def test_mathml_superscripts_stay_superscripts() -> None:
    email = render('<p><math><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math></p>')
    assert re.search(r"m\s*c<sup[^>]*>2</sup>", email.html)


# --- what a reader would not see, and what HTML would hide --------------------------------

@pytest.mark.parametrize("opener", ["<!--[if mso]>", "<!-- wp:paragraph {\"align\":\"left\"} ", "<!--"],
                         ids=["outlook-conditional", "gutenberg-cut-short", "bare"])
def test_a_comment_that_never_closes_hides_nothing(opener: str) -> None:
    # before: HTML (and nh3) read the rest of the body as the comment: the story ended at
    # "Before." and no warning said so
    email = render(f"<p>Before.</p>{opener}<p>The rest of the story.</p><p>And its end.</p>")
    assert body_text(email).split() == "Before. The rest of the story. And its end.".split()
    assert "<!--" not in email.text
    warning = next(w for w in email.warnings if w.code == "comment-unclosed")
    assert warning.field == "articles[0].body" and "character 14" in warning


def test_a_comment_opener_in_an_attribute_is_text() -> None:
    email = render('<p><abbr title="written <!-- in the CMS">CMS</abbr> text.</p><p>After.</p>')
    assert body_text(email).split() == ["CMS", "text.", "After."]
    assert "comment-unclosed" not in {w.code for w in email.warnings}


def test_closed_comments_and_outlook_conditionals_are_quiet() -> None:
    email = render('<p>Before.</p><!-- wp:paragraph --><p>Para.</p><!-- /wp:paragraph -->'
                   '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]--><p>After.</p>')
    assert body_text(email).split() == ["Before.", "Para.", "After."]
    assert not email.warnings


@pytest.mark.parametrize("style", ["display:none", "display: none !important", "visibility:hidden",
                                   "DISPLAY:NONE", "color:red;display:none"])
def test_text_hidden_by_its_style_is_dropped_with_a_warning(style: str) -> None:
    # before: the style attribute went, the text stayed: an editor's hidden note (or hidden
    # keywords, which spam filters score) reached every reader
    email = render(f'<p>Visible.</p><p style="{style}">EDITOR NOTE: check with legal</p>'
                   f'<div style="{style}"><p>Hidden <b>too</b>.</p></div><p>After.</p>')
    assert body_text(email).split() == ["Visible.", "After."]
    assert "EDITOR NOTE" not in email.html
    assert any(w.code == "element-dropped" and "hidden" in w and "2" in w for w in email.warnings), email.warnings


def test_position_fixed_and_other_styles_only_lose_the_style() -> None:
    email = render('<div style="position:fixed;top:0;left:0">Fixed banner text.</div><p style="mso-hide:all">'
                   'Not for Outlook.</p><p style="display:block">Block.</p>')
    assert body_text(email).split() == "Fixed banner text. Not for Outlook. Block.".split()


# --- CMS markup that already comes through: pinned ----------------------------------------

CMS_KEPT = {
    "gutenberg": (('<!-- wp:paragraph --><p>Para one.</p><!-- /wp:paragraph --><!-- wp:group -->'
                  '<div class="wp-block-group"><div class="wp-block-group__inner-container"><p>Inner.</p></div></div>'
                  '<!-- /wp:group -->'), "Para one. Inner."),
    "word-paste": (('<p class="MsoNormal"><span style="mso-bidi-font-family:Calibri">Word text<o:p></o:p></span></p>'
                   '<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->'
                   '<p class=MsoNormal><font face="Arial">Font text</font></p>'), "Word text Font text"),
    "br-br": ("First para text.<br><br>Second para text.<br><br>Third para.",
              "First para text. Second para text. Third para."),
    "div-soup-30": ("<div>" * 30 + "<p>Deep text.</p>" + "</div>" * 30, "Deep text."),
    "center": ("<center><p>Centered text.</p></center>", "Centered text."),
    "inline-semantics": (('<p><abbr title="World Health Organization">WHO</abbr> said <mark>marked</mark>, '
                         '<q>quoted</q>, <cite>Cited Work</cite>, <time datetime="2026-11-28">Nov. 28</time>.</p>'),
                         'WHO said marked, "quoted", Cited Work, Nov. 28.'),
    "address-dl": ("<address>By Ana Ruiz</address><dl><dt>Term</dt><dd>Definition</dd></dl>",
                   "By Ana Ruiz Term Definition"),
}


@pytest.mark.parametrize(("body", "text"), CMS_KEPT.values(), ids=CMS_KEPT.keys())
def test_cms_markup_keeps_its_text(body: str, text: str) -> None:
    email = render(body)
    assert body_text(email).split() == text.split()
    assert not dangerous(email.html)
    assert not [w for w in email.warnings if w.code in ("url-dropped", "comment-unclosed")]


def test_a_correction_stays_struck_in_the_text_part() -> None:
    email = render("<p>The minister <s>resigned</s> <del>was fired</del> <ins>stepped aside</ins> on Monday.</p>")
    assert "~~resigned~~ ~~was fired~~ stepped aside" in body_text(email)
    assert re.search(r"<s\b[^>]*>resigned</s>", email.html) and re.search(r"<del\b[^>]*>was fired</del>", email.html)


def test_protocol_relative_and_relative_urls_resolve_against_the_story() -> None:
    email = render('<p><a href="//www.example.org/news/x">one</a> <a href="/news/2026/x">two</a></p>'
                   '<img src="//cdn.example.org/x.jpg" alt="x"><img src="/img/y.jpg" alt="y">')
    assert "https://www.example.org/news/x" in email.text and "https://www.nbcnews.com/news/2026/x" in email.text
    srcs = {img.get("src") for img in lxml.html.document_fromstring(email.html).iter("img")}
    assert {"https://cdn.example.org/x.jpg", "https://www.nbcnews.com/img/y.jpg"} <= srcs


def test_a_twelve_column_table_fits_as_rows_in_the_text_part() -> None:
    head = "".join(f"<th>District {i}</th>" for i in range(12))
    rows = "".join("<tr>" + "".join(f"<td>{r * 1000 + i:,}</td>" for i in range(12)) + "</tr>" for r in range(3))
    email = render(f"<table><caption>Results by district</caption><thead><tr>{head}</tr></thead>"
                   f"<tbody>{rows}</tbody></table>")
    text = body_text(email)
    assert "Results by district" in text and "District 11: 2,011" in text
    assert all(len(line) <= 78 for line in text.splitlines())


@pytest.mark.parametrize(("body", "link"), [
    (('<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/ABC/"><p>Insta caption'
     '</p><a href="https://www.instagram.com/p/ABC/">A post shared by X</a></blockquote>'), "View the post on Instagram"),
    (('<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@x/video/1"><section><a '
     'href="https://www.tiktok.com/@x/video/1">TikTok text</a></section></blockquote>'), "View the post on TikTok"),
    (('<blockquote class="fb-xfbml-parse-ignore"><p>FB post text</p><a href="https://www.facebook.com/x/posts/1">'
     'Posted by X</a></blockquote>'), "Posted by X"),
    (('<video src="https://e.example/v.mp4" poster="https://e.example/poster.jpg" width="640" height="360" controls>'
     '</video>'), "Watch on e.example"),
    ('<audio src="https://e.example/a.mp3" controls></audio>', "Listen on e.example"),
], ids=["instagram", "tiktok", "facebook", "video-poster", "audio"])
def test_social_and_media_embeds_become_readable(body: str, link: str) -> None:
    email = render(body)
    assert link in body_text(email)
    assert not dangerous(email.html)


# --- attacks through the new shapes ----------------------------------------------------------

ATTACKS = {
    "data-src-javascript": f'<img src="{GIF}" data-src="javascript:alert(1)" alt="a">',
    "srcset-javascript": '<img srcset="javascript:alert(1) 1x" alt="a"><img data-srcset="data:text/html,x 2x" alt="b">',
    "poster-javascript": '<video src="https://e.example/v.mp4" poster="javascript:alert(1)"></video>',
    "poster-vbscript": '<video src="https://e.example/v.mp4" poster="vbscript:msgbox(1)"></video>',
    "source-javascript": '<video><source src="javascript:alert(1)"></video><audio><source src="data:text/html,x">'
                         '</audio><picture><source srcset="javascript:alert(1)"><img alt="p"></picture>',
    "entity-scheme": '<a href="jav&#x61;script:alert(1)">a</a><img src="&#106;avascript:alert(1)" alt="d">'
                     '<a href="JaVaScRiPt&colon;alert(1)">e</a><a href="java&#09;script:alert(1)">b</a>',
    "amp-img-javascript": '<amp-img src="javascript:alert(1)" alt="a" width="10" height="10"></amp-img>',
    "noscript-breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript><p>x</p>',
    "noscript-style": '<noscript><style></noscript><img src=x onerror=alert(1)></style></noscript><p>x</p>',
    "svg-use": '<svg><use href="data:image/svg+xml,<svg id=x><script>alert(1)</script></svg>#x"/></svg>',
    "svg-animate": '<svg><a xlink:href="https://e.example/"><animate attributeName="href" to="javascript:alert(1)"/>'
                   '<set attributeName="href" to="javascript:x"/><text>click</text></a></svg>',
    "svg-foreignobject": '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe><p>FO</p></foreignObject>'
                         '<script>alert(1)</script></svg>',
    "mathml-maction": '<math><maction actiontype="statusline" href="javascript:alert(1)"><mtext>m</mtext>'
                      '<mtext>msg</mtext></maction></math>',
    "css-expression": '<p style="width:expression(alert(1))">e1</p><p style="width:\\65 xpression(alert(1))">e2</p>',
    "css-url": '<p style="background:url(javascript:alert(1))">e</p><p style="behavior:url(x.htc)">f</p>'
               '<p style="-moz-binding:url(x.xml#x)">g</p><p style="@import \'https://evil.example/x.css\';">h</p>',
    "unclosed-conditional": '<p>before</p><!--[if mso]><p>mso only<script>alert(1)</script>',
    "base-meta": '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">'
                 '<link rel="stylesheet" href="https://evil.example/x.css"><p><a href="/x">rel</a></p>',
    "form": '<form action="https://evil.example/"><input name="q"><button formaction="javascript:alert(1)">Go'
            '</button></form><input type="image" src="https://evil.example/x.png">',
    "srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe><iframe src="data:text/html,x" title="t"></iframe>',
    "object-embed": '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    "template": '<template><img src=x onerror=alert(1)></template><p>ok</p>',
}
_EXECUTABLE = re.compile(r"(?i)javascript:|vbscript:|data:text|expression\(|xpression|behavior:|-moz-binding|"
                         r"@import|srcdoc|formaction|onerror|<base\b|<script|<iframe|<object|<embed|<form|"
                         r"<input|<button|<use\b|<animate|<set\b|<foreignobject|<maction|<template")


@pytest.mark.parametrize("body", ATTACKS.values(), ids=ATTACKS.keys())
def test_nothing_executable_or_navigating_reaches_the_html(body: str) -> None:
    email = render("<p>Lead.</p>" + body)
    assert not dangerous(email.html)
    assert not _EXECUTABLE.search(email.html), _EXECUTABLE.search(email.html)
    assert not re.search(r"http-equiv=.refresh", email.html, re.IGNORECASE)
    assert "evil.example" not in email.html
    # what went is said: each case drops something, and a warning names the body
    assert any(w.field == "articles[0].body" for w in email.warnings), email.warnings


# --- in a browser: no sideways scroll, the body's content within its column --------------------

IN_BROWSER = {
    "lazy-figure": IMAGE_CASES["lazy-data-src"].replace("<img", "<figure><img").replace('900"><p>', '900"><figcaption>'
                   "Firefighters at the scene on Tuesday.</figcaption></figure><p>"),
    "picture": IMAGE_CASES["picture-source-only"],
    "table-12": "<table><caption>Results by district</caption><thead><tr>"
                + "".join(f"<th>District number {i}</th>" for i in range(12)) + "</tr></thead><tbody>"
                + "".join("<tr>" + "".join(f"<td>{r * 100000 + i:,}</td>" for i in range(12)) + "</tr>"
                          for r in range(3)) + "</tbody></table>",
    "svg-math": ('<p>Turnout: <svg width="900" height="20" aria-label="Turnout 61 percent"><rect width="900" '
                 'height="20"/></svg> and <math><mi>E</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2</mn></msup></math>.</p>'),
    "div-soup-center": "<center>" + "<div>" * 28 + "<p>Deep text.</p>" + "</div>" * 28 + "</center>",
    "embeds": ('<blockquote class="instagram-media"><p>Insta caption</p><a href="https://www.instagram.com/p/ABC/">'
               'A post</a></blockquote><video src="https://e.example/v.mp4" poster="https://e.example/poster.jpg" '
               'width="1920" height="1080"></video>'),
}


@pytest.mark.parametrize("body", IN_BROWSER.values(), ids=IN_BROWSER.keys())
def test_cms_markup_stays_in_its_column(browser: Any, body: str) -> None:
    email = render("<p>Lead.</p>" + body + "<p>After.</p>")
    for width, column in COLUMNS:
        scroll, (content, captions) = element_widths(
            browser, email.html, width,
            "td.mk-text img, td.mk-text table, td.mk-text blockquote, td.mk-text div, td.mk-text span",
            "td.mk-text caption")  # a table's caption reads across the column, not a letter a line
        assert scroll == width and max(content, default=0) <= column + 0.5, (width, scroll, content)
        assert all(w >= column / 2 for w in captions), (width, captions)


# --- languages not tried before: headers, lang and dir, the text part ---------------------------

LANGUAGES = {
    "ko": ("서울 시청 앞 광장에서 대규모 집회, 경찰 추산 10만 명 참가", "정부는 이번 집회와 관련해 긴급 회의를 열었다. ", "ltr"),
    "vi": (unicodedata.normalize("NFD", "Thủ tướng công bố gói hỗ trợ kinh tế mới"),
           unicodedata.normalize("NFD", "Người dân ở Huế đã phải sơ tán. "), "ltr"),
    "am": ("የኢትዮጵያ ጠቅላይ ሚኒስትር አዲስ ፖሊሲ አስታወቁ፤ ገበያው ተረጋጋ።", "መንግሥት ዛሬ አዲስ መመሪያ አወጣ። ሕዝቡም ተቀበለው፤ ", "ltr"),
    "ka": ("საქართველოს პარლამენტმა ახალი კანონი მიიღო", "დღეს პარლამენტში კენჭისყრა გაიმართა. ", "ltr"),
    "ta": ("தமிழ்நாட்டில் கனமழை காரணமாக பள்ளிகளுக்கு விடுமுறை", "சென்னையில் இன்று கனமழை பெய்தது. ", "ltr"),
    "ur": ("پاکستان میں شدید بارشوں کے باعث سیلاب، ہزاروں افراد بے گھر", "حکومت نے ہنگامی حالت کا اعلان کر دیا ہے۔ ", "rtl"),
    "he": ("רֹאשׁ הַמֶּמְשָׁלָה הִכְרִיז עַל צְעָדִים חֲדָשִׁים", "הַמֶּמְשָׁלָה הִתְכַּנְּסָה הַיּוֹם. ", "rtl"),
    "el": ("Σεισμός 5,8 Ρίχτερ στην Κρήτη: αισθητός και στην Αθήνα", "Ο σεισμός σημειώθηκε στις 10:15 το πρωί. ", "ltr"),
    "tr": ("İstanbul'da deprem tatbikatı: ılık bir sabah", "İstanbul Valiliği tatbikatın başarılı geçtiğini açıkladı. ",
           "ltr"),
    "zh-Hant": ("颱風「海葵」登陸臺灣，全島停班停課！", "中央氣象署表示，颱風中心今晨登陸，各地風雨持續增強。", "ltr"),
    # a Hebrew headline quoting an English name and a number: the direction is the edition's
    "he-mixed": ("ראש הממשלה נפגש עם Microsoft ו-OpenAI בתל אביב, 2026", "השיחות נמשכו שלוש שעות. ", "rtl"),
}


@pytest.mark.parametrize(("lang", "headline", "sentence", "direction"),
                         [(k.split("-mixed")[0], *v) for k, v in LANGUAGES.items()], ids=LANGUAGES.keys())
def test_a_language_round_trips_through_the_message(lang: str, headline: str, sentence: str, direction: str) -> None:
    import email as email_package
    from email import policy

    data = localized(lang, headline, sentence * 12)
    rendered = mailkit.render("breaking", data)
    root = lxml.html.document_fromstring(rendered.html)
    assert root.get("lang") == lang and root.get("dir") == direction
    assert rendered.subject == headline  # each under 78 characters as written: never cut
    message = rendered.to_message(to="reader@example.org")
    raw = message.as_bytes()
    assert raw.isascii() and all(len(line) <= 998 for line in raw.split(b"\r\n"))
    back = email_package.message_from_bytes(raw, policy=policy.default)
    assert str(back["Subject"]) == headline
    text = back.get_body(("plain",)).get_content()
    html = lxml.html.document_fromstring(back.get_body(("html",)).get_content()).text_content()
    # the text part wraps by columns at 78, never inside a word of a spaced script
    first = unicodedata.normalize("NFC", sentence.split()[0])
    assert first in unicodedata.normalize("NFC", text) and first in unicodedata.normalize("NFC", html)
    from mailkit._text import columns
    assert all(columns(line) <= 78 for line in text.splitlines() if "://" not in line)


def test_an_uppercased_kicker_keeps_its_letters_in_the_text_part() -> None:
    # text-transform in the HTML reads lang (Greek drops its accents, Turkish keeps its dotted İ);
    # the text part shows the kicker as written, never upper-cased by Python's rules
    for lang, kicker in (("el", "Τελευταία νέα"), ("tr", "Son dakika: İzmir ılık")):
        data = localized(lang, "Başlık" if lang == "tr" else "Τίτλος", "Κείμενο. ")
        data["articles"][0]["kicker"] = kicker
        rendered = mailkit.render("breaking", data)
        assert kicker in rendered.text
        assert kicker.upper() not in rendered.text


# --- through the command line -------------------------------------------------------------------

def test_the_cli_reports_an_unclosed_comment_and_renders_the_lazy_image(tmp_path: Path) -> None:
    data = expand(BASE)
    data["articles"][0]["body"] = (f'<p>Lead.</p><img src="{GIF}" data-src="https://cdn.example.org/a.jpg" alt="A">'
                                   "<!--[if mso]><p>The rest of the story.</p>")
    fixture = tmp_path / "cms.yaml"
    fixture.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    check = subprocess.run([sys.executable, "-m", "mailkit", "check", "breaking", str(fixture), "--json", "--strict"],
                           capture_output=True, text=True, timeout=120, check=False, cwd=root)
    assert check.returncode == 1, check.stderr
    warnings = json.loads(check.stdout)["results"][0]["warnings"]
    assert [(w["code"], w["field"]) for w in warnings] == [("comment-unclosed", "articles[0].body")]
    out = tmp_path / "out"
    rendered = subprocess.run([sys.executable, "-m", "mailkit", "render", "breaking", str(fixture), "-o", str(out)],
                              capture_output=True, text=True, timeout=120, check=False, cwd=root)
    assert rendered.returncode == 0, rendered.stderr
    assert 'src="https://cdn.example.org/a.jpg"' in (out / "breaking--cms.html").read_text(encoding="utf-8")
    assert "The rest of the story." in (out / "breaking--cms.txt").read_text(encoding="utf-8")


def test_mailkit_check_counts_a_decomposed_subject_as_written(tmp_path: Path) -> None:
    # the warning counted composed characters, the check's "subject length" line code points:
    # 95 of a 73-letter headline failed the check
    fixture = tmp_path / "vi.yaml"
    data = localized("vi", unicodedata.normalize("NFD", VI_HEADLINE), "Nội dung.")
    fixture.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "mailkit", "check", "breaking", str(fixture), "--json"],
                           capture_output=True, text=True, timeout=120, check=False,
                           cwd=Path(__file__).resolve().parent.parent)
    checks = {c["name"]: c for c in json.loads(check.stdout)["results"][0]["checks"]}
    assert checks["subject length"]["ok"], checks["subject length"]
    assert checks["subject length"]["detail"].startswith(f"{len(VI_HEADLINE)} characters")
