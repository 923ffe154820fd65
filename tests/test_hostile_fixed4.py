"""Hostile and broken templates against session 9's shortcuts in the compose stage (issue #17).

Each case is a template (or the template folder) and its expected outcome: it renders
safely, or it fails with a named :class:`mailkit.MailkitError` whose message names the
template and line. The shortcuts (a macro's function called straight, an attribute
read straight where obj[...] could only fail, the render's context made without
Jinja's generate, the text template asked for with os.access) must leave each outcome
as it was the long way.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SEED

import mailkit

LAYOUT = '{# t #}\n{% extends "layouts/base.mjml.j2" %}\n{% import "partials/components.mjml.j2" as ui with context %}\n{% block content %}\n'
END = "{% endblock %}\n"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def section(body: str) -> str:
    return f"<mj-section><mj-column><mj-text>{body}</mj-text></mj-column></mj-section>"


def render(folder: Path, body: str) -> mailkit.RenderedEmail:
    write(folder, "t.mjml.j2", LAYOUT + body + "\n" + END)
    return mailkit.Renderer(template_dirs=(folder,)).render("t", SEED)


# ---------------------------------------------------------------- attributes read by filters


@pytest.mark.parametrize("attribute", ["__class__", "_target", "_read", "__dict__", "_registry"])
def test_a_private_attribute_read_by_a_filter_is_refused_naming_the_line(tmp_path: Path, attribute: str) -> None:
    # map(attribute=...) reads through the sandbox's getitem: on a story (no __getitem__)
    # the attribute is read straight, with the same refusal
    with pytest.raises(mailkit.TemplateError, match=r"unsafe|access") as info:
        render(tmp_path, section(f"{{{{ article.authors | map(attribute={attribute!r}) | first }}}}"))
    assert info.value.template == "t.mjml.j2" and info.value.line == 5


def test_a_missing_attribute_read_by_a_filter_is_an_undefined_error_naming_the_line(tmp_path: Path) -> None:
    with pytest.raises(mailkit.TemplateError, match=r"no attribute 'nope'|nope") as info:
        render(tmp_path, section("{{ article.authors | map(attribute='nope') | first }}"))
    assert info.value.line == 5


def test_a_format_method_read_by_a_filter_stays_sandboxed(tmp_path: Path) -> None:
    # str.format reached through getitem is wrapped by the sandbox, as through getattr
    with pytest.raises(mailkit.TemplateError, match=r"unsafe|access|not available") as info:
        render(tmp_path, section("{{ (['{0.__class__}'] | map(attribute='format') | first)(article) }}"))
    assert info.value.line == 5


def test_an_attribute_read_by_a_filter_renders_as_before(tmp_path: Path) -> None:
    email = render(tmp_path, section("{{ article.authors | map(attribute='name') | join(', ') }}"
                                     "|{{ article.authors | selectattr('reported_from') | list | length }}"))
    names = ", ".join(a.name for a in mailkit._fixtures.load_edition(SEED).lead.authors)  # type: ignore[attr-defined]
    assert names in email.mjml


# ---------------------------------------------------------------- macro calls


@pytest.mark.parametrize(("call", "message"), [
    ('ui.band("x", bogus=1)', "takes no keyword argument 'bogus'"),
    ('ui.band("x", label="y")', "takes no keyword argument 'label'"),
    ('ui.band("a", "b", "c", "d", "e")', "takes not more than"),
    ('ui.divider(caller=ui.divider)', "two values for the special caller argument"),
])
def test_a_macro_called_wrongly_is_a_template_error_naming_the_line(tmp_path: Path, call: str, message: str) -> None:
    with pytest.raises(mailkit.TemplateError, match=message) as info:
        render(tmp_path, "{{ " + call + " }}")
    assert info.value.line == 5


def test_a_macro_that_recurses_through_keywords_is_stopped_by_the_step_limit(tmp_path: Path) -> None:
    body = "{% macro m(n=0) %}{{ m(n=n + 1) }}{% endmacro %}{{ m(n=0) }}"
    with pytest.raises(mailkit.MailkitError):
        render(tmp_path, body)


def test_a_call_block_around_a_macro_that_takes_no_caller_is_a_template_error(tmp_path: Path) -> None:
    # as Jinja's own Macro.__call__ says it: the shortcut leaves this call to it
    with pytest.raises(mailkit.TemplateError, match="two values for the special caller argument") as info:
        render(tmp_path, '{% call ui.band("x") %}never{% endcall %}')
    assert info.value.line == 5


# ---------------------------------------------------------------- the text template's look


def test_a_text_template_linked_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("stolen {{ article.headline }}\n", encoding="utf-8")
    folder = tmp_path / "t"
    folder.mkdir()
    os.symlink(outside, folder / "breaking.txt.j2")
    with pytest.raises(mailkit.TemplateError, match=r"refused|link out"):
        mailkit.Renderer(template_dirs=(folder,)).render("breaking", SEED)


def test_a_dangling_text_template_link_is_no_text_template(tmp_path: Path) -> None:
    os.symlink(tmp_path / "gone.txt.j2", tmp_path / "breaking.txt.j2")
    email = mailkit.Renderer(template_dirs=(tmp_path,)).render("breaking", SEED)
    assert email.text == mailkit.render("breaking", SEED).text


def test_a_text_template_name_with_a_nul_is_no_text_template() -> None:
    from mailkit._compose import text_template_exists

    assert text_template_exists("break\x00ing") is False
