"""The hostile catalogue of mailkit.Renderer: each broken argument with its expected outcome.

Every case fails with an OptionsError (also a TypeError) that names the
argument as the caller wrote it (``theme``, ``limits.max_body_bytes``,
``filters['css']``), when the renderer is made, not at its first render; or
renders safely. (tests/test_renderer.py holds what a Renderer does.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED

import mailkit


def shout(value: str) -> str:
    return value.upper()


@dataclass
class Case:
    id: str
    arguments: dict[str, Any]
    message: str  # regex the OptionsError's message must match from its start


CASES = [
    # the settings RenderOptions also has: named without "options."
    Case("theme of the wrong type", {"theme": 3}, r"theme: expected a theme name or file, not int"),
    Case("strict not a bool", {"strict": "yes"}, r"strict: expected True or False, not 'yes'"),
    Case("template_dirs a number", {"template_dirs": 3}, r"template_dirs: expected folder paths, not 3"),
    Case("a misspelt text option", {"text": {"widht": 60}}, r"text\.widht: unknown option \(options: width"),
    Case("inline a string", {"inline": "no"}, r"inline: expected InlineOptions or a mapping, not str"),
    Case("a misspelt link_tagging option", {"link_tagging": {"campain": "x"}},
         r"link_tagging\.campain: unknown option \(options: source, medium, campaign"),
    # max_body_chars: a count of characters or None (a string failed deep in the cutter with a TypeError)
    Case("max_body_chars a string", {"max_body_chars": "15000"},
         r"max_body_chars: expected a number of characters \(1 or more\) or None, not '15000'"),
    Case("max_body_chars zero", {"max_body_chars": 0}, r"max_body_chars: expected a number of characters"),
    Case("max_body_chars True", {"max_body_chars": True}, r"max_body_chars: expected a number of characters"),
    # limits: a Limits or a mapping of its fields, each a number over 0
    Case("limits a string", {"limits": "strict"}, r"limits: expected mailkit\.Limits or a mapping, not str"),
    Case("a misspelt limit", {"limits": {"max_body_byte": 1000}},
         r"limits\.max_body_byte: unknown option \(options: max_body_bytes, max_body_depth"),
    Case("a negative limit", {"limits": mailkit.Limits(max_body_bytes=-1)},
         r"limits\.max_body_bytes: expected a number over 0, not -1"),
    Case("a limit as a string", {"limits": {"max_template_seconds": "1"}},
         r"limits\.max_template_seconds: expected a number over 0, not '1'"),
    Case("no time at all", {"limits": {"max_template_seconds": 0}},
         r"limits\.max_template_seconds: expected a number over 0, not 0"),
    # filters: new names only; mailkit's own (css escapes CSS values) and Jinja's (escape, safe) stay
    Case("replacing mailkit's css filter", {"filters": {"css": str}},
         r"filters\['css'\]: templates already have a filter named 'css' \(mailkit's or Jinja's own\)"),
    Case("replacing Jinja's escape filter", {"filters": {"e": str}}, r"filters\['e'\]: templates already have a filter"),
    Case("replacing the bounded join", {"filters": {"join": shout}}, r"filters\['join'\]: templates already have"),
    Case("a filter name with a dash", {"filters": {"my-filter": shout}},
         r"filters\['my-filter'\]: not a name a template can use"),
    Case("a filter named like a Jinja word", {"filters": {"none": shout}}, r"filters\['none'\]: not a name"),
    Case("a filter named by a number", {"filters": {1: shout}}, r"filters\[1\]: not a name"),
    Case("a filter that cannot be called", {"filters": {"shout": "SHOUT"}},
         r"filters\['shout'\]: expected a callable, not str"),
    Case("filters as a list", {"filters": [("shout", shout)]},
         r"filters: expected a mapping of names to values, not list"),
    # globals: none may replace Jinja's or hide a name of the render context
    Case("a global hiding the article", {"globals": {"article": "x"}},
         r"globals\['article'\]: 'article' is a name of the render context"),
    Case("a global hiding gettext's _", {"globals": {"_": str}}, r"globals\['_'\]: templates already have a global"),
    Case("replacing range", {"globals": {"range": range}}, r"globals\['range'\]: templates already have a global"),
    Case("a global named true", {"globals": {"true": False}}, r"globals\['true'\]: not a name"),
    Case("a global named by a keyword", {"globals": {"class": 1}}, r"globals\['class'\]: not a name"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_argument_is_refused_when_the_renderer_is_made(case: Case) -> None:
    with pytest.raises(mailkit.OptionsError, match="^" + case.message) as info:
        mailkit.Renderer(**case.arguments)
    assert isinstance(info.value, TypeError)


def test_render_options_name_the_same_faults_with_options() -> None:
    # input: RenderOptions(max_body_chars="15000"); outcome: OptionsError, not a TypeError from the cutter
    with pytest.raises(mailkit.OptionsError, match=r"^options\.max_body_chars: expected a number of characters"):
        mailkit.render("breaking", SEED, {"max_body_chars": "15000"})
    with pytest.raises(mailkit.OptionsError, match=r"^options\.max_body_chars: expected"):
        mailkit.RenderOptions(max_body_chars=-3)


def test_an_unknown_theme_names_the_argument_as_written() -> None:
    # the theme is looked up at render time (a file may appear later); the error names it the caller's way
    with pytest.raises(mailkit.OptionsError, match=r"^theme: no theme named 'nbc-newz' \(themes: harbor-ledger"):
        mailkit.Renderer(theme="nbc-newz").render("breaking", SEED)
    with pytest.raises(mailkit.OptionsError, match=r"^options\.theme: no theme named 'nbc-newz'"):
        mailkit.Renderer.from_options({"theme": "nbc-newz"}).render("breaking", SEED)
    with pytest.raises(mailkit.OptionsError, match=r"^options\.theme: no theme named '\.\./\.\./etc/passwd'"):
        mailkit.Renderer.from_options({"theme": "../../etc/passwd"}).prepare("breaking", SEED)


BAD_CHANGES: list[tuple[str, Callable[[mailkit.Renderer], Any], str]] = [
    ("a misspelt option", lambda r: r.with_options(thme="x"), r"^thme: unknown option \(options: template_dirs, theme"),
    ("a bad value", lambda r: r.with_options(strict=1), r"^strict: expected True or False"),
    ("a filter replacing css", lambda r: r.with_options(filters={"css": str}), r"^filters\['css'\]: templates already"),
    ("from options: a misspelt one", lambda r: mailkit.Renderer.from_options({"thme": "x"}),
     r"^options\.thme: unknown option"),
    ("from options: not options", lambda r: mailkit.Renderer.from_options("strict"),  # type: ignore[arg-type]
     r"^options: expected RenderOptions or a mapping, not str"),
    ("a recipient that is an address", lambda r: r.render("breaking", SEED, "ana@example.org"),  # type: ignore[arg-type]
     r"^recipient: expected a Recipient or a mapping, not str"),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in BAD_CHANGES], ids=[i for i, _, _ in BAD_CHANGES])
def test_bad_changes_and_calls_name_the_argument(change: Callable[[mailkit.Renderer], Any], message: str) -> None:
    with pytest.raises(mailkit.OptionsError, match=message):
        change(mailkit.Renderer())


def test_a_global_is_content_and_a_filter_within_the_limits(tmp_path: Path) -> None:
    # input: a global holding MJML and a filter making 10**8 characters; outcome: escaped, and a TemplateError
    (tmp_path / "t.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% block content %}<mj-section><mj-column><mj-text>'
        "{{ sneaky }}{{ 'ab' | grow if grow_it else '' }}</mj-text></mj-column></mj-section>{% endblock %}")
    sneaky = '</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>'
    renderer = mailkit.Renderer(template_dirs=tmp_path, filters={"grow": lambda s: s * 10**8},
                                globals={"sneaky": sneaky, "grow_it": False})
    email = renderer.render("t", SEED)
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    with pytest.raises(mailkit.TemplateError, match=r"^t\.mjml\.j2, line 1: the grow filter's result would be "
                                                    r"200,000,000 characters"):
        renderer.with_options(globals={"sneaky": "", "grow_it": True}).render("t", SEED)


def test_a_failed_render_leaves_no_limits_behind() -> None:
    # input: a render that fails under a renderer's small limits; outcome: the next default render has LIMITS
    from mailkit._sanitize import current_limits

    with pytest.raises(mailkit.InvalidFixtureError):
        mailkit.Renderer(limits={"max_field_chars": 10}).render("breaking", SEED)
    assert current_limits() is mailkit.LIMITS
    assert mailkit.render("breaking", SEED).subject
