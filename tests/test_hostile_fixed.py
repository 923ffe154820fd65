"""Hostile templates aimed at the compose stage's shortcuts (issue #17).

The sandbox calls a template's own macros and plain functions the short way,
reads attributes with a remembered verdict, prints every ``{{ }}`` in one
call, and the css filter remembers each value it checked. Each case below is
a template (written to a temporary folder) or a renderer's global, and its
expected outcome: it renders safely, or it fails with a ``TemplateError``
naming the template and line, fast, as before the shortcuts.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import SEED

import mailkit

WRAP = "{{# test #}}\n<mjml><mj-body><mj-section><mj-column><mj-text>\n{}\n</mj-text></mj-column></mj-section></mj-body></mjml>\n"


def write(folder: Path, body: str) -> None:
    (folder / "t.mjml.j2").write_text(WRAP.format(body), encoding="utf-8")


def fails(folder: Path, body: str, message: str, line: int | None = 3, **globals_: Any) -> None:
    """``body`` fails with a TemplateError naming the template, its line and ``message``, in under two seconds."""
    write(folder, body)
    renderer = mailkit.Renderer(template_dirs=(folder,), globals=globals_)
    start = time.monotonic()
    with pytest.raises(mailkit.TemplateError, match=message) as info:
        renderer.render("t", SEED)
    assert time.monotonic() - start < 1.8
    assert info.value.template == "t.mjml.j2"
    if line is not None:
        assert info.value.line == line, str(info.value)


def renders(folder: Path, body: str, **globals_: Any) -> str:
    write(folder, body)
    return mailkit.Renderer(template_dirs=(folder,), globals=globals_).render("t", SEED).mjml


def test_a_macro_called_past_the_step_limit_is_stopped(tmp_path: Path) -> None:
    fails(tmp_path, "{% macro m() %}x{% endmacro %}{% for i in range(30000) %}{{ m() }}{% endfor %}",
          r"Limits.max_template_steps")


def test_a_caller_called_past_the_step_limit_is_stopped(tmp_path: Path) -> None:
    fails(tmp_path, "{% macro twice() %}{{ caller() }}{{ caller() }}{% endmacro %}"
          "{% for i in range(12000) %}{% call twice() %}x{% endcall %}{% endfor %}", r"Limits.max_template_steps")


def test_a_macro_that_builds_past_the_output_limit_is_stopped(tmp_path: Path) -> None:
    fails(tmp_path, "{% macro m(n) %}{% for i in range(n) %}{{ 'x' * 100000 }}{% endfor %}{% endmacro %}{{ m(30) }}",
          r"Limits.max_template_output")


def test_a_foreign_macro_global_that_returns_too_much_is_refused(tmp_path: Path) -> None:
    # a macro of the author's own (unsandboxed) Jinja environment, given as a global
    big = jinja2.Environment().from_string("{% macro big() %}{{ 'x' * 3000000 }}{% endmacro %}").module.big
    fails(tmp_path, "{{ big() }}", r"a call's result would be 3,000,000 characters", big=big)


def test_a_plain_function_global_that_returns_too_much_is_refused(tmp_path: Path) -> None:
    fails(tmp_path, "{{ big() }}", r"a call's result would be 3,000,001 characters", big=lambda: "y" * 3_000_001)


def test_a_function_global_marked_unsafe_is_refused(tmp_path: Path) -> None:
    def delete_everything() -> str:
        return "gone"

    delete_everything.unsafe_callable = True  # type: ignore[attr-defined]
    fails(tmp_path, "{{ delete_everything() }}", r"is not safely callable", delete_everything=delete_everything)


def test_a_function_global_that_alters_data_is_refused(tmp_path: Path) -> None:
    def save() -> str:
        return "saved"

    save.alters_data = True  # type: ignore[attr-defined]
    fails(tmp_path, "{{ save() }}", r"is not safely callable", save=save)


def test_python_internals_stay_out_of_reach_when_read_twice(tmp_path: Path) -> None:
    # the second read comes from the remembered verdict: still refused
    fails(tmp_path, "{{ article.headline }}{{ article.headline }}{{ article.__class__ }}{{ article.__class__.__mro__ }}",
          r"__class__")


def test_a_format_string_reaching_for_internals_is_refused(tmp_path: Path) -> None:
    # str.format reached as an attribute is the sandbox's formatter, however often it is read
    fails(tmp_path, "{{ '{0}'.format(article.headline) }}{{ '{0.__class__}'.format(article) }}",
          r"access to attribute '__class__' of 'Article' object is unsafe")


def test_a_list_method_that_mutates_is_refused_every_time(tmp_path: Path) -> None:
    fails(tmp_path, "{% set xs = [1] %}{{ xs.index(1) }}{{ xs.append(2) }}", r"append")


def test_markup_from_a_value_is_escaped_for_mjml_inside_autoescape_false(tmp_path: Path) -> None:
    out = renders(tmp_path, "{% autoescape false %}{{ article.headline ~ '<b onclick=x>' }}{% endautoescape %}"
                            "{{ '<b onclick=x>' }}")
    assert "<b onclick" not in out
    assert out.count("&lt;b onclick=x&gt;") == 2


def test_a_css_value_refused_once_is_refused_again(tmp_path: Path) -> None:
    body = ('<mj-raw><p style="color: {{ bad }}">x</p></mj-raw>')
    for _ in range(2):
        fails(tmp_path, body, r"not a CSS value", bad="red; background: url(https://evil.example/x)")
