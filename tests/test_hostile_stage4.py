"""Hostile and broken inputs for what session 9's inline and text stages changed, each with its outcome.

The inline stage keeps one HTML parser per thread (not one a document), reads
class attributes without tabs or line breaks as they are, and finds the rules
``X .c ...`` among the elements with a class under X; the text stage skips a
whitespace-only text run's collapse. Each case below either renders as the
stock path does or fails with a named :class:`mailkit.MailkitError`.
"""

from __future__ import annotations

import threading
from typing import Any

import lxml.etree
import pytest
import yaml
from conftest import SEED

import mailkit
from mailkit import _inline, _premailer
from mailkit._errors import InliningError

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _body(html: str) -> dict[str, Any]:
    data = {**BASE, "articles": [{**BASE["articles"][0], "body": html}]}
    return data


@pytest.mark.parametrize("html", ["", "   \n\t ", "<!-- only a comment -->"])
def test_a_document_with_nothing_to_parse_is_a_named_error_and_the_kept_parser_stays_usable(html: str) -> None:
    # libxml2 makes no root of it (lxml returns None, with a kept parser as with a new one)
    # named for what it is (it was "CSS inlining failed: AttributeError: 'NoneType' ...")
    with pytest.raises(InliningError, match="nothing to parse"):
        _inline.inline_document(html)
    good = "<!doctype html><html><head><title>t</title></head><body><p>x</p></body></html>"
    kept = lxml.etree.tostring(_inline.parse_html(good), method="html", encoding="unicode")
    fresh = lxml.etree.tostring(lxml.etree.fromstring(good, lxml.etree.HTMLParser()), method="html",
                                encoding="unicode")
    assert kept == fresh and "<p>x</p>" in kept


@pytest.mark.parametrize("html", ["\x00", "<html><body><p>unclosed<div><table><td>x</p></html>",
                                  "<p>" * 5000, "<html><head><style>p{color:red}</style><body><p a=\"<!--\">x"])
def test_broken_markup_parses_with_the_kept_parser_as_with_a_new_one(html: str) -> None:
    # one after another on the same thread: nothing of one document's parse carries to the next
    for _ in range(2):
        kept = lxml.etree.tostring(_inline.parse_html(html), method="html", encoding="unicode")
        fresh = lxml.etree.tostring(lxml.etree.fromstring(html.strip(), lxml.etree.HTMLParser()), method="html",
                                    encoding="unicode")
        assert kept == fresh


def test_renders_in_threads_each_with_its_own_kept_parser_give_the_same_bytes() -> None:
    expected = mailkit.render("breaking", BASE)
    seen: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(8):
                email = mailkit.render("breaking", BASE)
                seen.append((email.html, email.text))
        except Exception as err:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(seen) == 32 and set(seen) == {(expected.html, expected.text)}


@pytest.mark.parametrize("classes", ["mk-credit\tx", "x\nmk-credit", "\rmk-credit ", "mk-credit\x0cx",
                                     "mk-credit\u00a0x", "mk-credit\u2028"])
def test_class_attributes_with_odd_spaces_match_as_in_stock_premailer(classes: str) -> None:
    # the loop reads a class attribute without tab or line break as it is and translates the others;
    # XPath's normalize-space() splits on tab, CR, LF and space only (not form feed, NBSP, U+2028)
    from test_premailer_fast import _both

    css = ("td.mk-text .mk-credit { color: red } td.mk-text .mk-credit a { color: blue }"
           " td.mk-text p.mk-credit { margin: 0 } td.x .mk-credit { padding: 0 }")
    body = (f'<table><tr><td class="mk-text"><p class="{classes}">a <a>b</a></p>'
            f'<div class="{classes}"><span><a>c</a></span></div></td>'
            f'<td class="x\tmk-text"><p class="{classes}">d</p></td></tr></table>')
    fast, stock = _both(f"<html><head><style>{css}</style></head><body>{body}</body></html>")
    assert fast == stock


def test_a_rule_on_classes_under_an_anchor_with_an_escaped_or_quoted_class_is_evaluated_as_stock() -> None:
    from test_premailer_fast import _both

    css = (r"td.mk-text .a\.b { color: red } td.mk-text .c\'d a { color: blue } td.mk-text .e\"f { margin: 0 }")
    body = ('<table><tr><td class="mk-text"><p class="a.b">1</p><p class="c\'d"><a>2</a></p>'
            '<p class=\'e"f\'>3</p></td></tr></table>')
    fast, stock = _both(f"<html><head><style>{css}</style></head><body>{body}</body></html>")
    assert fast == stock and fast.count("color:red") == 1 and fast.count("color:blue") == 1
    assert _premailer._analysed(r"td.mk-text .c\'d a")[2] is not None


@pytest.mark.parametrize("text", ["\u00a0\u00a0", "\u3000", " \t\n ", "\u2028\u2029"])
def test_a_body_whose_paragraphs_hold_only_unicode_spaces_renders_its_text_as_before(text: str) -> None:
    # whitespace-only runs only note a pending space; nothing of them reaches the text part
    body = f"<p>One.</p><p>{text}</p><p>Two<b>{text}</b>three.</p>"
    email = mailkit.render("breaking", _body(body))
    assert "One." in email.text and "Two three." in email.text
