"""The sixth outside tester's catalogue: the fast paths session 7 added for speed
(precompiled packaged templates, mailkit's own loop over premailer's rules, the
personalize slots, the preheader read from a prefix of the body) attacked from
outside, and three fidelity defects (what the body cleaner says it removed, a
Word list's number and its text, a ``srcset`` URL holding a comma).

Same spirit as tests/test_hostile_input.py: each case an input and its expected
outcome, through the public API (``import mailkit``) and the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
import lxml.html
import pytest
import yaml
from test_hostile_input import BASE, dangerous, expand
from test_hostile_probe5 import body_text, render
from test_premailer_fast import _both

import mailkit
from mailkit import _premailer
from mailkit._inline import parse_html
from mailkit._paths import FIXTURES_DIR, TEMPLATES_DIR


def body_warnings(email: mailkit.RenderedEmail) -> list[str]:
    return [str(w) for w in email.warnings if w.field == "articles[0].body"]


# --- (a) what the cleaner says it removed ------------------------------------------------

# nh3 removes the tag of an element it does not allow and keeps what is in it: the reader
# still reads the text, so "dropped" (content gone) was untrue and sent editors hunting
UNWRAPPED = ["time", "address", "bdi", "bdo", "nav", "label", "output", "legend", "fieldset", "dialog",
             "summary", "marquee", "canvas", "data", "var", "dfn", "big", "tt", "strike", "acronym",
             "meter", "progress", "option", "datalist", "slot", "nobr", "blink", "aside", "hgroup", "h5",
             "h6", "menu", "search", "iframe", "noembed", "noframes", "audio", "map", "xmp", "custom-element"]
# removed with what is in them: interactive parts, code, and the content html5ever keeps
# out of the tree (a <template>'s)
CONTENT_DROPPED = ["script", "style", "form", "button", "select", "textarea", "template"]


@pytest.mark.parametrize("tag", UNWRAPPED)
def test_a_tag_removed_with_its_text_kept_is_not_reported_as_dropped(tag: str) -> None:
    email = render(f"<p>Before <{tag}>Kept words here</{tag}> after.</p>")
    assert "Kept words here" in body_text(email), (tag, body_text(email))
    said = [w for w in body_warnings(email) if f"<{tag}>" in w]
    assert said, (tag, email.warnings)
    assert all("dropped" not in w and "removed" in w and "text kept" in w for w in said), said


# made into what they mean before the allowlist, so nothing is removed (tests/test_hostile_paste11.py):
# a <details> is shown open (a <div>), a body's <h1> is a subhead (<h2>)
CONVERTED = ["details", "h1"]


@pytest.mark.parametrize("tag", CONVERTED)
def test_a_tag_converted_is_not_reported(tag: str) -> None:
    email = render(f"<p>Before.</p><{tag}>Kept words here</{tag}><p>after.</p>")
    assert "Kept words here" in body_text(email), (tag, body_text(email))
    assert [w for w in body_warnings(email) if f"<{tag}>" in w] == []


@pytest.mark.parametrize("tag", CONTENT_DROPPED)
def test_an_element_removed_with_its_content_is_still_dropped(tag: str) -> None:
    email = render(f"<p>Before.</p><{tag}>Secret words here</{tag}><p>After.</p>")
    assert "Secret" not in email.text and "Secret" not in email.html
    said = [w for w in body_warnings(email) if f"<{tag}>" in w]
    assert said and all("dropped" in w and "text kept" not in w for w in said), (tag, email.warnings)


def test_nesting_decides_what_each_warning_says() -> None:
    # a <time> inside a <form> goes with the form: dropped; one outside keeps its text;
    # a <label> holding a <script> keeps its text, the script goes
    email = render('<p>On <time>Monday</time>.</p><form><time>Tuesday</time><label>Name</label>'
                   '<input name="x"></form><p><label>Kept <script>alert(1)</script>label</label></p>')
    text = body_text(email)
    assert "Monday" in text and "Kept label" in text and "Tuesday" not in text and "alert" not in text
    said = body_warnings(email)
    assert any("removed 1 <time>" in w and "text kept" in w for w in said), said
    assert any("dropped 1 <time>" in w for w in said), said
    assert any("removed 1 <label>" in w for w in said) and any("dropped 1 <label>" in w for w in said), said
    assert any("dropped 1 <input>" in w for w in said) and any("dropped 1 <script>" in w for w in said), said


def test_what_the_warnings_say_is_what_the_reader_gets() -> None:
    # the claim checked against the outcome, for every name at once: each "text kept" tag's
    # words are in the text part, each "dropped" element's words are not
    tags = UNWRAPPED + CONTENT_DROPPED
    body = "".join(f"<div><{t}>Word{i}x</{t}></div>" for i, t in enumerate(tags))
    email = render(body)
    text = body_text(email)
    said = " ".join(body_warnings(email))
    for i, tag in enumerate(tags):
        kept = f"Word{i}x" in text
        assert (f"<{tag}> tag(s)" in said and "dropped" not in said.split(f"<{tag}>")[0][-25:]) == kept, (tag, said)


# --- (b) a Word list's number and its text -------------------------------------------------

WORD_LISTS = {
    "pasted": "<p class=MsoListParagraph>1.<span style='mso-list:Ignore'>&nbsp;&nbsp;</span>List item</p>",
    # Word's saved HTML: the marker in a conditional, its spaces in a 7 pt span, lines wrapped
    "saved": ("<p class=MsoListParagraph style='text-indent:-.25in;mso-list:l0 level1 lfo1'>"
              "<![if !supportLists]><span\nstyle='mso-list:Ignore'>1.<span style='font:7.0pt \"Times New Roman\"'>"
              "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;\n</span></span><![endif]>List item<o:p></o:p></p>"),
    # the clipboard's: conditional comments
    "clipboard": ('<p class="MsoListParagraph" style="text-indent:-18.0pt;mso-list:l0 level1 lfo1">'
                  '<!--[if !supportLists]--><span style="mso-bidi-font-family:Calibri">1.<span '
                  'style="font:7.0pt &quot;Times New Roman&quot;">&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span>'
                  '<!--[endif]-->List item<o:p></o:p></p>'),
}


@pytest.mark.parametrize("body", WORD_LISTS.values(), ids=WORD_LISTS.keys())
@pytest.mark.parametrize("inliner", ["premailer", "css-inline"])
def test_a_word_list_keeps_the_space_after_its_number(body: str, inliner: str) -> None:
    email = render(body + "<p>Next.</p>", inliner=inliner)
    assert body_text(email).split() == ["1.", "List", "item", "Next."]
    root = lxml.html.document_fromstring(email.html)
    if "mso-list:l0" in body:  # Word's list markup is a real list now (tests/test_hostile_paste11.py)
        assert [li.text_content() for ol in root.iter("ol") for li in ol] == ["List item"]
        return
    shown = root.text_content()
    assert re.search(r"1\.\s+List item", shown), shown[shown.find("1."):][:40]


# --- (c) srcset read as the HTML standard reads it ----------------------------------------

def chosen_image(body: str) -> list[str | None]:
    email = render("<p>Lead.</p>" + body + "<p>After.</p>")
    root = lxml.html.document_fromstring(email.html)
    return [img.get("src") for img in root.iter("img") if "media.nbcnews.com" not in (img.get("src") or "")]


SRCSETS = {
    # a URL may hold commas (a CDN's transform parameters): only whitespace ends it
    "comma-in-url": ("https://cdn.example.org/c_fill,w_1600/a.jpg 1600w, https://cdn.example.org/c_fill,w_800/a.jpg 800w",
                     "https://cdn.example.org/c_fill,w_1600/a.jpg"),
    "comma-in-query": (("https://cdn.example.org/a.jpg?crop=0,0,800,600 800w, https://cdn.example.org/a.jpg?crop=0,0,1600,1200 "
                       "1600w"), "https://cdn.example.org/a.jpg?crop=0,0,1600,1200"),
    # no space after the comma between candidates: the descriptor ends at the comma
    "no-space": ("https://cdn.example.org/a-800.jpg 800w,https://cdn.example.org/a.jpg 1600w",
                 "https://cdn.example.org/a.jpg"),
    # a URL ending in commas, no descriptor: the commas are not part of it (1x)
    "trailing-commas": ("https://cdn.example.org/a-1x.jpg,, https://cdn.example.org/a-2x.jpg 2x",
                        "https://cdn.example.org/a-2x.jpg"),
    # two URLs joined by a comma with no space are ONE URL, as a browser reads it
    "joined": ("https://cdn.example.org/a.jpg,https://cdn.example.org/b.jpg 2x",
               "https://cdn.example.org/a.jpg,https://cdn.example.org/b.jpg"),
    # a descriptor in parentheses may hold a comma; an unknown descriptor drops its candidate
    "parens": ("https://cdn.example.org/big.jpg 3000w (a, b), https://cdn.example.org/a.jpg 1600w",
               "https://cdn.example.org/a.jpg"),
    # invalid descriptors drop the candidate: two of a kind, 0w, a negative density, junk
    "invalid": (("https://cdn.example.org/x1.jpg 1200w 2x, https://cdn.example.org/x2.jpg 0w, "
                "https://cdn.example.org/x3.jpg -2x, https://cdn.example.org/x4.jpg huge, "
                "https://cdn.example.org/x5.jpg 1200w 900h 800h, https://cdn.example.org/ok.jpg 400w"),
                "https://cdn.example.org/ok.jpg"),
    "height-without-width": ("https://cdn.example.org/x.jpg 900h, https://cdn.example.org/ok.jpg 1x",
                             "https://cdn.example.org/ok.jpg"),
    "density-forms": ("https://cdn.example.org/a.jpg .5x, https://cdn.example.org/b.jpg 2e0x",
                      "https://cdn.example.org/b.jpg"),
    "whitespace-kinds": ("\t\nhttps://cdn.example.org/a-800.jpg\t 800w ,\r\nhttps://cdn.example.org/a.jpg\t1600w\n",
                         "https://cdn.example.org/a.jpg"),
}


@pytest.mark.parametrize(("srcset", "chosen"), SRCSETS.values(), ids=SRCSETS.keys())
@pytest.mark.parametrize("where", ["img", "data-srcset", "picture"])
def test_a_srcset_is_read_as_the_html_standard_reads_it(srcset: str, chosen: str, where: str) -> None:
    attr = srcset.replace("&", "&amp;").replace('"', "&quot;")
    body = {"img": f'<img srcset="{attr}" alt="A fire">',
            "data-srcset": f'<img src="data:image/gif;base64,R0lGOD" data-srcset="{attr}" alt="A fire">',
            "picture": f'<picture><source srcset="{attr}"><img alt="A fire"></picture>'}[where]
    assert chosen_image(body) == [chosen]


@pytest.mark.parametrize("unit", ["(((((((((( ", "a,", ", ", "x 1w (", "u 1x,"])
def test_a_hostile_srcset_is_read_in_linear_time(unit: str) -> None:
    def cost(n: int) -> float:
        srcset = unit * n
        start = time.process_time()
        chosen_image(f'<img srcset="{srcset}" src="https://cdn.example.org/ok.jpg" alt="x">')
        return time.process_time() - start

    cost(100)
    small, big = cost(2_000), cost(20_000)
    assert big < max(12 * small, 0.5), (small, big)
    assert not dangerous(render(f'<img srcset="{unit * 1000}javascript:alert(1) 2x" alt="x">').html)


# --- 1. the precompiled packaged templates ---------------------------------------------------




BREAKING = FIXTURES_DIR / "breaking-china-cyberspying.yaml"
DIGEST = FIXTURES_DIR / "digest-morning-briefing.yaml"
PACKAGED = ("breaking.mjml.j2", "digest.mjml.j2", "special-report.mjml.j2", "layouts/base.mjml.j2",
            "partials/components.mjml.j2")


@pytest.fixture
def compiled_from_source(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates compiled from their text (not loaded as shipped code) from now on."""
    names: list[str] = []
    original = jinja2.Environment.compile

    def spy(self: jinja2.Environment, source: Any, name: str | None = None, filename: str | None = None,
            raw: bool = False, defer_init: bool = False) -> Any:
        names.append(name or "?")
        return original(self, source, name, filename, raw, defer_init)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return names


def copy_of_packaged(tmp_path: Path) -> Path:
    """The packaged templates, byte for byte, in a caller's folder: compiled from source."""
    folder = tmp_path / "copy"
    shutil.copytree(TEMPLATES_DIR, folder, ignore=shutil.ignore_patterns("locales", "themes"))
    return folder


def test_the_packaged_templates_run_as_shipped_code(compiled_from_source: list[str]) -> None:
    mailkit.Renderer().render("breaking", BREAKING)
    mailkit.Renderer().render("digest", DIGEST)
    assert not [n for n in compiled_from_source if n in PACKAGED], compiled_from_source


@pytest.mark.parametrize("name", ["layouts/base.mjml.j2", "partials/components.mjml.j2", "breaking.mjml.j2"])
def test_an_override_of_a_packaged_name_is_never_the_shipped_code(tmp_path: Path, name: str,
                                                                  compiled_from_source: list[str]) -> None:
    # another text under a packaged name: the caller's text runs, compiled from it
    folder = copy_of_packaged(tmp_path)
    target = folder / name
    text = target.read_text(encoding="utf-8")
    marked = {"layouts/base.mjml.j2": text.replace("<mjml ", "<!-- CALLER-OVERRIDE --><mjml ", 1),
              "partials/components.mjml.j2": text.replace("{% macro band(label, color=none, text_color=none, "
                                                          "uppercase=true) -%}", "{% macro band(label, color=none, "
                                                          "text_color=none, uppercase=true) -%}<!-- CALLER-OVERRIDE -->", 1),
              "breaking.mjml.j2": text.replace("{% block content %}", "{% block content %}<!-- CALLER-OVERRIDE -->", 1)}
    assert marked[name] != text
    target.write_text(marked[name], encoding="utf-8")
    email = mailkit.Renderer(template_dirs=[folder]).render("breaking", BREAKING)
    assert name in compiled_from_source
    assert "CALLER-OVERRIDE" in email.mjml


def test_identical_copies_compile_from_source_and_give_the_same_bytes(tmp_path: Path,
                                                                      compiled_from_source: list[str]) -> None:
    shipped = mailkit.Renderer().render("breaking", BREAKING)
    assert not compiled_from_source
    copied = mailkit.Renderer(template_dirs=[copy_of_packaged(tmp_path)]).render("breaking", BREAKING)
    assert {"breaking.mjml.j2", "layouts/base.mjml.j2", "partials/components.mjml.j2"} <= set(compiled_from_source)
    assert (copied.html, copied.text, copied.mjml) == (shipped.html, shipped.text, shipped.mjml)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
@pytest.mark.parametrize("name", ["layouts/base.mjml.j2", "partials/components.mjml.j2"])
def test_a_link_to_a_packaged_template_is_refused_not_run_as_shipped(tmp_path: Path, name: str) -> None:
    folder = copy_of_packaged(tmp_path)
    (folder / name).unlink()
    (folder / name).symlink_to(TEMPLATES_DIR / name)
    with pytest.raises(mailkit.TemplateError, match=re.escape(name)):
        mailkit.Renderer(template_dirs=[folder]).render("breaking", BREAKING)


def test_a_folder_linked_to_the_packaged_one_is_the_packaged_one(tmp_path: Path,
                                                                compiled_from_source: list[str]) -> None:
    # the caller's folder IS the packaged folder (a link to it): the same files, the same code
    (tmp_path / "mine").symlink_to(TEMPLATES_DIR)
    email = mailkit.Renderer(template_dirs=[tmp_path / "mine"]).render("breaking", BREAKING)
    assert email.html == mailkit.render("breaking", BREAKING).html
    assert not [n for n in compiled_from_source if n in PACKAGED]


CHILD = """{% extends "layouts/base.mjml.j2" %}
{% import "partials/components.mjml.j2" as ui with context %}
{% block band %}{{ ui.band("CHILD BAND") }}{% endblock %}
{% block content %}<mj-section><mj-column><mj-text>{{ BODY }}</mj-text></mj-column></mj-section>{% endblock %}
"""

SANDBOX_ATTACKS = {
    "dunder": "{{ article.__class__.__mro__ }}",
    "format": "{{ '{0.__class__}'.format(article) }}",
    "mro-via-attr": "{{ article | attr('__class__') }}",
    "globals": "{{ ui.band.__globals__ }}",
    "macro-func": "{{ ui.band._func.__code__ }}",
    "range": "{% for i in range(10**9) %}{% endfor %}",
    "mutate": "{{ article.authors.append(1) }}",
}


@pytest.mark.parametrize("attack", SANDBOX_ATTACKS.values(), ids=SANDBOX_ATTACKS.keys())
def test_a_child_of_the_packaged_layout_runs_in_the_sandbox(tmp_path: Path, attack: str) -> None:
    # the parent runs as shipped code; the child's blocks (and what they reach through
    # the shipped macros) still meet the sandbox's attribute checks and limits
    (tmp_path / "child.mjml.j2").write_text(CHILD.replace("{{ BODY }}", attack), encoding="utf-8")
    with pytest.raises(mailkit.TemplateError, match=r"child\.mjml\.j2"):
        mailkit.Renderer(template_dirs=[tmp_path]).render("child", BREAKING)


def test_custom_filters_and_globals_reach_blocks_over_shipped_code(tmp_path: Path,
                                                                  compiled_from_source: list[str]) -> None:
    (tmp_path / "child.mjml.j2").write_text(CHILD.replace("{{ BODY }}", "{{ article.headline | shout }} {{ site }}"),
                                            encoding="utf-8")
    renderer = mailkit.Renderer(template_dirs=[tmp_path], filters={"shout": lambda s: s.upper() + "!"},
                                globals={"site": "<b>Example</b>"})
    email = renderer.render("child", BREAKING)
    assert "CHINA SUMMONS ENVOY" in email.text and "CHILD BAND" in email.text
    assert "&lt;b&gt;Example" in email.html or "<b>Example" not in email.html  # a global is content: escaped
    assert compiled_from_source == ["child.mjml.j2"]  # the parent and the partial as shipped
    # a filter raising is a TemplateError naming the template
    boom = mailkit.Renderer(template_dirs=[tmp_path], filters={"shout": lambda s: 1 / 0}, globals={"site": "x"})
    with pytest.raises(mailkit.TemplateError, match=r"child\.mjml\.j2"):
        boom.render("child", BREAKING)


def outcome(renderer: mailkit.Renderer, template: str, edition: Path) -> str:
    try:
        return "ok " + str(len(renderer.render(template, edition).mjml))
    except mailkit.MailkitError as err:
        return f"{type(err).__name__}: {re.sub(r'line [0-9]+', 'line N', str(err))}"


@pytest.mark.parametrize("limit", ["max_template_steps", "max_template_output"])
@pytest.mark.parametrize(("template", "edition"), [("digest", DIGEST), ("breaking", BREAKING)])
def test_limits_hold_in_shipped_code_exactly_as_in_code_compiled_from_source(
        tmp_path: Path, limit: str, template: str, edition: Path, compiled_from_source: list[str]) -> None:
    folder = copy_of_packaged(tmp_path)

    def smallest_that_renders(dirs: list[Path]) -> int:
        low, high = 1, 20_000 if limit == "max_template_steps" else 400_000
        while low < high:  # the smallest limit the render fits in
            mid = (low + high) // 2
            ok = outcome(mailkit.Renderer(template_dirs=dirs, limits=mailkit.Limits(**{limit: mid})),
                         template, edition).startswith("ok")
            low, high = (low, mid) if ok else (mid + 1, high)
        return low

    shipped = smallest_that_renders([])
    assert not [n for n in compiled_from_source if n in PACKAGED]
    from_source = smallest_that_renders([folder])
    assert shipped == from_source > 1
    # and just under it, the same error
    tight = mailkit.Limits(**{limit: shipped - 1})
    assert (outcome(mailkit.Renderer(limits=tight), template, edition)
            == outcome(mailkit.Renderer(template_dirs=[folder], limits=tight), template, edition).replace(str(folder), str(TEMPLATES_DIR)))


# --- 2. premailer's fast path: mailkit's own loop over premailer's parsed rules ---------------

HOSTILE_SHEETS = {
    "attribute-quotes": """p[title='a"b'] { color: red } p[title="a'b"] { color: blue } p[title="}"] { margin: 0 }""",
    "attribute-brace": """p[data-x="} p { color: red"] { color: green } p { top: 1px }""",
    "not-and-is": "p:not(.a):not([title]) { color: red } :is(p, span):not(:first-child) { margin: 0 } "
                  "div :not(p) { padding: 0 } p:not(.a.b) { left: 0 }",
    "pseudo-elements": "p::before { content: 'x' } p::after, p::first-line { color: red } p:first-letter { top: 0 } "
                       "p::selection { color: blue } p.a::marker { color: green }",
    "important-fights": "p { color: red !important } p.a { color: blue } #one p.a { color: green !important } "
                        "p { color: black !IMPORTANT } p.a.b { color: white ! important }",
    "media-nesting": "@media screen { @media (min-width: 1px) { p { color: red } } p.a { color: blue } } "
                     "@supports (display: grid) { p { display: grid } } @media print { p { color: black } } p { top: 0 }",
    "escapes": r"p.\61 { color: red } .\31 23 { margin: 0 } p[title=\"t\"] { top: 0 } .a\:b { left: 0 } "
               r"p.\000061 { padding: 0 } .\}x { color: blue }",
    "comments-inside": "p { color: /* } */ red; /* ; */ margin: 0 } p/**/.a { top: 0 } p { /* unclosed",
    "url-and-expression": "p { background: url(javascript:alert(1)); width: expression(alert(2)) } "
                          "p.a { behavior: url(x.htc); -moz-binding: url('evil.xml#x') } "
                          "p.b { background-image: url(\"java\\script:alert(3)\") }",
    "huge-selector-list": ", ".join(f"p.c{i}" for i in range(2_000)) + ", p.a { color: red }",
    "unicode-and-controls": "p.é { color: red } p[title='\u202e'] { margin: 0 } p.a { content: '\\0' }",
    "bad-then-good": "p { color: red } p >> q { color: blue } p.a { margin: 0 }",
    "at-rules": "@import url(https://evil.example/x.css); @font-face { font-family: x; src: url(x) } "
                "@charset 'utf-8'; @page { margin: 0 } p { color: red }",
}
HOSTILE_DOC = ('<html><head><style>{css}</style></head><body><div id="one" class="a a">'
               '<p class="a" style="margin: 1px; color: green" title=\'a"b\'>1</p><p title="a\'b" class="b">2</p>'
               '<p class="a b" data-x="} p { color: red">3</p><span class="a:b 1 }x">4</span><p class="é">5</p>'
               '<p title="}">6</p><p class="c1999 a">7</p></div></body></html>')


@pytest.mark.parametrize("css", HOSTILE_SHEETS.values(), ids=HOSTILE_SHEETS.keys())
def test_hostile_css_gives_stock_premailers_bytes(css: str) -> None:
    html = HOSTILE_DOC.replace("{css}", css)
    for keep in (True, False):
        fast, stock = _both(html, keep_style_tags=keep, remove_classes=not keep)
        assert fast == stock


@pytest.mark.parametrize("css", HOSTILE_SHEETS.values(), ids=HOSTILE_SHEETS.keys())
def test_hostile_css_in_a_template_style_reaches_no_event_or_script(tmp_path: Path, css: str) -> None:
    # a template's own <mj-style inline="inline"> is the author's CSS (printed as written);
    # whatever it holds, the inliner writes no element, event attribute or script URL
    (tmp_path / "styled.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% block head %}<mj-style inline="inline">'
        + css
        + '</mj-style>{% endblock %}{% block band %}{% endblock %}{% block content %}<mj-section><mj-column>'
          '<mj-text><p class="a b" title="t">x</p></mj-text></mj-column></mj-section>{% endblock %}',
        encoding="utf-8")
    try:
        email = mailkit.Renderer(template_dirs=[tmp_path], ignore=("content-not-shown",)).render("styled", BREAKING)
    except mailkit.MailkitError as err:  # refused with the template named is an outcome too
        assert "styled" in str(err)
        return
    assert not dangerous(email.html)
    for style in lxml.html.document_fromstring(email.html).xpath("//@style"):
        assert "<" not in style and ">" not in style


@pytest.mark.parametrize("field", ["colors.accent", "colors.page", "fonts.body", "fonts.headline"])
@pytest.mark.parametrize("value", ["red;background:url(javascript:alert(1))", "expression(alert(1))",
                                   "url(javascript:alert(1))", "\\75 rl(javascript:x)", "red/**/;x:y",
                                   "red}p{color:blue", "'Roboto", "red</style><script>alert(1)</script>",
                                   "e\\78pression(alert(1))", "var(--x)", "red !important"])
def test_a_hostile_theme_value_is_refused_with_its_key(tmp_path: Path, field: str, value: str) -> None:
    group, key = field.split(".")
    theme = tmp_path / "evil.yaml"
    theme.write_text(yaml.safe_dump({group: {key: value}}), encoding="utf-8")
    try:
        email = mailkit.Renderer(theme=theme).render("breaking", BREAKING)
    except mailkit.MailkitError as err:
        assert key in str(err) or "css" in str(err).lower(), str(err)
        return
    # accepted: then it is one harmless value
    assert not dangerous(email.html)
    assert "javascript" not in email.html and "expression(" not in email.html.lower()
    assert "<script" not in email.html


def test_inlining_is_linear_in_the_document() -> None:
    # a fixed sheet of the shapes the templates use (class bases, :not, pseudo-elements,
    # !important) over 30 and 3,000 paragraphs (in the number of rules: see below)
    css = ("td.mk-text p { color: red } td.mk-text p.a { margin: 0 !important } p::before { content: 'x' } "
           "p:not(.b) { top: 0 } td.mk-text p.a.b { left: 0 }")

    def cost(n: int) -> float:
        body = "<table><tr><td class='mk-text'>" + '<p class="a">x</p><p class="a b">y</p>' * n + "</td></tr></table>"
        root = parse_html(f"<html><head><style>{css}</style></head><body>{body}</body></html>")
        start = time.process_time()
        _premailer.transform(root, keep_style_tags=True, remove_classes=False, rules=_premailer.StyleRules())
        return time.process_time() - start

    cost(10)
    small, big = cost(30), cost(3_000)
    assert big < 100 * 3 * max(small, 0.001), (small, big)
    assert _both(f"<html><head><style>{'p, ' * 500}p {{ color: red }}</style></head><body><p>x</p></body></html>")[0]


@pytest.mark.parametrize("css", [r".\31 23 { margin: 0 }", r"p.a { content: '\0' }", "p >> q { color: red }"],
                         ids=["escaped-digit-class", "nul-escape", "bad-combinator"])
@pytest.mark.parametrize("inliner", ["premailer", "css-inline"])
def test_an_inliner_failure_on_a_templates_css_names_the_template(tmp_path: Path, css: str, inliner: str) -> None:
    # cssutils writes .\31 23 back as ".123" (no longer a selector) and '\0' as a NUL that
    # lxml refuses: before, "CSS inlining failed: SelectorSyntaxError ..." with no template named
    (tmp_path / "styled.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% block head %}<mj-style inline="inline">' + css
        + '</mj-style>{% endblock %}{% block band %}{% endblock %}{% block content %}<mj-section><mj-column>'
          '<mj-text><p class="a">x</p></mj-text></mj-column></mj-section>{% endblock %}', encoding="utf-8")
    renderer = mailkit.Renderer(template_dirs=[tmp_path], ignore=("content-not-shown",), inliner=inliner)
    try:
        email = renderer.render("styled", BREAKING)
    except mailkit.InliningError as err:
        assert "styled.mjml.j2" in str(err), str(err)
        assert isinstance(err.__cause__, Exception)
    else:
        assert not dangerous(email.html) and "\x00" not in email.html


# --- 3. personalize's fast paths: slots, escaping all values at once, the query ----------------

GREETING = """{% extends "breaking.mjml.j2" %}
{% block band %}{{ super() }}<mj-section><mj-column><mj-text><p title="{{ recipient.first_name }}">Hi
{{ recipient.first_name_or("there") }}, this is for {{ recipient.email }}.</p>
<a href="{{ unsubscribe_url }}">Unsubscribe {{ recipient.first_name }}</a>
<a href="{{ preferences_url }}">Preferences</a></mj-text></mj-column></mj-section>{% endblock %}
"""


@pytest.fixture(scope="module")
def greeting(tmp_path_factory: pytest.TempPathFactory) -> tuple[mailkit.Renderer, mailkit.PreparedEmail]:
    folder = tmp_path_factory.mktemp("greeting")
    (folder / "greeting.mjml.j2").write_text(GREETING, encoding="utf-8")
    renderer = mailkit.Renderer(template_dirs=[folder])
    return renderer, renderer.prepare("greeting", BREAKING)


def nonce_of(prepared: mailkit.PreparedEmail) -> str:
    found = re.match(r"mk\(\?:([0-9]{15})x", prepared.pattern)
    assert found is not None
    return found.group(1)


def line_nonce_of(prepared: mailkit.PreparedEmail) -> str:
    found = re.search(r"\|([0-9]{15})x\(line", prepared.pattern)
    assert found is not None
    return found.group(1)


def hostile_readers(nonce: str, line_nonce: str = "0" * 15) -> dict[str, dict[str, Any]]:
    token = f"mk{nonce}x"
    return {
        "own-token-in-name": {"first_name": f"{token}emailq {token}unsubscribeurlq {token}fallback0q"},
        "token-shape-other-nonce": {"first_name": "mk123456789012345xemailq mk000000000000000xline0q"},
        # the text part's own per-reader lines, under the nonce templates never see
        "line-token": {"first_name": f"mk{line_nonce}xline0q mk{line_nonce}xline1q"},
        "markup": {"first_name": "</a><script>alert(1)</script><a href='x'>", "email": "ana@example.org"},
        "quotes": {"first_name": "O'Brien \"Ana\" `x` &amp; &#x27;"},
        "crlf-everywhere": {"first_name": "Ana\r\nBcc: evil@example.org\rX-Injected: 1\n\n<b>",
                            "link_params": {"rid": "42\r\nBcc: x@evil.example"}},
        "bidi-isolates-and-zw": {"first_name": "\u2067Ana\u2069\u200d\u200b\u2066x\u2069"},
        "ten-kb-name": {"first_name": "Ana " * 2_500},
        "non-ascii": {"first_name": "Zoë 李 محمد", "email": "zoe@example.org",
                      "link_params": {"name": "Zoë 李", "q": "ü&ö"}},
        "params-with-syntax": {"link_params": {"rid": "a&b=c#d?e", "x": "%41%", "y": " plus+space ",
                                               "z": "</a><script>", "w": "\"'"}},
        "urls-with-quotes": {"unsubscribe_url": "https://example.org/u?id=42&sig=a%22b'c#frag",
                             "preferences_url": "https://example.org/p?x=1&y=%3Cb%3E"},
        "utm-collision": {"link_params": {"utm_source": "evil", "utm_medium": "x"}},
    }


READER_IDS = list(hostile_readers("0" * 15))


def structure_of(html: str) -> list[tuple[str, tuple[str, ...]]]:
    root = lxml.html.document_fromstring(html)
    return [(el.tag, tuple(sorted(el.attrib))) for el in root.iter() if isinstance(el.tag, str)]


@pytest.mark.parametrize("case", READER_IDS)
def test_a_readers_values_never_become_markup_headers_or_another_readers(
        greeting: tuple[mailkit.Renderer, mailkit.PreparedEmail], case: str) -> None:
    renderer, prepared = greeting
    fields = {"email": "reader@example.org", **hostile_readers(nonce_of(prepared), line_nonce_of(prepared))[case]}
    try:
        reader = mailkit.Recipient(**fields)
    except mailkit.MailkitError as err:  # refused: with the field named
        assert any(name in str(err) for name in fields), str(err)
        return
    plain = mailkit.Recipient(email="plain@example.org", first_name="Plain")
    mine, theirs = prepared.personalize(reader), prepared.personalize(plain)
    # the fast fill equals the full render, and the bulk writer's bytes equal the message's
    full = renderer.render("greeting", BREAKING, recipient=reader)
    assert (mine.html, mine.text, mine.subject, mine.preheader) == (full.html, full.text, full.subject, full.preheader)
    when = {"date": datetime(2014, 5, 19, 12, 0, tzinfo=UTC), "message_id": "<x@example.org>"}
    bulk = mailkit.BulkMessages(prepared).message(reader, **when)
    assert bulk == mailkit.message_bytes(mine, **when)
    # nothing the reader supplied became markup: the same elements and attributes as another reader's
    assert structure_of(mine.html) == structure_of(theirs.html)
    assert not dangerous(mine.html)
    # nor a header: the same header names, every line of the wire ending CRLF, none bare
    head = bulk.split(b"\r\n\r\n", 1)[0]
    names = sorted(line.split(b":", 1)[0] for line in head.split(b"\r\n") if line and line[:1] not in b" \t")
    plain_head = mailkit.BulkMessages(prepared).message(plain, **when).split(b"\r\n\r\n", 1)[0]
    assert names == sorted(line.split(b":", 1)[0] for line in plain_head.split(b"\r\n") if line and line[:1] not in b" \t")
    assert b"\r" not in bulk.replace(b"\r\n", b"") and b"\n" not in bulk.replace(b"\r\n", b"")
    # nor another reader's value, before or after it in a run
    after = prepared.personalize(plain)
    assert (after.html, after.text) == (theirs.html, theirs.text)
    assert "Plain" not in mine.html
    # a token-shaped name (this email's own tokens included) is shown as the reader wrote it
    if "mk" in reader.first_name:
        shown = " ".join(lxml.html.document_fromstring(mine.html).text_content().split())
        assert f"Hi {reader.first_name}, this is for reader@example.org." in shown


@pytest.mark.parametrize("case", READER_IDS)
def test_link_params_reach_every_story_link_as_one_query_value(
        greeting: tuple[mailkit.Renderer, mailkit.PreparedEmail], case: str) -> None:
    _, prepared = greeting
    fields = {"email": "reader@example.org", **hostile_readers(nonce_of(prepared), line_nonce_of(prepared))[case]}
    try:
        reader = mailkit.Recipient(**fields)
    except mailkit.MailkitError:
        return
    email = prepared.personalize(reader)
    story = [a.get("href") for a in lxml.html.document_fromstring(email.html).iter("a")
             if "nbcnews.com/news/" in (a.get("href") or "")]
    assert story
    for href in story:
        query = parse_qs(urlsplit(href).query, keep_blank_values=True)
        assert urlsplit(href).fragment == ""
        for key, value in reader.link_params.items():
            assert query.get(key, [None])[-1] == value, (href, key)


# --- 4. the preheader from a prefix of the body ---------------------------------------------

def without_dek(body: str) -> dict[str, Any]:
    data = expand(BASE)
    story = data["articles"][0]
    story.update(body=body, dek=None, summary=None)
    return data


PREFIX_BODIES = {
    "huge-tag": f'<p><a href="https://example.org/" title="{"x" * 250_000}">Link</a> text. Second sentence.</p>',
    "huge-tags-many": '<p><span title="' + "y" * 2_000 + '">a</span></p>' * 100 + "<p>Now. Then.</p>",
    "comment": "<!--" + "c " * 50_000 + "--><p>After the comment. Second.</p>",
    "script": "<script>" + "var x = 1; " * 10_000 + "</script><p>Real text here. Second.</p>",
    "style": "<style>" + "p { color: red } " * 5_000 + "</style><p>Styled text. Second.</p>",
    "empty-paragraphs": "<p></p>" * 10_000 + "<p>Finally some text. Second.</p>",
    "empty-inline": "<p>" + "<b></b><i></i>" * 10_000 + "Start. Second.</p>",
    "sentence-split-by-tags": "<p>The U.<b>S.</b> said <i>no</i>. <em>Then</em> the E.<span>U.</span> agreed.</p>",
    "word-split-by-tags": "<p>" + "Wash<b>ing</b>ton " * 60 + "end. Next.</p>",
    "entities-at-every-cut": "<p>" + "A&amp;B &lt;tag&gt; &quot;q&quot; &#233;t&#xE9; &nbsp;" * 80 + ". Next.</p>",
    "entity-then-tag": "<p>" + "x&amp;<b>y</b>" * 200 + ". Next.</p>",
    "abbreviations": "<p>" + "U.S. " * 2_000 + "done. Next.</p>",
    "no-stop": "<p>" + "word " * 20_000 + "</p>",
    "blocks-between-words": "<p>One</p><p>two</p>" * 200 + "<p>three. Four.</p>",
    "stop-at-the-edge": "<p>" + "a" * 259 + ". Next one.</p>",
    "cjk": "<p>" + "中文句子。" * 100 + "</p>",
    "combining": "<p>" + "e\u0301" * 300 + ". Next.</p>",
    "list-number": "<ol><li>First item here.</li></ol><p>1. List item one. Then.</p>",
}


@pytest.mark.parametrize("body", PREFIX_BODIES.values(), ids=PREFIX_BODIES.keys())
def test_the_preheader_read_from_a_prefix_equals_the_whole_bodys_reading(monkeypatch: pytest.MonkeyPatch,
                                                                          body: str) -> None:
    import mailkit._render as render_module

    data = without_dek(body)
    fast = mailkit.render("breaking", data)
    # the reference: the same first sentence read from the whole body made plain text
    monkeypatch.setattr(render_module, "_plain_prefix", lambda html, chars: render_module._plain(html))
    whole = mailkit.render("breaking", data)
    assert fast.preheader == whole.preheader
    assert "var x" not in fast.preheader and "color: red" not in fast.preheader


@pytest.mark.parametrize("unit", ["<p></p>", "<b></b>", "<p>U.S. </p>", "<span>x</span>", "<p>word&amp;</p>"])
def test_the_preheader_from_a_body_is_linear(unit: str) -> None:
    from mailkit._render import _first_sentence

    def cost(n: int) -> float:
        html = unit * n + "<p>The end. Really.</p>"
        start = time.process_time()
        for _ in range(5):
            _first_sentence(html)
        return time.process_time() - start

    cost(100)
    small, big = cost(3_000), cost(30_000)
    assert big < 10 * 3 * max(small, 0.002), (small, big)


@pytest.mark.parametrize(("body", "preheader"), [
    ("<p>1. List item one is here. Then more.</p>", "1. List item one is here."),
    (("<p class=MsoListParagraph>1.<span style='mso-list:Ignore'>&nbsp;&nbsp;</span>List item one is here.</p>"
     "<p>Then more.</p>"), "1. List item one is here."),
    ("<p>12. Twelfth point made. More.</p>", "12. Twelfth point made."),
    ("<p>IV. Chapter four begins. More.</p>", "IV. Chapter four begins."),
    ("<p>The vote was 52 to 1. Then it passed.</p>", "The vote was 52 to 1."),
])
def test_a_list_number_opening_the_body_is_not_the_preheaders_sentence(body: str, preheader: str) -> None:
    # before: "1." (a stop after a number, then a capital) was the whole preheader
    assert mailkit.render("breaking", without_dek(body)).preheader == preheader


def test_a_style_sheet_of_thousands_of_rules_inlines_in_linear_time() -> None:
    # cssutils serialised each selector by scanning every rule of its sheet for @namespace
    # rules: 300 -> 3,000 rules took 0.09 -> 2.3 s (10,000: about 25 s), a template's own
    # <mj-style> enough to stall a render
    def cost(rules: int) -> float:
        css = ", ".join(f"div p.c{i}:not(.x{i})" for i in range(rules)) + " { color: red } " + \
            " ".join(f"p.c{i} {{ margin: {i}px !important }}" for i in range(rules))
        body = "<div>" + "".join(f'<p class="c{i} a">{i}</p>' for i in range(30)) + "</div>"
        times = []
        for _ in range(3):  # the best of three: a busy machine's cache misses land on one run, not all
            root = parse_html(f"<html><head><style>{css}</style></head><body>{body}</body></html>")
            start = time.process_time()
            _premailer.transform(root, keep_style_tags=True, remove_classes=False, rules=_premailer.StyleRules())
            times.append(time.process_time() - start)
        return min(times)

    cost(10)
    small, big = cost(300), cost(3_000)
    # 10x the rules: about 10-12x the time (one run at load 6 took 16x), where the rescan took 26x
    assert big < 20 * max(small, 0.01), (small, big)
    # and the namespaces a sheet declares still apply, as before
    html = ('<html><head><style>@namespace svg url(http://www.w3.org/2000/svg); p.a { color: red } '
            '@media (max-width: 480px) { p.a { color: blue } }</style></head><body><p class="a">x</p></body></html>')
    fast, stock = _both(html)
    assert fast == stock and "@namespace svg" in fast
