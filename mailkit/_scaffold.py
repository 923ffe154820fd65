"""``mailkit new-template NAME``: a template, a fixture and a snapshot test to start from."""

from __future__ import annotations

import re
from pathlib import Path

from ._errors import TemplateError
from ._paths import TEMPLATE_NAME

__all__ = ["new_template"]

TEMPLATE = """{{#- {name}: describe this template in one line (mailkit templates shows it) -#}}
{{# Every word a reader sees is a gettext message: _("...") or {{% trans %}}, with
   named placeholders ({{% trans place=article.dateline %}}From {{{{ place }}}}{{% endtrans %}}).
   templates/locales/babel.cfg says how: pybabel extract, init, update, compile. #}}
{{% extends "layouts/base.mjml.j2" %}}
{{% import "partials/components.mjml.j2" as ui with context %}}
{{% block band %}}{{{{ ui.band(_("{label}")) }}}}{{% endblock %}}
{{% block content %}}
<mj-section padding="24px 0 0">
  <mj-column>
    <mj-text css-class="mk-text">
      {{% if article.kicker %}}<p class="mk-kicker">{{{{ article.kicker }}}}</p>{{% endif %}}
      <h1>{{{{ article.headline }}}}</h1>
      {{% if article.dek %}}<p class="mk-dek">{{{{ article.dek }}}}</p>{{% endif %}}
      <p class="mk-meta">{{{{ ui.byline(article) }}}}</p>
    </mj-text>
  </mj-column>
</mj-section>
<mj-section padding="20px 0 0">
  <mj-column>
    {{{{ ui.image(article.image) }}}}
    <mj-text css-class="mk-text">
      {{{{ body(article) }}}}
      {{{{ ui.endnotes(article) }}}}
    </mj-text>
    {{{{ ui.button(article.url, _("Read the full story")) }}}}
  </mj-column>
</mj-section>
{{% endblock %}}
"""

FIXTURE = """# yaml-language-server: $schema=https://example.invalid/mailkit/schema.json
# Sample data for {name}: feeds `mailkit preview` and tests/test_{ident}.py.
# `mailkit schema > schema.json` writes the schema for your editor.
templates: [{name}]
newsletter:
  name: Example Alerts
  description: Alerts from the example newsroom.
  url: https://news.example.com/
  brand: harbor-ledger
  footer:
    unsubscribe_url: https://news.example.com/newsletters/unsubscribe
    preferences_url: https://news.example.com/newsletters/preferences
    view_in_browser_url: https://news.example.com/newsletters/{name}/latest
    postal_address: Example News, 1 Example Street, Springfield
  sender:
    name: Example Alerts
    address: alerts@news.example.com
articles:
  - headline: A Headline for the {title} Template
    url: https://news.example.com/stories/example
    kicker: Example
    dek: One or two sentences that tell the reader why this matters.
    dateline: SPRINGFIELD
    published_at: 2024-01-15T08:30:00-05:00
    authors:
      - name: A. Reporter
    image:
      src: https://news.example.com/images/example.jpg
      alt: Describe what the picture shows, for readers who cannot see it.
      width: 1200
      height: 800
      caption: A caption for the picture.
      credit: Photographer / Agency
    body: |
      <p>The first paragraph of the story.</p>
      <p>The second paragraph, with <a href="https://news.example.com/related">a link</a>.</p>
"""

TEST = '''"""Snapshot tests for the {name} template (from `mailkit new-template`).

Run `python -m pytest`; the first run writes the snapshots under
tests/test_{ident}/ (and reports them as failed); read them, commit them.
After a deliberate change: `python -m pytest --force-regen`, read the diff, commit.
"""

from mailkit._checks import run_checks


def test_{ident}_snapshot(mailkit_snapshot):
    mailkit_snapshot("{name}", "fixtures/{name}-example.yaml")


def test_{ident}_checks(mailkit_render):
    email = mailkit_render("{name}", "fixtures/{name}-example.yaml")
    failed = [f"{{r.name}}: {{r.detail}}" for r in run_checks(email) if not r.ok]
    assert failed == []
'''

BABEL_CFG = """# pybabel's mapping for these templates (mailkit renders them with these Jinja options).
# From the templates folder:
#   pybabel extract -F locales/babel.cfg -o locales/messages.pot .
#   pybabel init -i locales/messages.pot -d locales -l fr        (once per language)
#   pybabel update -i locales/messages.pot -d locales            (after changing templates)
#   pybabel compile -d locales                                    (then render: the .mo files are read)
# A message you do not translate falls back to mailkit's own catalogs, then English.
[jinja2: **.j2]
extensions = jinja2.ext.i18n
newstyle_gettext = true
trim_blocks = true
lstrip_blocks = true
"""

_NAME = re.compile(TEMPLATE_NAME)


def new_template(name: str, root: Path) -> list[Path]:
    """Write ``templates/NAME.mjml.j2``, ``fixtures/NAME-example.yaml`` and ``tests/test_NAME.py`` under ``root``
    (and ``templates/locales/babel.cfg``, pybabel's mapping, if the folder has none)."""
    if not _NAME.match(name):
        raise TemplateError("a template name is lower case letters, digits, - and _ (not first)", template=name)
    ident = name.replace("-", "_")
    files = {
        root / "templates" / f"{name}.mjml.j2": TEMPLATE.format(name=name, label=name.replace("-", " ").upper()),
        root / "fixtures" / f"{name}-example.yaml": FIXTURE.format(name=name, ident=ident, title=name.replace("-", " ").title()),
        root / "tests" / f"test_{ident}.py": TEST.format(name=name, ident=ident),
    }
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise TemplateError(f"already exists, not overwritten: {', '.join(existing)}", template=name)
    babel_cfg = root / "templates" / "locales" / "babel.cfg"
    if not babel_cfg.exists():  # shared by every template of the folder: written once
        files[babel_cfg] = BABEL_CFG
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
