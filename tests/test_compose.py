"""Compose stage: Jinja2 lookup, escaping, strictness, sandbox, template authors' folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED, matrix, pair_id, rendered

import mailkit
from mailkit.compose import list_templates


def test_packaged_templates_are_listed_with_a_description() -> None:
    found = {t.name: t.description for t in list_templates()}
    assert {"breaking", "digest", "special-report"} <= set(found)
    assert all(found.values())


def test_unknown_template() -> None:
    with pytest.raises(mailkit.TemplateNotFoundError, match="no template named 'nope'"):
        mailkit.render("nope", SEED)


@pytest.mark.parametrize("name", ["../etc/passwd", "/etc/passwd", "layouts/base", "partials/components"])
def test_template_names_cannot_escape(name: str) -> None:
    with pytest.raises(mailkit.TemplateNotFoundError):
        mailkit.render(name, SEED)


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_undefined_variable_names_template_and_line(tmp_path: Path) -> None:
    write(tmp_path, "oops.mjml.j2", "{# x #}\n<mjml><mj-body>\n{{ no_such_thing }}\n</mj-body></mjml>\n")
    with pytest.raises(mailkit.TemplateError) as info:
        mailkit.render("oops", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))
    assert info.value.template == "oops.mjml.j2"
    assert info.value.line == 3
    assert "no_such_thing" in str(info.value)


def test_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    write(tmp_path, "broken.mjml.j2", "{# x #}\n<mjml>\n{% if %}\n</mjml>\n")
    with pytest.raises(mailkit.TemplateError, match=r"broken.mjml.j2, line 3"):
        mailkit.render("broken", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))


@pytest.mark.parametrize(
    "expr",
    [
        "''.__class__.__mro__",
        "article.__class__.__init__.__globals__",
        "lipsum.__globals__['os'].environ",
        "cycler.__init__.__globals__",
    ],
)
def test_sandbox_refuses_python_internals(tmp_path: Path, expr: str) -> None:
    write(tmp_path, "evil.mjml.j2", "{# x #}\n<mjml><mj-body><mj-text>{{ " + expr + " }}</mj-text></mj-body></mjml>\n")
    with pytest.raises(mailkit.TemplateError):
        mailkit.render("evil", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))


def test_include_outside_template_folders_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "sneaky.mjml.j2", "{# x #}\n{% include '../../../../etc/passwd' %}\n")
    with pytest.raises(mailkit.TemplateError, match="not found"):
        mailkit.render("sneaky", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))


def test_author_folder_overrides_and_reuses_partials(tmp_path: Path) -> None:
    write(tmp_path, "breaking.mjml.j2", """{#- Our own alert -#}
{% extends "layouts/base.mjml.j2" %}
{% import "partials/components.mjml.j2" as ui with context %}
{% block band %}{{ ui.band("EILMELDUNG") }}{% endblock %}
{% block content %}<mj-section><mj-column><mj-text css-class="mk-text"><h1>{{ article.headline }}</h1></mj-text></mj-column></mj-section>{% endblock %}
""")
    email = mailkit.render("breaking", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))
    assert "EILMELDUNG" in email.html
    assert "Unsubscribe" in email.html  # the shared footer
    assert [t.description for t in list_templates([tmp_path]) if t.name == "breaking"] == ["Our own alert"]


def test_text_fields_are_escaped_in_mjml() -> None:
    email = mailkit.render("breaking", _hostile_headline('</mj-text><mj-raw><script>alert("x")</script>'))
    assert "<script>" not in email.mjml and "<script>" not in email.html
    assert "&lt;/mj-text&gt;&lt;mj-raw&gt;&lt;script&gt;" in email.mjml


def _hostile_headline(headline: str) -> dict:
    import yaml

    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["headline"] = headline
    return data


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_no_css_comment_ships(pair) -> None:  # type: ignore[no-untyped-def]
    # the layout's notes on client quirks are template comments: a /* */ in
    # <style> would be sent, and counted against Gmail's clip, in every email
    assert "/*" not in rendered(*pair).html


@pytest.mark.parametrize("template", ["breaking", "special-report"])
def test_related_links_are_shown_not_dropped(template: str) -> None:
    # a CMS sends related links with breaking stories too: none may vanish
    email = mailkit.render(template, "fixtures/special-report-inside-the-indictment.yaml")
    related = email.edition.lead.related
    assert related
    for link in related:
        assert f'href="{link.url}"' in email.html and link.url in email.text
