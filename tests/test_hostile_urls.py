"""Hostile URLs in every place a URL reaches the output, and the largest allowed input of every field.

Every URL mailkit writes passes through :func:`mailkit._sanitize.safe_url`: it
either comes out canonical (ASCII, punycode host, percent-encoded, none of
``< > " ' \\ ` { } | ^`` or whitespace) or the input is refused with an error
naming the field (a model field) or a warning that fails ``check`` (a body link).
"""

from __future__ import annotations

import copy
import html
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, get_args

import cssutils
import lxml.html
import mjml
import nh3
import pydantic
import pytest
import yaml
from conftest import FIXTURES, SEED
from hypothesis import given, settings
from hypothesis import strategies as st

import mailkit
from mailkit import _models as models
from mailkit._checks import run_checks
from mailkit._compile import CompileOptions, compile_mjml
from mailkit._sanitize import LIMITS, resolve_url, safe_url

cssutils.log.setLevel(logging.CRITICAL)  # it logs every property it does not know (mso-hide ...)

# --- safe_url: the one gate ---------------------------------------------------------------

CANONICAL = [
    ("https://www.nbcnews.com/news?a=1&b=2#top", "link", "https://www.nbcnews.com/news?a=1&b=2#top"),
    ("https://Exämple.org/ü?q=ü#ü", "link", "https://xn--exmple-cua.org/%C3%BC?q=%C3%BC#%C3%BC"),
    ("https://exаmple.com/", "link", "https://xn--exmple-4nf.com/"),  # Cyrillic "а": a homograph, shown as punycode
    ("HTTPS://WWW.Example.ORG:8443/Path", "link", "https://www.example.org:8443/Path"),
    ("https://e.example/?q=a>b&c=<d>", "link", "https://e.example/?q=a%3Eb&c=%3Cd%3E"),
    ("https://e.example/it's`{x}|^", "link", "https://e.example/it%27s%60%7Bx%7D%7C%5E"),
    ("https://e.example/100%/%41", "link", "https://e.example/100%25/%41"),
    ("https://e.example/#a#b", "link", "https://e.example/#a%23b"),
    ("https://e.example/a(b);c", "link", "https://e.example/a(b);c"),
    ("https://e.example/a(b);c", "font-css", "https://e.example/a%28b%29%3Bc"),
    ("https://[::1]:8080/x", "link", "https://[::1]:8080/x"),
    ("mailto:tips@nbcnews.com?subject=Tip%20off", "link", "mailto:tips@nbcnews.com?subject=Tip%20off"),
    ("mailto:zoë@example.org", "link", "mailto:zo%C3%AB@example.org"),
    ("tel:+1-212-555-0100", "link", "tel:+1-212-555-0100"),
    ("cid:logo@nbcnews", "image", "cid:logo@nbcnews"),
]


@pytest.mark.parametrize(("value", "kind", "expected"), CANONICAL)
def test_safe_url_canonical_form(value: str, kind: Any, expected: str) -> None:
    url = safe_url(value, kind=kind)
    assert url == expected
    assert url.isascii() and not re.search(r"[\s<>\"'\\`{}|^]", url)
    assert safe_url(url, kind=kind) == url  # canonical: a fixed point


REFUSED = [
    ("javascript:alert(1)", "link", r"scheme 'javascript' not allowed"),
    ("JaVaScRiPt:alert(1)", "link", r"scheme 'javascript' not allowed"),
    ("java\tscript:alert(1)", "link", r"whitespace \(U\+0009\) at position 4"),
    ("java\nscript:alert(1)", "link", r"whitespace \(U\+000A\) at position 4"),
    ("data:text/html,x", "link", r"scheme 'data'"),
    ("http://e.example/x.css", "font-css", r"scheme 'http' not allowed \(use https\)"),
    ("cid:logo", "link", r"scheme 'cid'"),
    ("mailto:x@y.example", "image", r"scheme 'mailto'"),
    ('https://e.example/x.css"onload="alert(1)', "font-css", r"a double quote at position 23"),
    ("https:\\\\evil.example/", "link", r"a backslash at position 6"),
    ("https://e.example\\@evil.example/", "link", r"a backslash"),
    ("https://e.example/\x00", "link", r"control character U\+0000 at position 18"),
    ("https://e.example/\x85", "link", r"U\+0085"),
    ("https://e.example/\u2028x", "link", r"whitespace \(U\+2028\)"),
    ("https://e.example/\ud800", "link", r"lone surrogate U\+D800"),
    ("https://e xample/", "link", r"whitespace"),
    ("//evil.example/", "link", r"not an absolute URL"),
    ("https:evil.example", "link", r"not an absolute URL"),
    ("/relative/path", "link", r"not an absolute URL"),
    ("https:///x", "link", r"no host"),
    ("https://www.nbcnews.com@evil.example/", "link", r"user name or password"),
    ("https://e.example:99999/", "link", r"invalid port"),
    ("https://e;x.example/", "link", r"invalid host name"),
    ("https://e.example/" + "x" * LIMITS.max_field_chars, "link", r"over the limit of 5000"),
]


@pytest.mark.parametrize(("value", "kind", "message"), REFUSED)
def test_safe_url_refuses(value: str, kind: Any, message: str) -> None:
    with pytest.raises(mailkit.UnsafeUrlError, match=message) as info:
        safe_url(value, kind=kind, field="articles[0].url")
    assert isinstance(info.value, mailkit.InvalidFixtureError)
    assert str(info.value).startswith("articles[0].url: ")


@settings(max_examples=300, deadline=None)
@given(host=st.text(min_size=1, max_size=20), rest=st.text(max_size=40), kind=st.sampled_from(["link", "image", "font-css"]))
def test_safe_url_output_is_canonical_or_refused(host: str, rest: str, kind: Any) -> None:
    for value in (f"https://{host}/{rest}", f"https://e.example/{rest}", f"mailto:{rest}@e.example"):
        try:
            url = safe_url(value, kind=kind)
        except mailkit.UnsafeUrlError as err:
            assert str(err).startswith("url: ")
            continue
        assert re.fullmatch(r"[!#-&(-;=?-\[\]_a-z~]+", url, re.IGNORECASE), url
        assert safe_url(url, kind=kind) == url


def test_every_url_in_every_render_is_canonical(email: mailkit.RenderedEmail) -> None:
    for url in urls_in(email.html):
        assert url == safe_url(url, kind="image" if url.startswith("cid:") else "link") or url.startswith("#"), url


# --- upstream behaviours relied on, pinned ----------------------------------------------------


def test_nh3_escapes_angle_brackets_in_attribute_values() -> None:
    # mailkit._sanitize decodes nh3's attribute values in full (html.unescape) before encoding them
    # for MRML; it used to undo only &amp; &quot; &nbsp; and wrote "Sales &amp;gt; forecast"
    assert nh3.clean('<img alt="Sales > forecast & co">') == '<img alt="Sales &gt; forecast &amp; co">'


def test_nh3_drops_unknown_schemes_before_the_attribute_filter() -> None:
    # why sanitize_body lets every scheme the body spells through to its filter
    seen: list[str] = []

    def keep(tag: str, attr: str, value: str) -> str:
        seen.append(value)
        return value

    nh3.clean('<a href="foo:bar">x</a>', attribute_filter=keep, url_schemes={"https"}, link_rel=None)
    assert seen == []


MJML_FONT = ('<mjml><mj-head><mj-attributes><mj-all font-family="Foo, Arial"/></mj-attributes></mj-head>'
             "<mj-body><mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>")


def test_mrml_writes_a_font_url_raw() -> None:
    # MRML writes a web font's URL as it is into <link href="..."> and into an unquoted
    # "@import url(...)": mailkit._compile passes it canonical and escapes the link's "&" itself
    out = mjml.mjml2html(MJML_FONT, fonts={"Foo": "https://f.example/a?b=1&c=<x>\"y"})
    assert '<link href="https://f.example/a?b=1&c=<x>"y"' in out
    assert '@import url(https://f.example/a?b=1&c=<x>"y);' in out
    html = compile_mjml(MJML_FONT, CompileOptions(
        web_fonts={"Foo": "https://f.example/css2?family=Foo:wght@400;700&copy=1"}))
    link = lxml.html.document_fromstring(html).xpath("//link")[0]
    assert link.get("href") == "https://f.example/css2?family=Foo:wght@400%3B700&copy=1"
    assert "@import url(https://f.example/css2?family=Foo:wght@400%3B700&copy=1);" in html


def test_compile_options_web_fonts_pass_the_gate() -> None:
    with pytest.raises(mailkit.UnsafeUrlError, match=r"web_fonts\['Foo'\]: URL contains a double quote"):
        compile_mjml(MJML_FONT, CompileOptions(
            web_fonts={"Foo": 'https://f.example/x"onload="alert(1)'}))


# --- the reported cases ---------------------------------------------------------------------------

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def expand(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["newsletter"]["brand"] = {
        "name": "NBC News", "timezone": "America/New_York",
        "logo": {"src": "https://media.example/logo.png", "dark_src": "https://media.example/logo-dark.png",
                 "alt": "NBC News", "width": 120, "height": 40},
        # Roboto is in the body stack, so MRML links it
        "fonts": {"web_fonts": {"Roboto": "https://fonts.example/css2?family=Roboto&display=swap"}},
    }
    data["articles"][0]["related"] = [{"title": "Related", "url": "https://www.nbcnews.com/related"}]
    data["articles"][0]["authors"][0]["url"] = "https://www.nbcnews.com/author/m-alex-johnson"
    data["articles"][0]["body"] = '<p>Hi <a href="https://www.nbcnews.com/x">there</a>.</p>'
    return data


def test_body_attributes_are_escaped_once() -> None:
    data = expand(BASE)
    data["articles"][0]["body"] = ('<p><img alt="Sales > forecast &amp; more" src="https://e.example/a.png">'
                                   '<a href="https://e.example/?q=a>b&amp;c=1" title="x < y">q</a></p>')
    root = lxml.html.document_fromstring(mailkit.render("breaking", data).html)
    assert root.xpath("//img[@src='https://e.example/a.png']")[0].get("alt") == "Sales > forecast & more"
    link = root.xpath("//a[@title]")[0]
    assert (link.get("href"), link.get("title")) == ("https://e.example/?q=a%3Eb&c=1", "x < y")


def test_web_font_url_cannot_break_out_of_css_or_the_link() -> None:
    for payload, error in [("https://x.example/x.css);}</style><script>alert(1)</script>", None),
                           ('https://x.example/x.css"onload="alert(1)', r"double quote")]:
        data = expand(BASE)
        data["newsletter"]["brand"]["fonts"]["web_fonts"]["Roboto"] = payload
        if error:
            with pytest.raises(mailkit.UnsafeInputError, match=r"newsletter\.brand\.fonts\.web_fonts\.Roboto: .*" + error):
                mailkit.render("breaking", data)
            continue
        html = mailkit.render("breaking", data).html
        assert shape(html) == BASE_SHAPE
        assert "https://x.example/x.css%29%3B%7D%3C/style%3E%3Cscript%3Ealert%281%29%3C/script%3E" in html


def test_non_ascii_unsubscribe_url_is_made_ascii_at_load_time() -> None:
    data = expand(BASE)
    data["newsletter"]["footer"]["unsubscribe_url"] = "https://example.org/ü"
    email = mailkit.render("breaking", data)
    assert email.unsubscribe_url == "https://example.org/%C3%BC"
    when = {"to": "reader@example.org", "date": datetime(2014, 5, 20, 9, 15, tzinfo=UTC), "message_id": "<1@nbcnews.com>"}
    raw = mailkit.message_bytes(email, **when)
    assert b"List-Unsubscribe: <https://example.org/%C3%BC>" in raw
    assert email.to_message(**when).as_bytes() == raw
    reader = mailkit.Recipient(email="ana@example.org", unsubscribe_url="https://exämple.org/ü?id=ä")
    bulk = mailkit.BulkMessages(mailkit.prepare("breaking", data)).message(reader)
    assert b"<https://xn--exmple-cua.org/%C3%BC?id=%C3%A4>" in bulk


def test_preheader_comes_from_the_sanitised_body() -> None:
    data = expand(BASE)
    article = data["articles"][0]
    del article["dek"]
    article["body"] = "<p>Hi<script>alert('x')</script> more<style>p{color:red}</style> text. Next one.</p>"
    assert mailkit.render("breaking", data).preheader == "Hi more text."


# --- every sink, every payload --------------------------------------------------------------------

PAYLOADS = {
    "css-breakout": "https://x.example/a.css);}</style><script>alert(1)</script>",
    "style-injection": "https://x.example/</style><style>*{display:none}</style>",
    "double-quote": 'https://x.example/a"onload="alert(1)',
    "double-quote-tag": 'https://x.example/a"><script>alert(1)</script>',
    "single-quote": "https://x.example/a'onload='alert(1)",
    "newline-style": "https://x.example/a\n</style><script>alert(1)</script>",
    "javascript": "javascript:alert(1)",
    "javascript-mixed-case": "JaVaScRiPt:alert(1)",
    "javascript-tab": "java\tscript:alert(1)",
    "javascript-newline": "java\nscript:alert(1)",
    "javascript-entity": "&#106;avascript:alert(1)",
    "javascript-leading-space": "  javascript:alert(1)",
    "vbscript": "vbscript:msgbox(1)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "backslashes": "\\\\evil.example/x",
    "https-backslashes": "https:\\\\evil.example/x",
    "protocol-relative": "//evil.example/x",
    "user-info": "https://www.nbcnews.com@evil.example/",
    "entity-lookalike": "https://x.example/?a=1&lt;script&gt;alert(1)&lt;/script&gt;",
    "control": "https://x.example/\x00\x1b",
    "homograph": "https://nbcnеws.com/",  # a Cyrillic "е"
}


@dataclass(frozen=True)
class Sink:
    id: str
    kind: str  # what safe_url kind the value is checked as
    put: Callable[[dict[str, Any], str], None]
    field: str = ""  # the field path a refusal names ("" for sinks outside the edition)
    recipient: str = ""  # a Recipient field instead of an edition field


def at(path: str) -> Callable[[dict[str, Any], str], None]:
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]

    def put(data: dict[str, Any], value: str) -> None:
        target: Any = data
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value

    return put


def field_path(path: str) -> str:
    return re.sub(r"\.(\d+)", r"[\1]", path)


EDITION_SINKS = [
    ("logo", "image", "newsletter.brand.logo.src"),
    ("dark-logo", "image", "newsletter.brand.logo.dark_src"),
    ("web-font", "font-css", "newsletter.brand.fonts.web_fonts.Roboto"),
    ("brand-link", "link", "newsletter.url"),
    ("unsubscribe", "link", "newsletter.footer.unsubscribe_url"),
    ("preferences", "link", "newsletter.footer.preferences_url"),
    ("view-in-browser", "link", "newsletter.footer.view_in_browser_url"),
    ("signup", "link", "newsletter.footer.signup_url"),
    ("article", "link", "articles.0.url"),
    ("image", "image", "articles.0.image.src"),
    ("author", "link", "articles.0.authors.0.url"),
    ("related", "link", "articles.0.related.0.url"),
]
SINKS = [Sink(name, kind, at(path), field_path(path)) for name, kind, path in EDITION_SINKS] + [
    # a quote in a body URL ends the attribute in the body's own HTML: nh3 cleans what follows
    Sink("body-link", "link", lambda d, v: d["articles"][0].update(body=f'<p><a href="{v}">x</a> y</p>'),
         "articles[0].body"),
    Sink("body-image", "image", lambda d, v: d["articles"][0].update(body=f'<p><img src="{v}" alt="x"> y</p>'),
         "articles[0].body"),
    Sink("recipient-unsubscribe", "link", lambda d, v: None, recipient="unsubscribe_url"),
    Sink("recipient-preferences", "link", lambda d, v: None, recipient="preferences_url"),
    Sink("link-params", "param", lambda d, v: None, recipient="link_params"),
    Sink("utm-campaign", "param", lambda d, v: None),
]


def shape(html: str) -> dict[str, Any]:
    """What a hostile URL must never change: scripts, handlers, links, style blocks and their CSS rules."""
    root = lxml.html.document_fromstring(html)
    handlers = [f"{el.tag}@{name}" for el in root.iter() if isinstance(el.tag, str)
                for name in el.attrib if name.lower().startswith("on")]
    rules = []
    for style in root.iter("style"):
        sheet = cssutils.parseString(style.text or "", validate=False)
        rules.append([(r.type, getattr(r, "selectorText", None) or getattr(getattr(r, "media", None), "mediaText", None))
                      for r in sheet])
    return {"script": len(root.xpath("//script")), "handlers": handlers, "link": len(root.xpath("//link")),
            "style": len(root.xpath("//style")), "rules": rules,
            "elements": sum(1 for el in root.iter() if isinstance(el.tag, str))}


def urls_in(html: str) -> list[str]:
    """Every URL in the parsed document: href and src attributes, and CSS @import."""
    root = lxml.html.document_fromstring(html)
    found = [v for el in root.iter() if isinstance(el.tag, str) for k, v in el.attrib.items() if k in ("href", "src")]
    for style in root.iter("style"):
        found += re.findall(r"@import url\(([^)]*)\)", style.text or "")
    return found


BASE_DATA = expand(BASE)
BASE_SHAPE = shape(mailkit.render("breaking", BASE_DATA).html)
ALLOWED = re.compile(r"(?:https://|http://|mailto:|tel:|cid:)[!#-&(-;=?-\[\]_a-z~]+")


DEFAULT = mailkit.RenderOptions()


def render_with(sink: Sink, payload: str, options: mailkit.RenderOptions = DEFAULT) -> mailkit.RenderedEmail:
    data = copy.deepcopy(BASE_DATA)
    sink.put(data, payload)
    if sink.id == "utm-campaign":
        options = mailkit.RenderOptions(strict=options.strict, link_tagging=mailkit.LinkTagging(campaign=payload))
    reader = None
    if sink.recipient == "link_params":
        reader = mailkit.Recipient(email="ana@example.org", link_params={"rid": payload})
    elif sink.recipient:
        reader = mailkit.Recipient(email="ana@example.org", **{sink.recipient: payload})
    return mailkit.render("breaking", data, options, reader)


CASES = [(sink, name) for sink in SINKS for name in PAYLOADS]


def test_every_sink_reaches_the_output() -> None:
    # so that the cases below are not vacuous (an author's url is validated, but no packaged template shows it)
    html = mailkit.render("breaking", BASE_DATA).html
    for name, _, path in EDITION_SINKS:
        value: Any = BASE_DATA
        for part in path.split("."):
            value = value[int(part)] if part.isdigit() else value[part]
        assert name == "author" or value in urls_in(html), name


@pytest.mark.parametrize(("sink", "payload"), CASES, ids=[f"{s.id}-{p}" for s, p in CASES])
def test_a_hostile_url_never_produces_script(sink: Sink, payload: str) -> None:
    value = PAYLOADS[payload]
    try:
        email = render_with(sink, value)
    except mailkit.InvalidFixtureError as err:
        if sink.recipient:  # a Recipient built in Python: refused there, naming the field
            assert str(err).startswith(f"Recipient: {sink.recipient}"), str(err)
            return
        # refused at load time, naming the field
        assert sink.field and str(err).startswith(f"<data>: {sink.field}: "), str(err)
        return
    got = shape(email.html)
    if sink.id.startswith("body"):  # a body may add or lose allowed elements, never anything else
        got["elements"] = BASE_SHAPE["elements"]
    assert got == BASE_SHAPE
    for url in urls_in(email.html):
        assert ALLOWED.fullmatch(url), url
    assert "xn--nbcnws-" in email.html or "nbcnеws" not in email.html  # a homograph only as punycode
    dropped = [w for w in email.warnings if ": dropped <" in w]
    if dropped:  # what was dropped fails strict mode and the check
        with pytest.raises(mailkit.DeliverabilityError, match="dropped"):
            render_with(sink, value, mailkit.RenderOptions(strict=True))
        assert not next(c for c in run_checks(email) if c.name == "nothing dropped").ok
    elif sink.id.startswith("body") and '"' not in value:  # kept: then canonical
        url = resolve_url(html.unescape(value).strip(), BASE_DATA["articles"][0]["url"])
        assert safe_url(url, kind=sink.kind) in urls_in(email.html)
    if sink.recipient == "unsubscribe_url":
        raw = mailkit.message_bytes(email, to="ana@example.org")
        assert raw.isascii()


def test_body_url_with_an_unknown_scheme_is_reported_not_silently_dropped() -> None:
    data = copy.deepcopy(BASE_DATA)
    data["articles"][0]["body"] = '<p><a href="foo:bar">x</a> <a href="Java&#x09;Script:alert(1)">y</a></p>'
    email = mailkit.render("breaking", data)
    dropped = [w for w in email.warnings if ": dropped <" in w]
    assert len(dropped) == 2 and "scheme 'foo'" in dropped[0], dropped
    assert not next(c for c in run_checks(email) if c.name == "nothing dropped").ok


def test_check_command_fails_on_a_dropped_link(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mailkit._cli import main

    data = copy.deepcopy(BASE_DATA)
    data["articles"][0]["body"] = '<p><a href="javascript:alert(1)">x</a></p>'
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "breaking", str(path)])
    assert result.exit_code == 1 and "FAIL  nothing dropped" in result.output
    result = CliRunner().invoke(main, ["render", "breaking", str(path), "--strict", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "javascript" in result.stderr


# --- linear time: the largest allowed input of every field -------------------------------------


def _validators(annotation: Any) -> set[Callable[..., Any]]:
    found = set()
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, pydantic.AfterValidator):
            found.add(meta.func)
    for arg in get_args(annotation):
        found |= _validators(arg)
    return found


def text_fields(model: type[pydantic.BaseModel]) -> list[str]:
    """The fields of ``model`` that are free text (Text or Line), by their validators."""
    text = {models._text, models._line}
    return [name for name, info in model.model_fields.items()
            if (_validators(info.annotation) | {m.func for m in info.metadata if isinstance(m, pydantic.AfterValidator)})
            & text]


def test_the_models_text_fields_are_found() -> None:
    assert "headline" in text_fields(models.Article) and "alt" in text_fields(models.Image)
    assert "editor_note" in text_fields(models.Edition) and "postal_address" in text_fields(models.Footer)


def fill_text(data: Any, model: type[pydantic.BaseModel], value: str) -> None:
    """Set every text field of ``data`` (a fixture dict validated as ``model``), present or not, to ``value``."""
    if not isinstance(data, dict):
        return
    for name in text_fields(model):
        data[name] = value
    for name, info in model.model_fields.items():
        for arg in (info.annotation, *get_args(info.annotation)):
            sub = next((a for a in (arg, *get_args(arg)) if isinstance(a, type) and issubclass(a, pydantic.BaseModel)),
                       None)
            if sub is None or name not in data:
                continue
            items = data[name] if isinstance(data[name], list) else [data[name]]
            for item in items:
                fill_text(item, sub, value)


N = LIMITS.max_field_chars
TEXT_SHAPES = {
    "words": ("lorem ipsum " * N)[:N],
    "abbreviations": ("U.S. " * N)[:N],
    "one-word": "x" * N,
    "entities": ("&amp;&lt;&#8217;" * N)[:N],
    "markup": ("<b>x</b>" * N)[:N],
    "quotes": ('"\'\\' * N)[:N],
    "lines": ("a\n" * N)[:N],
    "urls": ("https://e.example/x " * N)[:N],
}
B = LIMITS.max_body_bytes - 100
BODY_SHAPES = {
    "abbreviations": "<p>" + ("U.S. " * B)[: B - 10] + "</p>",
    "one-word": "<p>" + "x" * (B - 10) + "</p>",
    "tiny-paragraphs": ("<p>a</p>" * B)[:B],
    "links": ('<a href="https://e.example/a?b=c&amp;d=e">x</a> ' * B)[:B],
    "relative-links": ('<a href="/x">x</a>' * B)[:B],
    "distinct-links": "".join(f'<a href="https://e.example/{i}">x</a> ' for i in range(B // 40)),
    "images": ('<img src="https://e.example/i.png" alt="a">' * B)[:B],
    # the text stage replaces each image (and each link without text) by text: 30,000 of them in a
    # row, with text between, made it copy the growing text each time
    "bare-images": ("<img>xxxxx" * B)[:B],
    "empty-links": ("<a></a>xxxxxxx" * B)[:B],
    "nested": (("<blockquote>" * 30 + "x" + "</blockquote>" * 30) * B)[:B],
    "entities": "<p>" + ("&amp;&#8217;&lt;" * B)[: B - 10] + "</p>",
    "colons": "<p>" + ("a:b " * B)[: B - 10] + "</p>",
    "sentences": "<p>" + ("Mr. Smith went. Then he left! " * B)[: B - 10] + "</p>",
}
LINEAR_TEMPLATES = {"breaking": SEED, "special-report": SEED, "digest": FIXTURES / "digest-morning-briefing.yaml"}
# Generous: a linear render of the largest input costs a fraction of it (the worst shape, 37,000
# tiny paragraphs, about 0.6 s); a quadratic path (the preheader's abbreviations, the text stage's
# runs of links) took from several seconds to minutes. CPU time, not wall time: these machines are
# shared, and a render waiting for a core is not a slow render.
SECONDS = 2.0


def timed_render(template: str, data: dict[str, Any]) -> float:
    start = time.process_time()
    try:
        mailkit.render(template, data)
    except mailkit.MailkitError:
        pass  # refusing is fine; taking long is not
    return time.process_time() - start


@pytest.mark.parametrize("template", LINEAR_TEMPLATES)
@pytest.mark.parametrize("text", TEXT_SHAPES)
def test_every_text_field_at_its_limit_renders_in_linear_time(template: str, text: str) -> None:
    data = yaml.safe_load(LINEAR_TEMPLATES[template].read_text(encoding="utf-8"))
    fill_text(data, models.Edition, TEXT_SHAPES[text])
    data["newsletter"]["brand"] = "nbc-news"
    for article in data["articles"]:
        article.pop("body", None)  # the body has its own test
    mailkit.load_edition(data)  # every field holds the value: it is valid
    assert timed_render(template, data) < SECONDS


@pytest.mark.parametrize("template", LINEAR_TEMPLATES)
@pytest.mark.parametrize("body", BODY_SHAPES)
def test_the_body_at_its_limit_renders_in_linear_time(template: str, body: str) -> None:
    data = yaml.safe_load(LINEAR_TEMPLATES[template].read_text(encoding="utf-8"))
    data["articles"][0]["body"] = BODY_SHAPES[body]
    data["articles"][0].pop("dek", None)  # the preheader comes from the body
    data["articles"][0].pop("summary", None)
    assert timed_render(template, data) < SECONDS
