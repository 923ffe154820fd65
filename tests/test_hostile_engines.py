"""Engines passed by the caller: a third inliner or text engine works end to end; a broken one is a named error.

Each case: what is passed, and what comes out: a render, or a ``MailkitError``
subclass naming the option or the engine (never a traceback from inside the
pipeline). The stock engines' own hostile inputs are in test_hostile_input.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.etree
import pytest

import mailkit
from mailkit._inline import InlineEngine, InlineOptions, inline_document, parse_html
from mailkit._text import TextEngine, TextOptions

FIXTURE = Path("fixtures/breaking-minimal-no-image.yaml")


class Verbatim:
    """A toy third inliner: leaves the CSS in <style> and marks the body so the test sees it ran."""

    name = "verbatim"

    def __init__(self) -> None:
        self.calls = 0

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        self.calls += 1
        tree = parse_html(html)
        tree.find("body").set("data-engine", "verbatim")
        return "<!doctype html>\n" + lxml.etree.tostring(tree, method="html", encoding="unicode"), tree


class Headline:
    """A toy text engine: the first heading of the document, then a fixed line."""

    name = "headline"

    def lines(self, root: Any, options: TextOptions) -> list[tuple[str, str]]:
        heading = next(iter(root.iter("h1", "h2")), None)
        title = " ".join("".join(heading.itertext()).split()) if heading is not None else ""
        return [("heading1", title), ("text", "Read it online.")]


def test_a_third_inliner_passed_as_an_object_renders_end_to_end() -> None:
    engine = Verbatim()
    assert isinstance(engine, InlineEngine)
    email = mailkit.render("breaking", FIXTURE, mailkit.RenderOptions(inliner=engine))
    assert engine.calls == 1 and 'data-engine="verbatim"' in email.html
    assert email.text.strip() and email.subject
    # the same through a mapping of options, through prepare/personalize, and inline_document
    again = mailkit.render("breaking", FIXTURE, {"inliner": engine})
    assert again.html == email.html
    reader = mailkit.Recipient(email="reader@example.org", first_name="Ada")
    assert mailkit.prepare("breaking", FIXTURE, {"inliner": engine}).personalize(reader).html == \
        mailkit.render("breaking", FIXTURE, {"inliner": engine}, recipient=reader).html
    html, tree = inline_document("<html><body><p>x</p></body></html>", engine)
    assert tree.find("body").get("data-engine") == "verbatim" and html.startswith("<!doctype html>")


def test_a_third_text_engine_passed_as_an_object_renders_end_to_end() -> None:
    engine = Headline()
    assert isinstance(engine, TextEngine)
    email = mailkit.render("breaking", FIXTURE, mailkit.RenderOptions(text_engine=engine))
    title = email.text.splitlines()[0]
    assert title and email.text.splitlines()[1] == "=" * len(title)
    assert email.text.rstrip().endswith("Read it online.")
    assert mailkit.render("breaking", FIXTURE, {"text_engine": "html2text"}).text == mailkit.render("breaking", FIXTURE).text


class Raising:
    name = "raising"

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        raise RuntimeError("engine exploded")

    def lines(self, root: Any, options: TextOptions) -> list[tuple[str, str]]:
        raise KeyError("lines exploded")


class Shapeless:
    name = "shapeless"

    def __init__(self, result: Any) -> None:
        self.result = result

    def inline(self, html: str, options: InlineOptions) -> Any:
        return self.result

    def lines(self, root: Any, options: TextOptions) -> Any:
        return self.result


class Named:
    name = "named"

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        raise mailkit.InliningError("the named engine refuses this document")


@pytest.mark.parametrize(("options", "error", "message"), [
    ({"inliner": "fastest"}, mailkit.OptionsError, r"options\.inliner: unknown inliner 'fastest': choose one of premailer, css-inline"),
    ({"inliner": 42}, mailkit.OptionsError, r"options\.inliner: unknown inliner 42"),
    ({"inliner": None}, mailkit.OptionsError, r"options\.inliner: unknown inliner None"),
    ({"inliner": object()}, mailkit.OptionsError, r"options\.inliner: .*a 'name' and an inline\(html, options\) method"),
    ({"inliner": Headline()}, mailkit.OptionsError, r"options\.inliner: unknown inliner"),  # a text engine
    ({"text_engine": "pandoc"}, mailkit.OptionsError, r"options\.text_engine: unknown text engine 'pandoc': choose one of html2text"),
    ({"text_engine": Verbatim()}, mailkit.OptionsError, r"options\.text_engine: .*a 'name' and a lines\(root, options\) method"),
])
def test_an_engine_option_that_is_no_engine_is_an_options_error(options: dict[str, Any], error: type[Exception],
                                                                 message: str) -> None:
    with pytest.raises(error, match=message):
        mailkit.RenderOptions(**options)
    with pytest.raises(error, match=message):
        mailkit.render("breaking", FIXTURE, options)


@pytest.mark.parametrize(("engine", "message"), [
    (Raising(), r"the 'raising' inliner failed: RuntimeError: engine exploded"),
    (Shapeless("<html></html>"), r"the 'shapeless' inliner returned str, not \(html, the parsed document"),
    (Shapeless(("<html></html>", "not a tree")), r"the 'shapeless' inliner returned tuple, not"),
    (Shapeless((b"<html></html>", parse_html("<html></html>"))), r"the 'shapeless' inliner returned tuple, not"),
    (Shapeless(None), r"the 'shapeless' inliner returned NoneType"),
])
def test_a_broken_inliner_is_an_inlining_error_naming_it(engine: Any, message: str) -> None:
    with pytest.raises(mailkit.InliningError, match=message) as info:
        mailkit.render("breaking", FIXTURE, {"inliner": engine})
    if isinstance(engine, Raising):
        assert isinstance(info.value.__cause__, RuntimeError)


def test_an_inliners_own_mailkit_error_passes_through_as_it_is() -> None:
    with pytest.raises(mailkit.InliningError, match=r"^the named engine refuses this document$"):
        mailkit.render("breaking", FIXTURE, {"inliner": Named()})


@pytest.mark.parametrize(("engine", "message"), [
    (Raising(), r"the 'raising' text engine failed: KeyError: 'lines exploded'"),
    (Shapeless("text"), r"the 'shapeless' text engine returned str, not a list of lines"),
    (Shapeless([("text", "ok"), ("bold", "x")]), r"the 'shapeless' text engine's line 1 is \('bold', 'x'\), not \(kind, text\)"),
    (Shapeless([("text", None)]), r"line 0 is \('text', None\)"),
    (Shapeless(["just a string"]), r"line 0 is 'just a string'"),
])
def test_a_broken_text_engine_is_a_text_error_naming_it(engine: Any, message: str) -> None:
    with pytest.raises(mailkit.TextError, match=message):
        mailkit.render("breaking", FIXTURE, {"text_engine": engine})
