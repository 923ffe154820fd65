"""Hostile and broken templates against the compose stage's shortcuts of issue #17.

Each case is a template (or a change to the template folder between renders)
and its expected outcome: it renders safely, or it fails with a named
:class:`mailkit.MailkitError` whose message names the template and line. The
shortcuts (one look at each template file a render, labels formatted once per
catalog, a str or Markup printed in one call, _() and the css filter called
straight in) must leave each outcome as it was the long way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import SEED

import mailkit

LAYOUT = '{% extends "layouts/base.mjml.j2" %}{% block content %}'
END = "{% endblock %}\n"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def section(body: str) -> str:
    return f"<mj-section><mj-column><mj-text>{body}</mj-text></mj-column></mj-section>"


def renderer(folder: Path, **kwargs: Any) -> mailkit.Renderer:
    return mailkit.Renderer(template_dirs=(folder,), **kwargs)


# ---------------------------------------------------------------- what a render prints


def test_printing_over_the_budget_through_the_one_call_print_is_refused_at_its_line(tmp_path: Path) -> None:
    # plain strs, Markup (a macro's result) and numbers each take the one-call print: all counted
    write(tmp_path, "loud.mjml.j2", LAYOUT + '{% macro m() %}{{ "y" * 500 }}{% endmacro %}\n'
          '{% for i in range(400) %}{% set s %}{{ "x" * 500 }}{{ m() }}{{ i }}{{ 1.5 }}{% endset %}{% endfor %}' + END)
    with pytest.raises(mailkit.TemplateError, match=r"printed over [\d,]+ characters in all") as err:
        renderer(tmp_path, limits={"max_template_output": 30_000}).render("loud", SEED)
    assert err.value.template == "loud.mjml.j2" and err.value.line == 2


@pytest.mark.parametrize("value, shown", [
    ("'<script>alert(1)</script>'", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("'\\u202e\\u2066 & \"q\"'", "\u202e\u2066 &amp; &#34;q&#34;"),
    ("12345678901234567890", "12345678901234567890"),
    ("-0.5", "-0.5"),
    ("true", "True"),
    ("none", "None"),
])
def test_what_the_one_call_print_writes_is_escaped_for_mrml(tmp_path: Path, value: str, shown: str) -> None:
    write(tmp_path, "value.mjml.j2", LAYOUT + section(f"<p>[{{{{ {value} }}}}]</p>") + END)
    email = renderer(tmp_path).render("value", SEED)
    assert f"[{shown}]" in email.mjml
    assert "<script>" not in email.html


# ---------------------------------------------------------------- labels


def test_a_label_with_a_lone_percent_fails_at_its_line_every_time(tmp_path: Path) -> None:
    # gettext formats a label with %; a lone "%" is an error each time, never remembered as a label
    write(tmp_path, "percent.mjml.j2", LAYOUT + section('{{ _("Save 100%") }}') + END)
    r = renderer(tmp_path)
    for _ in range(2):
        with pytest.raises(mailkit.TemplateError, match=r"incomplete format|unsupported format") as err:
            r.render("percent", SEED)
        assert err.value.template == "percent.mjml.j2" and err.value.line == 1


def test_many_distinct_labels_render_and_stay_bounded(tmp_path: Path) -> None:
    # any text may be passed to _(): the labels remembered stay at most 512 per catalog
    write(tmp_path, "labels.mjml.j2", LAYOUT + section('{% for i in range(2000) %}{{ _("label " ~ i) }}{% endfor %}') + END)
    email = renderer(tmp_path).render("labels", SEED)
    assert "label 0" in email.mjml and "label 1999" in email.mjml
    remembered = mailkit._i18n.labels("en", (tmp_path, *mailkit._paths.template_dirs(())))._labels
    assert len(remembered) <= 512


def test_a_label_prints_its_values_escaped_every_call(tmp_path: Path) -> None:
    write(tmp_path, "named.mjml.j2", LAYOUT + section(
        '{% for n in ["<b>", "&amp;", "\\u202e"] %}{{ _("By %(names)s", names=n) }}|{% endfor %}') + END)
    email = renderer(tmp_path).render("named", SEED)
    assert "By &lt;b&gt;|By &amp;amp;|By &#x202E;|" in email.mjml


# ---------------------------------------------------------------- calls


def test_an_authors_eval_context_global_that_stops_iteration_is_an_undefined_value(tmp_path: Path) -> None:
    @jinja2.pass_eval_context
    def stops(eval_ctx: Any) -> str:
        raise StopIteration

    write(tmp_path, "stops.mjml.j2", LAYOUT + section("{{ stops() }}") + END)
    with pytest.raises(mailkit.TemplateError, match="StopIteration") as err:
        renderer(tmp_path, globals={"stops": stops}).render("stops", SEED)
    assert err.value.template == "stops.mjml.j2" and err.value.line == 1


def test_an_authors_eval_context_global_returning_too_much_is_refused(tmp_path: Path) -> None:
    @jinja2.pass_eval_context
    def flood(eval_ctx: Any) -> str:
        return "x" * 3_000_000

    write(tmp_path, "flood.mjml.j2", LAYOUT + section("{{ flood() }}") + END)
    with pytest.raises(mailkit.TemplateError, match="a call's result") as err:
        renderer(tmp_path, globals={"flood": flood}).render("flood", SEED)
    assert err.value.template == "flood.mjml.j2" and err.value.line == 1


@pytest.mark.parametrize("source", ["{{ _.__globals__ }}", "{{ _.__code__.co_consts }}", "{{ labels_in('en').translations._catalog }}"])
def test_gettext_and_its_labels_are_no_way_into_python(tmp_path: Path, source: str) -> None:
    write(tmp_path, "peek.mjml.j2", LAYOUT + section(source) + END)
    with pytest.raises(mailkit.TemplateError, match=r"unsafe|undefined") as err:
        renderer(tmp_path).render("peek", SEED)
    assert err.value.template == "peek.mjml.j2"


def test_the_css_filter_still_refuses_a_value_that_is_not_css(tmp_path: Path) -> None:
    write(tmp_path, "css.mjml.j2", LAYOUT + section('<p style="color: {{ article.headline ~ \'; } body { x: y\' }}">x</p>') + END)
    with pytest.raises(mailkit.TemplateError, match="not a CSS value") as err:
        renderer(tmp_path).render("css", SEED)
    assert err.value.template == "css.mjml.j2" and err.value.line == 1


# ---------------------------------------------------------------- the folder changing between renders


def test_a_template_deleted_between_renders_is_not_found_by_the_next(tmp_path: Path) -> None:
    write(tmp_path, "gone.mjml.j2", LAYOUT + section("here") + END)
    r = renderer(tmp_path)
    assert "here" in r.render("gone", SEED).mjml
    (tmp_path / "gone.mjml.j2").unlink()
    with pytest.raises(mailkit.TemplateNotFoundError, match="no template named 'gone'"):
        r.render("gone", SEED)


def test_an_included_file_deleted_between_renders_is_a_template_error_naming_the_line(tmp_path: Path) -> None:
    write(tmp_path, "outer.mjml.j2", LAYOUT + '{% include "part.mjml.j2" %}' + END)
    write(tmp_path, "part.mjml.j2", section("part"))
    r = renderer(tmp_path)
    assert "part" in r.render("outer", SEED).mjml
    (tmp_path / "part.mjml.j2").unlink()
    with pytest.raises(mailkit.TemplateError, match=r"part\.mjml\.j2") as err:
        r.render("outer", SEED)
    assert err.value.line == 1


def test_a_link_repointed_out_of_the_folder_between_renders_is_refused(tmp_path: Path) -> None:
    folder, outside = tmp_path / "templates", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    write(folder, "real.mjml.j2", section("inside"))
    write(outside, "secret.mjml.j2", section("secret"))
    write(folder, "outer.mjml.j2", LAYOUT + '{% include "part.mjml.j2" %}' + END)
    os.symlink(folder / "real.mjml.j2", folder / "part.mjml.j2")
    r = renderer(folder)
    assert "inside" in r.render("outer", SEED).mjml
    (folder / "part.mjml.j2").unlink()
    os.symlink(outside / "secret.mjml.j2", folder / "part.mjml.j2")
    with pytest.raises(mailkit.TemplateError, match="link out of the template folder") as err:
        r.render("outer", SEED)
    assert err.value.template is not None


def test_a_text_template_added_between_renders_is_used_by_the_next(tmp_path: Path) -> None:
    write(tmp_path, "plain.mjml.j2", LAYOUT + section("html part") + END)
    r = renderer(tmp_path)
    assert "Only this" not in r.render("plain", SEED).text
    write(tmp_path, "plain.txt.j2", "Only this {{ article.headline }}\n")
    assert r.render("plain", SEED).text.startswith("Only this")
