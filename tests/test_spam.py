"""What spam filters see: the hidden preheader, and SpamAssassin's local score of every render.

SpamAssassin runs with local tests only (no network) on the complete message
as sent; .ci/run installs Debian's spamassassin, and there (MAILKIT_REQUIRE_BROWSER)
a missing spamassassin fails these tests instead of skipping them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from pathlib import Path

import lxml.html
import mjml
import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED, THEMES, matrix, pair_id, rendered

import mailkit
from mailkit._checks import run_checks, spam_check
from mailkit._cli import main
from mailkit._compile import MRML_PREVIEW_STYLE, PREVIEW_STYLE
from mailkit._spam import SPAM_SCORE_LIMIT, SpamReport, _parse, spam_message, spam_reports, spamassassin_path

CASES = [(template, fixture, theme) for template, fixture in matrix() for theme in THEMES]


def require_spamassassin() -> None:
    if spamassassin_path() is None:
        if os.environ.get("MAILKIT_REQUIRE_BROWSER"):
            pytest.fail("spamassassin is not installed (apt-get install -y spamassassin)")
        pytest.skip("spamassassin is not installed")


@functools.cache
def reports() -> dict[tuple[str, Path, str], SpamReport]:
    # one SpamAssassin run for the whole matrix: Perl and the rules load once (~5 s in all)
    found = spam_reports([spam_message(rendered(*case)) for case in CASES])
    assert found is not None
    return dict(zip(CASES, found, strict=True))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_every_render_scores_at_most_half_a_point(pair: tuple[str, Path], theme: str) -> None:
    require_spamassassin()
    report = reports()[(*pair, theme)]
    assert report.score <= SPAM_SCORE_LIMIT, f"SpamAssassin: {report.summary()}; all rules: {report.rules}"


def with_preheader_style(email: mailkit.RenderedEmail, style: str) -> mailkit.RenderedEmail:
    assert PREVIEW_STYLE in email.html
    return dataclasses.replace(email, html=email.html.replace(PREVIEW_STYLE, style, 1))


def test_the_filter_scores_the_old_preheader_hiding() -> None:
    # MRML's white 1px preheader cost every message 0.7 points; white removed,
    # the 1px font alone trips FONT_INVIS_MSGID (1.0): why PREVIEW_STYLE has neither
    require_spamassassin()
    seed = rendered("breaking", SEED)
    styles = [MRML_PREVIEW_STYLE, MRML_PREVIEW_STYLE.replace("color:#ffffff;", ""), PREVIEW_STYLE]
    old, no_white, ours = spam_reports([spam_message(with_preheader_style(seed, s)) for s in styles]) or []
    assert "HTML_FONT_LOW_CONTRAST" in dict(old.rules) and old.score > SPAM_SCORE_LIMIT
    assert "FONT_INVIS_MSGID" in dict(no_white.rules) and no_white.score > SPAM_SCORE_LIMIT
    assert ours.score <= SPAM_SCORE_LIMIT, ours.summary()


def test_mrml_still_writes_the_preview_we_restyle() -> None:
    # pins MRML's <mj-preview> output: when an upgrade changes it, compile.py's
    # restyling must change too (else the white 1px text comes back unnoticed)
    html = mjml.mjml2html("<mjml><mj-head><mj-preview>Hi</mj-preview></mj-head><mj-body></mj-body></mjml>")
    assert re.search(r'<body\b[^>]*><div style="' + re.escape(MRML_PREVIEW_STYLE) + '">Hi</div>', html)


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_preheader_is_hidden_without_tricks_and_is_the_inbox_preview(pair: tuple[str, Path]) -> None:
    email = rendered(*pair)
    body = lxml.html.document_fromstring(email.html).find("body")
    assert body is not None
    first = body[0]
    style = first.get("style", "")
    assert style == PREVIEW_STYLE
    assert "color" not in style and "font-size" not in style and "line-height" not in style
    # hidden in every client: display:none (Gmail, Apple Mail, Outlook.com),
    # mso-hide:all (Outlook on Windows), a zero box for a client that drops both
    for declaration in ("display:none", "mso-hide:all", "max-height:0px", "overflow:hidden", "opacity:0"):
        assert declaration in style
    # an inbox shows the first text of the body: the preheader, then only filler
    assert body.text is None or not body.text.strip()
    # (a non-joiner between two letters is a Persian word's own, not filler)
    shown = re.sub("(?:[\u034f\u00a0 ]|(?<!\\w)\u200c|\u200c(?!\\w))+", " ", first.text_content()).strip()
    assert shown == email.preheader


@pytest.mark.browser
@pytest.mark.parametrize("theme", THEMES)
def test_preheader_is_invisible_in_chromium(browser, theme: str) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["preheader"] = "A preheader seen only in the inbox list, never in the email itself"
    email = mailkit.render("breaking", data, mailkit.RenderOptions(theme=theme))
    page = browser.new_page(viewport={"width": 600, "height": 800})
    try:
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http") else route.continue_())
        # as sent, and as a client that drops display:none would show it
        for sent, html in ((True, email.html), (False, email.html.replace("display:none;max-height", "max-height", 1))):
            page.set_content(html)
            box = page.evaluate("""() => { const d = document.body.firstElementChild;
                const r = d.getBoundingClientRect(); const s = getComputedStyle(d);
                return {w: r.width, h: r.height, opacity: s.opacity, text: d.textContent}; }""")
            assert box["w"] == 0 and box["h"] == 0 and box["opacity"] == "0", box
            assert email.preheader[:40] in box["text"]
            if sent:  # innerText leaves out what is not rendered at all
                assert email.preheader[:40] not in page.evaluate("() => document.body.innerText")
    finally:
        page.close()


def test_reports_come_back_in_the_order_given() -> None:
    # spamassassin --mbox writes messages back in an order of its own
    require_spamassassin()
    seed = rendered("breaking", SEED)
    old, ours = (spam_message(with_preheader_style(seed, s)) for s in (MRML_PREVIEW_STYLE, PREVIEW_STYLE))
    scores = [r.score for r in spam_reports([ours, old, ours, old, old]) or []]
    assert scores == [0.0, 0.7, 0.0, 0.7, 0.7]


def test_report_parsing() -> None:
    report = _parse("0.7 HTML_FONT_LOW_CONTRAST=0.713,HTML_MESSAGE=0.001,\n\tNO_RECEIVED=-0.001,NO_RELAYS=-0.001")
    assert report.score == 0.7
    assert report.rules == (("HTML_FONT_LOW_CONTRAST", 0.713), ("HTML_MESSAGE", 0.001), ("NO_RECEIVED", -0.001),
                            ("NO_RELAYS", -0.001))
    assert report.summary() == "0.7 points (local tests): HTML_FONT_LOW_CONTRAST 0.713"
    assert _parse("-0.0 HTML_MESSAGE=0.001").summary() == "0.0 points (local tests): no scoring rules fired"


def test_not_installed_is_said_not_passed_silently(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mailkit._spam.spamassassin_path", lambda: None)
    assert spam_reports([b"x"]) is None
    line = [c for c in run_checks(rendered("breaking", SEED), spam=True) if c.name == "spam score"]
    assert line and line[0].detail.startswith("not run: SpamAssassin is not installed")


def test_a_failing_spamassassin_is_a_mailkit_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mailkit._spam.spamassassin_path", lambda: "/bin/false")
    with pytest.raises(mailkit.SpamCheckError, match="spamassassin scored 0 of 1 messages"):
        spam_reports([spam_message(rendered("breaking", SEED))])


def test_check_reports_score_and_rules() -> None:
    require_spamassassin()
    result = CliRunner().invoke(main, ["check", "breaking", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    checks = {c["name"]: c for c in json.loads(result.stdout)["results"][0]["checks"]}
    assert checks["spam score"]["ok"] and checks["spam score"]["detail"].startswith("0.0 points (local tests)")
    # a failing score fails the check and names the rules
    bad = spam_check(SpamReport(0.7, (("HTML_FONT_LOW_CONTRAST", 0.713), ("HTML_MESSAGE", 0.001))))
    assert not bad.ok and "HTML_FONT_LOW_CONTRAST 0.713" in bad.detail


def test_preview_page_shows_the_spam_score() -> None:
    require_spamassassin()
    from mailkit._preview import PreviewServer

    server = PreviewServer([], [])
    status, page = server.render_page("breaking", SEED.name)
    # the page does not wait for SpamAssassin: it fetches the line
    # (by the page's one script, which the preview's CSP allows; an inline one would be blocked)
    assert status == 200 and f"<p id='spam' data-src='/spam/breaking/{SEED.name}'>" in page.decode()
    status, line = server.spam("breaking", SEED.name)
    assert status == 200
    assert line.decode().startswith("Spam score (SpamAssassin): 0.0 points (local tests)"), line


@pytest.mark.browser
def test_preview_page_fills_in_the_spam_score(browser) -> None:  # type: ignore[no-untyped-def]
    require_spamassassin()
    import socket

    from mailkit._preview import PreviewServer, serve

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    httpd = serve(PreviewServer([], []), port=port)
    page = browser.new_page()
    try:
        base = f"http://127.0.0.1:{port}"
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        page.goto(f"{base}/render/breaking/{SEED.name}")
        # a locator, not wait_for_function: the page's CSP allows no eval, which that uses
        page.locator("#spam", has_text="points").wait_for(timeout=30_000)
        assert "no scoring rules fired" in page.inner_text("#spam")
    finally:
        page.close()
        httpd.shutdown()
        httpd.server_close()


def test_a_template_of_ones_own_gets_the_same_hidden_preheader(tmp_path: Path) -> None:
    # the restyling is in the compile stage, not the layout: a template that
    # writes its own <mj-preview> without extending base.mjml.j2 gets it too
    (tmp_path / "bare.mjml.j2").write_text(
        "{# bare #}\n<mjml><mj-head><mj-preview>{{ preheader }}</mj-preview></mj-head><mj-body><mj-section>"
        "<mj-column><mj-text>{{ article.headline }}</mj-text></mj-column></mj-section></mj-body></mjml>\n",
        encoding="utf-8")
    email = mailkit.render("bare", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))
    assert f'<div style="{PREVIEW_STYLE}">' in email.html and MRML_PREVIEW_STYLE not in email.html
