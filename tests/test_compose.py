"""Compose stage: Jinja2 lookup, escaping, strictness, sandbox, template authors' folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED, matrix, pair_id, rendered

import mailkit
from mailkit._compose import list_templates


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
    with pytest.raises(mailkit.TemplateError, match=r"sneaky.mjml.j2, line 2: .*refused"):
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


DIGEST = "fixtures/digest-morning-briefing.yaml"


def test_content_a_template_does_not_show_is_a_warning_naming_field_and_template() -> None:
    email = mailkit.render("breaking", DIGEST)
    unshown = [w for w in email.warnings if "not shown by template 'breaking'" in w]
    assert [w.split(":")[0] for w in unshown] == ["sections", "more_stories", "editor_note"]
    assert "3 section(s) with 11 article(s)" in unshown[0]
    with pytest.raises(mailkit.DeliverabilityError, match="sections"):
        mailkit.render("breaking", DIGEST, mailkit.RenderOptions(strict=True))
    # the digest shows every story, and says which story fields it leaves out, and why
    assert [w for w in mailkit.render("digest", DIGEST).warnings if "not shown" in w] == [
        "sections[0].articles[2].image: not shown by template 'digest' (compact list)"]

    data = mailkit.load_edition(SEED).model_dump()
    data["articles"].append({**data["articles"][0], "headline": "A second story"})
    warnings = mailkit.render("breaking", data).warnings
    assert any(w.startswith("articles[1:]: 1 article(s) after the lead") for w in warnings), warnings


def test_unshown_content_follows_the_templates_on_disk(tmp_path: Path) -> None:
    base = '{% extends "layouts/base.mjml.j2" %}{% block content %}{% include "list.mjml.j2" %}{% endblock %}\n'
    write(tmp_path, "brief.mjml.j2", base)
    write(tmp_path, "list.mjml.j2", "<mj-section><mj-column><mj-text>{{ article.headline }}</mj-text></mj-column></mj-section>\n")
    opts = mailkit.RenderOptions(template_dirs=(tmp_path,))
    assert any(w.startswith("sections:") for w in mailkit.render("brief", DIGEST, opts).warnings)
    # the included partial now shows the sections: the warning goes (names are re-read when a file changes)
    import os
    write(tmp_path, "list.mjml.j2", "<mj-section><mj-column><mj-text>{{ article.headline }}"
          "{% for s in sections %}{{ s.title }}{% endfor %}</mj-text></mj-column></mj-section>\n")
    os.utime(tmp_path / "list.mjml.j2", (1, 4_000_000_000))  # a new mtime, however fast the test
    assert not any(w.startswith("sections:") for w in mailkit.render("brief", DIGEST, opts).warnings)
    # a template that reaches the whole edition, or names a template by a variable,
    # cannot be judged from its syntax tree; what it read while it rendered tells
    write(tmp_path, "whole.mjml.j2", base.replace('"list.mjml.j2"', '"whole-list.mjml.j2"'))
    write(tmp_path, "whole-list.mjml.j2", "<mj-section><mj-column><mj-text>{{ edition.lead.headline }}</mj-text></mj-column></mj-section>\n")
    write(tmp_path, "dynamic.mjml.j2", base.replace('"list.mjml.j2"', '"list" ~ ".mjml.j2"'))
    for name in ("whole", "dynamic"):
        warnings = [w for w in mailkit.render(name, DIGEST, opts).warnings if "not shown" in w]
        assert not [w for w in warnings if w.startswith(("sections:", "more_stories:"))], name
        assert f"sections[2].articles[2]: story not shown by template {name!r}" in warnings, name
        assert f"articles[0].image: not shown by template {name!r}" in warnings, name


@pytest.mark.parametrize(("lang", "tz", "long", "time", "day", "short"), [
    ("en", "America/New_York", "May 20, 2014, 9:15 AM EDT", "9:15 AM EDT", "Tuesday, May 20, 2014", "Tuesday, May 20"),
    ("en-GB", "Europe/London", "May 20, 2014, 2:15 PM BST", "2:15 PM BST", "Tuesday, May 20, 2014", "Tuesday, May 20"),
    ("ar", "Europe/London", "20 مايو 2014، 2:15 م BST", "2:15 م BST", "الثلاثاء، 20 مايو 2014", "الثلاثاء، 20 مايو"),
    ("fr", "Europe/Paris", "20 mai 2014, 15:15 CEST", "15:15 CEST", "mardi 20 mai 2014", "mar. 20 mai"),
    ("qq", "America/New_York", "May 20, 2014, 9:15 AM EDT", "9:15 AM EDT", "Tuesday, May 20, 2014",  # unknown: English
     "Tuesday, May 20"),
])
def test_dates_follow_the_edition_language(lang: str, tz: str, long: str, time: str, day: str, short: str) -> None:
    # CLDR's patterns through Babel; English keeps the newsroom's own format,
    # also through Babel: strftime's names would follow the process's LC_TIME
    from datetime import datetime

    from mailkit._compose import _environment

    env = _environment((Path("templates"),))
    when = datetime.fromisoformat("2014-05-20T09:15:00-04:00")
    out = env.from_string("{{ w | datetime(tz) }}|{{ w | datetime(tz, 'time') }}|{{ w.date() | date }}").render(
        w=when, tz=tz, lang=lang)
    assert out == f"{long}|{time}|{day}"
    assert env.from_string("{{ d | date('short') }}").render(d=when.date(), lang=lang) == short
