"""The eleventh outside tester's catalogue: an attacker who wants script,
tracking or a forged header into a reader's inbox (or an editor's preview).

Each case is an input and its expected outcome: rendered safely, or refused
with a named MailkitError naming the field or template and line. Same spirit
as tests/test_hostile_input.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_hostile_input import BASE, dangerous, expand

import mailkit


def author_render(tmp_path: Path, content: str) -> mailkit.RenderedEmail:
    """Render a template author's template whose content block is ``content``."""
    (tmp_path / "t.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% import "partials/components.mjml.j2" as ui with context %}'
        "{% block content %}" + content + "{% endblock %}", encoding="utf-8")
    return mailkit.Renderer(template_dirs=(tmp_path,)).render("t", expand(BASE))


# --- template authors: what pydantic's BaseModel gives every model -----------
# The sandbox refused model_dump() and friends when called on a model, but a
# classmethod (model_construct, model_validate, model_rebuild, construct ...) is
# bound to the class, and pydantic's v1 names (copy, dict, construct, parse_obj)
# do not start with model_: a story built with model_construct skips every
# validator (the URL gate included), so mailkit's own ui.story macro wrote
# href="javascript:alert(1)"; model_rebuild(force=True) rebuilt a class every
# renderer shares.
BASEMODEL_REACH = [
    "{{ article.model_construct }}",
    "{{ article.model_validate }}",
    "{{ article.model_rebuild }}",
    "{{ article.model_json_schema }}",
    "{{ article.model_fields }}",
    "{{ article.model_copy }}",
    "{{ article.construct }}",
    "{{ article.copy }}",
    "{{ article.dict }}",
    "{{ article.parse_obj }}",
    "{{ article.schema_json }}",
    "{{ article['model_construct'] }}",
    "{{ article | attr('copy') }}",
    "{{ edition.newsletter.brand.model_copy }}",
    "{{ edition.model_construct }}",
]


@pytest.mark.parametrize("expression", BASEMODEL_REACH)
def test_basemodel_machinery_is_out_of_a_templates_reach(tmp_path: Path, expression: str) -> None:
    with pytest.raises(mailkit.TemplateError, match=r"t\.mjml\.j2, line 1: "):
        author_render(tmp_path, "<mj-section><mj-column><mj-text>" + expression + "</mj-text></mj-column></mj-section>")


def test_a_story_built_past_the_validators_never_reaches_a_link(tmp_path: Path) -> None:
    fields: dict[str, Any] = {"url": "javascript:alert(1)", "headline": "x", "authors": [], "related": [],
                              "image": None, "body": None, "dek": None, "kicker": None, "section": None,
                              "dateline": None, "updated_at": None, "contributors": None, "lang": None,
                              "summary": None}
    args = ", ".join(f"{k!r}: {v!r}".replace("None", "none") for k, v in fields.items())
    content = ("{% set a = article.model_construct(**{" + args + ", 'published_at': article.published_at}) %}"
               '{{ ui.story(a, "K", "Read") }}')
    with pytest.raises(mailkit.TemplateError, match=r"t\.mjml\.j2, line 1"):
        email = author_render(tmp_path, content)
        assert dangerous(email.html) == []  # what the render would have written


def test_fields_and_mailkits_own_properties_stay_readable(tmp_path: Path) -> None:
    email = author_render(tmp_path, "<mj-section><mj-column><mj-text>[{{ article.headline }}|"
                          "{{ edition.newsletter.brand.name }}]</mj-text></mj-column></mj-section>")
    assert re.search(r"\[China[^|]*\|NBC News\]", email.html)
