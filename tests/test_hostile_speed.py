"""Hostile and broken input for the CSS inlining engines (premailer, css-inline).

Each case: an input, and its outcome with either engine: renders safely (and
the same way), or fails with an InliningError naming what went wrong.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from conftest import INLINERS

import mailkit
from mailkit._compile import compile_mjml
from mailkit._inline import inline_document

pytest.importorskip("css_inline")


def mjml(css: str, head: str = "") -> str:
    return (f"<mjml><mj-head>{head}<mj-style>{css}</mj-style></mj-head><mj-body><mj-section><mj-column>"
            "<mj-text css-class='a'>Hi</mj-text></mj-column></mj-section></mj-body></mjml>")


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every path asked of it."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b".a { color: #123456 }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("inliner", INLINERS)
def test_an_import_or_a_stylesheet_link_is_never_fetched(inliner: str, counting_server: tuple[str, list[str]]) -> None:
    # input: CSS that asks for a remote stylesheet, and a <link> to one in the head
    # outcome: rendered offline, nothing requested, the remote CSS not applied
    base, asked = counting_server
    html = compile_mjml(mjml(f"@import url({base}/imported.css); .b {{ color: red }}"))
    html = html.replace("</head>", f'<link rel="stylesheet" href="{base}/linked.css"></head>')
    result, _ = inline_document(html, inliner)
    assert asked == []
    assert "#123456" not in result


@pytest.mark.parametrize("css", ["}}}{{{ .a { color: red", ".a:::nope, td[[ { color: red } .a { color: blue }",
                                 "@media (max-width:) { .a { color: red } }", ".a { color: red !important !important }"],
                         ids=["unbalanced", "bad-selectors", "bad-media", "double-important"])
def test_broken_css_renders_the_same_with_both_engines(css: str) -> None:
    # input: a template's broken CSS; outcome: both engines render, and agree
    # on whether a rule reached the cell
    html = compile_mjml(mjml(css))
    results = [inline_document(html, inliner)[0] for inliner in INLINERS]
    assert all(r.startswith("<!doctype html>\n") for r in results)
    assert len({("color" in r.split('class="a"', 1)[1].split(">", 1)[0]) for r in results}) == 1


def test_an_unknown_inliner_fails_before_rendering_anything() -> None:
    # input: RenderOptions(inliner="premailer ") (a stray space); outcome: OptionsError naming the option
    # and the choices, when the options are made
    with pytest.raises(mailkit.OptionsError, match=r"options\.inliner: unknown inliner 'premailer ': choose one of premailer, css-inline"):
        mailkit.render("breaking", "fixtures/breaking-minimal-no-image.yaml",
                       mailkit.RenderOptions(inliner="premailer "))  # type: ignore[arg-type]
