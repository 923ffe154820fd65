"""Compile, inline and the offline guarantee: MRML and premailer behaviours pinned."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from conftest import SEED, matrix, pair_id, rendered
from hypothesis import example, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._compile import CompileOptions, compile_mjml
from mailkit._inline import inline_css

MJML = """<mjml><mj-head><mj-attributes><mj-all font-family="Roboto, Arial" /></mj-attributes></mj-head>
<mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column><mj-column><mj-text>There</mj-text></mj-column></mj-section></mj-body></mjml>"""


def test_no_google_fonts_unless_asked() -> None:
    # MRML links Google Fonts whenever a font-family names Roboto, Open Sans ...
    assert "fonts.googleapis.com" not in compile_mjml(MJML)
    asked = compile_mjml(MJML, CompileOptions(web_fonts={"Roboto": "https://fonts.example.com/roboto.css"}))
    assert "https://fonts.example.com/roboto.css" in asked


def test_compile_error_has_line_and_column() -> None:
    with pytest.raises(mailkit.MjmlCompileError) as info:
        compile_mjml("<mjml>\n<mj-body>\n  <mj-include path=\"missing.mjml\" />\n</mj-body></mjml>")
    assert "missing.mjml" in str(info.value)


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../etc/passwd", "partials/../../../etc/hostname"])
def test_mj_include_outside_template_folders_is_refused(path: str) -> None:
    source = f'<mjml><mj-body><mj-include path="{path}" /></mj-body></mjml>'
    with pytest.raises(mailkit.MjmlCompileError, match=r"refused|no such file"):
        compile_mjml(source)


def test_mj_include_inside_template_folder_works(tmp_path: Path) -> None:
    (tmp_path / "part.mjml").write_text("<mj-section><mj-column><mj-text>Included</mj-text></mj-column></mj-section>")
    html = compile_mjml('<mjml><mj-body><mj-include path="part.mjml" /></mj-body></mjml>',
                        CompileOptions(extra_dirs=(tmp_path,)))
    assert "Included" in html


def test_malformed_mjml_is_a_mailkit_error() -> None:
    with pytest.raises(mailkit.MjmlCompileError):
        compile_mjml("<mjml><mj-body><mj-text>")


def test_inline_keeps_media_queries_important_and_doctype() -> None:
    html = inline_css(compile_mjml(MJML))
    assert html.startswith("<!doctype html>")
    assert "@media only screen and (min-width:480px)" in html
    assert "width:50% !important" in html
    assert 'style="' in html


def test_inline_never_fetches_stylesheets(monkeypatch: pytest.MonkeyPatch) -> None:
    html = compile_mjml(MJML).replace("</head>", '<link rel="stylesheet" href="https://example.com/x.css"></head>')
    called = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: called.append(a))
    inline_css(html)
    assert not called


def test_render_with_network_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for template in ("breaking", "special-report"):
        email = mailkit.render(template, SEED)
        assert "Read" in email.html


def test_render_is_deterministic() -> None:
    a = mailkit.render("breaking", SEED)
    b = mailkit.render("breaking", SEED)
    assert (a.mjml, a.html, a.text) == (b.mjml, b.html, b.text)


def test_cssutils_logging_adds_no_handlers() -> None:
    import cssutils

    before = len(cssutils.log._log.handlers)
    mailkit.render("breaking", SEED)
    mailkit.render("breaking", SEED)
    assert len(cssutils.log._log.handlers) == before


def test_rendering_reads_no_files_outside_template_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from mailkit._fixtures import load_edition
    from mailkit._paths import TEMPLATES_DIR

    edition = load_edition(SEED)
    real_open = builtins.open
    opened: list[str] = []

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    mailkit.render("breaking", edition)
    outside = [p for p in opened if not Path(p).resolve().is_relative_to(TEMPLATES_DIR)]
    assert outside == []


def test_renders_in_threads_equal_renders_in_sequence() -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [("breaking", SEED), ("digest", Path("fixtures/digest-morning-briefing.yaml")),
            ("special-report", Path("fixtures/special-report-inside-the-indictment.yaml"))] * 4
    alone = [mailkit.render(t, f) for t, f in jobs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda job: mailkit.render(*job), jobs))
    assert [(e.html, e.text) for e in together] == [(e.html, e.text) for e in alone]


def _meaning(html: str) -> list[tuple[object, ...]]:
    # what a client reads: every element's tag, attributes, text and tail
    # (<style> text included: CSS does not decode references, so it must not change)
    import lxml.html
    return [(el.tag, dict(el.attrib), el.text, el.tail) for el in lxml.html.document_fromstring(html).iter()]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
       st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20))
@example("You’re “here” — 🚨 界", "héllo ͏\u200c")
def test_narrow_changes_bytes_not_meaning(text: str, css: str) -> None:
    from html import escape

    from mailkit._inline import narrow

    css = css.replace("<", "")  # a "</style" inside <style> would end it
    html = (f'<html><head><title>{escape(text)}</title><style>p {{ content: "{css}" }}</style></head>'
            f'<body><p title="{escape(text)}">{escape(text)}</p><!-- {text.replace("-", "")} --></body></html>')
    out = narrow(html)
    assert _meaning(out) == _meaning(html)
    outside = html[: html.index("<style>")] + html[html.index("</style>"):]
    extra = len(outside.encode("latin-1", "xmlcharrefreplace")) - len(outside)
    if extra <= len(html) / 20:  # outside <style>, nothing beyond Latin-1 is left
        out_outside = out[: out.index("<style>")] + out[out.index("</style>"):]
        assert all(ord(c) < 256 for c in out_outside)
        assert out[out.index("<style>"): out.index("</style>")] == html[html.index("<style>"): html.index("</style>")]
    else:  # mostly beyond Latin-1: left as UTF-8
        assert out == html


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_english_email_html_is_latin_1_and_means_the_same(pair) -> None:  # type: ignore[no-untyped-def]
    # the snapshot's own bytes are pinned elsewhere; here: the references are
    # only where the text goes beyond Latin-1, and only for a mostly-Latin email
    import lxml.html

    from mailkit._inline import narrow

    email = rendered(*pair)
    if email.edition.lang == "ar":
        assert "ا" in email.html  # Arabic stays UTF-8: smaller, and readable in a diff
    elif email.edition.lang.split("-")[0] in ("he", "fa", "ja", "zh", "hi", "th"):
        assert max(map(ord, email.html)) > 0x590  # so does every script beyond Latin (the language fixtures)
    elif pair[1].stem not in ("breaking-long-headline-emoji",  # that one is Greek, Cyrillic, Chinese ...
                              "digest-languages-and-images",  # Arabic and Hebrew stories
                              "digest-world-scripts"):  # Korean, Bengali, Greek, Urdu ...
        assert max(map(ord, email.html)) < 256
    doc = lxml.html.document_fromstring(email.html)
    assert "&#" not in "".join(doc.xpath("//style/text()"))
    assert narrow(email.html) == email.html  # idempotent
