"""Warnings as data: every warning a render gives has a registered code, its field and template.

Each code in ``WARNING_CODES`` has a case below that makes a render give it (a test
checks that no code is left without one), and each rendered warning of every
template x fixture has a registered code.
"""

from __future__ import annotations

import ast
import copy
import json
import pickle
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SEED, matrix, pair_id, rendered

import mailkit
from mailkit import WARNING_CODES, RenderOptions, RenderWarning
from mailkit import _editions as editions
from mailkit._checks import deliverability_warnings, run_checks
from mailkit._cli import main
from mailkit._warning import warning_table

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _render(change: Callable[[dict[str, Any]], None], template: str = "breaking") -> mailkit.RenderedEmail:
    data = copy.deepcopy(BASE)
    change(data)
    return mailkit.render(template, data)


def _body(html: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["articles"][0]["body"] = html
    return change


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data.update(values)
    return change


def _story_language(data: dict[str, Any]) -> None:
    data["articles"][0]["language"] = "sw"


def _image_without_size(data: dict[str, Any]) -> None:
    data["articles"][0]["image"].pop("width", None)
    data["articles"][0]["image"].pop("height", None)


def _long_body(data: dict[str, Any]) -> None:
    # about 140 KB of HTML: over Gmail's clip, under the body limit
    data["articles"][0]["body"] = "<p>The council met again on Tuesday to argue about the budget.</p>" * 2000


def _deliverability(change: Callable[[mailkit.RenderedEmail], mailkit.RenderedEmail]) -> Callable[[], list[Any]]:
    # what the templates never make (a 16 KB <style>, an <img> without alt) checked on an email changed after render
    return lambda: deliverability_warnings(change(mailkit.render("breaking", BASE)))


FEEDS = FIXTURES / "feeds"


def _rss(*items: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
            '<channel><title>T</title><link>https://news.example/</link>'
            + "".join(f"<item>{i}</item>" for i in items) + "</channel></rss>").encode()


def _item(n: int, extra: str = "", date: str = "Tue, 20 May 2014 09:15:00 -0400") -> str:
    return f"<title>Story {n}</title><link>https://news.example/{n}</link><guid>g{n}</guid><pubDate>{date}</pubDate>{extra}"


def _feed(data: bytes | Path, **kwargs: Any) -> Callable[[], list[Any]]:
    def make() -> list[Any]:
        found: list[Any] = []
        mailkit.from_feed(data, newsletter=FEEDS / "newsletter.yaml", on_warning=found.append, **kwargs)
        return found
    return make


def _too_many_entries() -> list[Any]:
    with patch.object(editions, "MAX_FEED_ENTRIES", 2):
        return _feed(_rss(_item(1), _item(2), _item(3)))()


# code -> (how to make it, the field it names, the template)
CASES: dict[str, tuple[Callable[[], Any], str | None]] = {
    "url-dropped": (lambda: _render(_body('<p><a href="javascript:alert(1)">x</a></p>')), "articles[0].body"),
    "element-dropped": (lambda: _render(_body("<p>Text</p><form><input></form>")), "articles[0].body"),
    "link-unwrapped": (lambda: _render(_body('<p><a href="https://www.google.com/url?q=https://example.com/a&amp;sa=D">x</a></p>')),
                       "articles[0].body"),
    "link-text-mismatch": (lambda: _render(_body('<p><a href="https://evil.example/">https://www.nbcnews.com/</a></p>')),
                           "articles[0].body"),
    "link-homograph": (lambda: _render(_body('<p><a href="https://nbcn\u0435ws.com/">x</a></p>')), "articles[0].body"),
    "comment-unclosed": (lambda: _render(_body("<p>Text</p><!--[if mso]><p>More</p>")), "articles[0].body"),
    "attribute-dropped": (lambda: _render(_body('<p onclick="x()">Text</p>')), "articles[0].body"),
    "image-no-alt": (lambda: _render(_body('<p>Text</p><img src="https://example.com/a.png">')), "articles[0].body"),
    "body-not-cut": (lambda: mailkit.render("breaking", BASE, {"max_body_chars": 10}), "articles[0].body"),
    "content-not-shown": (lambda: mailkit.render("breaking", FIXTURES / "digest-morning-briefing.yaml"), "sections"),
    "field-not-shown": (lambda: mailkit.render("digest", FIXTURES / "digest-morning-briefing.yaml"),
                        "sections[0].articles[2].image"),
    "image-no-size": (lambda: _render(_image_without_size), "articles[0].image"),
    "mojibake-repaired": (lambda: _render(_body("<p>They donâ€™t agree.</p>")), "articles[0].body"),
    "no-catalog": (lambda: _render(_story_language), "lang"),  # the lead's language is the edition's
    "gmail-clip": (lambda: _render(_long_body), "html"),
    "style-too-large": (_deliverability(lambda e: replace(e, html=e.html.replace(
        "</head>", "<style>" + "p{margin:0}" * 2000 + "</style></head>", 1))), "html"),
    "link-not-https": (lambda: _render(_body('<p><a href="http://example.com/">x</a></p>')), "html"),
    "image-format": (lambda: _render(_body('<p>Text</p><img src="https://example.com/a.svg" alt="A chart">')), "html"),
    "image-not-https": (lambda: _render(_body('<p>Text</p><img src="http://example.com/a.png" alt="A chart">')), "html"),
    "no-preheader": (_deliverability(lambda e: replace(e, preheader="")), "preheader"),
    "preheader-repeats-subject": (lambda: _render(_set(preheader=BASE["articles"][0]["headline"])), "preheader"),
    "preheader-repeats-first-line": (_deliverability(lambda e: replace(e, text=e.preheader + "\n\nrest")), "preheader"),
    "subject-too-long": (lambda: _render(_set(subject="A subject that goes on " * 5)), "subject"),
    "feed-broken": (_feed(FEEDS / "broken-rss.xml"), None),
    "feed-too-many-entries": (_too_many_entries, None),
    "feed-entry-skipped": (_feed(_rss(_item(1), "<title>No link</title>")), "url"),
    "feed-field-dropped": (_feed(_rss(_item(1, '<media:content url="javascript:alert(1)" width="9" height="9"/>'))),
                           "image"),
    "feed-entry-merged": (_feed(_rss(_item(1), _item(1))), None),
    "feed-stories-left-out": (_feed(_rss(_item(1), _item(2)), limit=1), None),
    "feed-date-unreadable": (_feed(_rss(_item(1), _item(2, date="soon"))), "published"),
    "feed-date-no-zone": (_feed(_rss(_item(1, date="2014-05-20T09:15:00"))), "published"),
    "feed-html-unescaped": (_feed(_rss(_item(1, "<description><![CDATA[&lt;p&gt;Dek.&lt;/p&gt;]]></description>"))), "dek"),
}


def test_every_code_has_a_case() -> None:
    assert set(CASES) == set(WARNING_CODES)


@pytest.mark.parametrize("code", list(WARNING_CODES))
def test_each_code_is_emitted(code: str) -> None:
    make, field = CASES[code]
    made = make()
    warnings = made.warnings if isinstance(made, mailkit.RenderedEmail) else made
    found = [w for w in warnings if w.code == code]
    assert found, [repr(w) for w in warnings]
    assert found[0].field == field
    if code.startswith("feed-"):  # an import, before any template
        assert found[0].template is None
        return
    assert found[0].template == ("digest" if code == "field-not-shown" else "breaking")
    # the message starts with the field it names (the deliverability ones read as sentences)
    if field not in ("html", "preheader", "subject"):
        assert found[0].startswith(str(field))


def test_a_feed_warning_carries_its_code() -> None:
    with pytest.warns(mailkit.FeedWarning) as caught:
        mailkit.from_feed(_rss(_item(1), "<title>No link</title>"), newsletter=FEEDS / "newsletter.yaml")
    (warning,) = [w.message for w in caught.list]
    assert isinstance(warning, mailkit.FeedWarning)
    assert (warning.code, warning.field) == ("feed-entry-skipped", "url")
    assert str(warning).endswith("skipped: no link")


@pytest.mark.parametrize(("template", "fixture"), matrix(), ids=[pair_id(p) for p in matrix()])
def test_every_rendered_warning_is_data(template: str, fixture: Path) -> None:
    for w in rendered(template, fixture).warnings:
        assert isinstance(w, RenderWarning) and w.code in WARNING_CODES, repr(w)
        assert w.template == template and w.field


def test_an_unregistered_code_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown warning code 'no-such-code'"):
        RenderWarning("no-such-code", "x")


def test_a_warning_is_still_the_string_it_was() -> None:
    w = RenderWarning("image-no-size", "articles[0].image: no width and height", "articles[0].image", "breaking")
    assert w == "articles[0].image: no width and height" and str(w) == w.message
    assert type(str(w)) is str
    assert "no width" in w and w.startswith("articles[0]")
    assert hash(w) == hash(str(w))
    assert json.dumps([w]) == json.dumps(["articles[0].image: no width and height"])
    assert yaml.safe_dump(mailkit.render("digest", FIXTURES / "digest-morning-briefing.yaml").metadata)
    copied = pickle.loads(pickle.dumps(w))
    assert (copied, copied.code, copied.field, copied.template) == (w, w.code, w.field, w.template)
    with pytest.raises(AttributeError):
        w.code = "gmail-clip"  # type: ignore[misc]
    assert w.as_dict() == {"code": "image-no-size", "field": "articles[0].image", "template": "breaking",
                           "message": "articles[0].image: no width and height"}


def test_prepared_email_keeps_codes_through_pickle() -> None:
    # a PreparedEmail goes to Celery workers pickled
    prepared = mailkit.prepare("digest", FIXTURES / "digest-morning-briefing.yaml")
    again = pickle.loads(pickle.dumps(prepared))
    assert [w.code for w in again.personalize().warnings] == ["field-not-shown"]


# --- strict mode and ignore --------------------------------------------------


def test_strict_ignores_the_codes_it_is_told() -> None:
    fixture = FIXTURES / "digest-morning-briefing.yaml"
    with pytest.raises(mailkit.DeliverabilityError) as caught:
        mailkit.render("digest", fixture, RenderOptions(strict=True))
    assert [w.code for w in caught.value.warnings] == ["field-not-shown"]
    email = mailkit.render("digest", fixture, RenderOptions(strict=True, ignore=("field-not-shown",)))
    # ignored, not hidden: the warning is still reported
    assert [w.code for w in email.warnings] == ["field-not-shown"]
    assert mailkit.render("digest", fixture, {"strict": True, "ignore": "field-not-shown"}).warnings


def test_strict_still_fails_on_a_code_not_ignored() -> None:
    with pytest.raises(mailkit.DeliverabilityError, match="no width and height") as caught:
        mailkit.render("breaking", copy.deepcopy(BASE) | {"articles": [
            {k: v for k, v in BASE["articles"][0].items() if k != "image"}
            | {"image": {k: v for k, v in BASE["articles"][0]["image"].items() if k not in ("width", "height")}}]},
            RenderOptions(strict=True, ignore=("field-not-shown",)))
    assert {w.code for w in caught.value.warnings} == {"image-no-size"}


@pytest.mark.parametrize(("ignore", "message"), [
    (("image-no-size", "image-nosize"), "options.ignore: unknown warning code 'image-nosize' (codes: url-dropped, "),
    ((1,), "options.ignore: expected warning codes, not (1,)"),
    (None, "options.ignore: expected warning codes, not None"),
])
def test_ignore_is_validated(ignore: Any, message: str) -> None:
    with pytest.raises(mailkit.OptionsError, match=re.escape(message)):
        RenderOptions(strict=True, ignore=ignore)


# --- run_checks matches codes, not text ----------------------------------------


def test_nothing_dropped_check_reads_codes() -> None:
    email = _render(_body('<p><a href="javascript:alert(1)">x</a></p>'))
    (check,) = [c for c in run_checks(email) if c.name == "nothing dropped"]
    assert not check.ok and "articles[0].body: dropped <a href=" in check.detail


# --- the command line ----------------------------------------------------------------


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_check_json_lists_warnings_as_data() -> None:
    result = _cli("check", "--json", "digest", str(FIXTURES / "digest-morning-briefing.yaml"))
    report = json.loads(result.stdout)
    assert report["results"][0]["warnings"] == [{
        "code": "field-not-shown", "field": "sections[0].articles[2].image", "template": "digest",
        "message": "sections[0].articles[2].image: not shown by template 'digest' (compact list)"}]


def test_check_strict_and_ignore() -> None:
    fixture = str(FIXTURES / "digest-morning-briefing.yaml")
    failed = _cli("check", "--strict", "digest", fixture)
    assert failed.exit_code == 1
    assert re.search(r"FAIL  warnings +1 \(field-not-shown\): sections\[0\]", failed.stdout)
    passed = _cli("check", "--strict", "--ignore", "field-not-shown", "digest", fixture)
    assert "PASS  warnings                     none but 1 ignored" in passed.stdout


def test_render_strict_ignore(tmp_path: Path) -> None:
    fixture = str(FIXTURES / "digest-morning-briefing.yaml")
    failed = _cli("render", "--strict", "digest", fixture, "-o", str(tmp_path))
    assert failed.exit_code == 1 and "mailkit: error: strict mode: sections[0].articles[2].image" in failed.stderr
    passed = _cli("render", "--strict", "--ignore", "field-not-shown", "--ignore", "image-no-size",
                  "digest", fixture, "-o", str(tmp_path))
    assert passed.exit_code == 0, passed.output
    assert "warning: sections[0].articles[2].image: not shown" in passed.stderr


@pytest.mark.parametrize("command", ["render", "check"])
def test_an_unknown_code_is_a_usage_error(command: str, tmp_path: Path) -> None:
    result = _cli(command, "--strict", "--ignore", "gmail-clipp", "breaking", str(SEED))
    assert result.exit_code == 2
    assert "Invalid value for '--ignore': unknown warning code 'gmail-clipp'" in result.stderr


# --- the README's table is the registry --------------------------------------------------


def test_readme_table_is_the_registry() -> None:
    assert warning_table() in (ROOT / "README.md").read_text(encoding="utf-8")


# --- causes are kept --------------------------------------------------------------------


def test_no_raise_from_none_without_a_reason() -> None:
    """``raise X from None`` hides the dependency's error a bug report needs; where it is
    really right, the line above says why (``# from None: ...``)."""
    found = []
    for path in sorted((ROOT / "mailkit").glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Raise) and isinstance(node.cause, ast.Constant) and node.cause.value is None:
                before = lines[node.lineno - 2] if node.lineno > 1 else ""
                if "# from None:" not in before:
                    found.append(f"{path.name}:{node.lineno}")
    assert not found


def test_preview_page_shows_each_warnings_code() -> None:
    from mailkit._preview import PreviewServer

    status, page = PreviewServer().render_page("digest", "digest-morning-briefing.yaml")
    assert status == 200
    assert ("<li class='warn'><code>field-not-shown</code> sections[0].articles[2].image: not shown by template "
            "&#x27;digest&#x27; (compact list)</li>") in page.decode()
