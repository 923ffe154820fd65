"""Templates as an API: one name pattern, one style limit, one fixture matrix,
the template reference page, the macros' parameters, CSS escaped by context."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import mailkit
import mailkit._fixtures
import mailkit._reader
from mailkit._checks import MAX_STYLE_BYTES
from mailkit._compose import find_template
from mailkit._scaffold import new_template

ROOT = Path(__file__).resolve().parent.parent


# --- dedupes --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["storm-watch", "storm_watch", "a1", "9-to-5"])
def test_a_template_name_is_one_pattern_everywhere(tmp_path: Path, name: str) -> None:
    # render() found "storm_watch.mjml.j2", but a fixture could not name it
    # (templates: [storm_watch] failed validation) and new-template refused it
    new_template(name, tmp_path)
    assert find_template(name, [tmp_path / "templates"]) == f"{name}.mjml.j2"
    edition = mailkit.load_edition(next((tmp_path / "fixtures").glob("*.yaml")))
    assert edition.templates == [name]


@pytest.mark.parametrize("name", ["Storm", "-storm", "_storm", "storm watch", "../x"])
def test_a_bad_template_name_is_refused_everywhere(tmp_path: Path, name: str) -> None:
    with pytest.raises(mailkit.TemplateError):
        new_template(name, tmp_path)
    with pytest.raises(mailkit.TemplateNotFoundError):
        find_template(name)
    with pytest.raises(mailkit.InvalidFixtureError, match=r"templates\[0\]"):
        mailkit.load_edition({**_minimal(), "templates": [name]})


def _minimal() -> dict[str, object]:
    data = mailkit._reader.read_data_file(ROOT / "fixtures" / "breaking-minimal-no-image.yaml")
    return dict(data)


def test_the_style_limit_is_one_number() -> None:
    # checks warned over 16,384 bytes while Limits documented 16,000
    assert MAX_STYLE_BYTES == mailkit.LIMITS.max_style_bytes == 16_384


# --- macros take the parameters authors need ----------------------------------

PAGE = """{{# t #}}
{{% extends "layouts/base.mjml.j2" %}}
{{% import "partials/components.mjml.j2" as ui with context %}}
{{% block band %}}{band}{{% endblock %}}
{{% block content %}}{content}{{% endblock %}}
"""


def _render(tmp_path: Path, band: str = "", content: str = "", fixture: Path | None = None) -> mailkit.RenderedEmail:
    (tmp_path / "t.mjml.j2").write_text(PAGE.format(band=band, content=content), encoding="utf-8")
    return mailkit.render("t", fixture or ROOT / "fixtures" / "breaking-china-cyberspying.yaml",
                          mailkit.RenderOptions(template_dirs=(tmp_path,)))


def test_band_takes_its_colours_and_case(tmp_path: Path) -> None:
    email = _render(tmp_path, band='{{ ui.band("Storm Watch", color="#8a4b00", text_color="#fffff0", uppercase=false) }}')
    assert '<mj-section background-color="#8a4b00" padding="10px 0" css-class="mk-band">' in email.mjml
    assert '<mj-text color="#fffff0"' in email.mjml
    assert '<p style="margin:0;">Storm Watch</p>' in email.mjml
    default = _render(tmp_path, band='{{ ui.band("Storm Watch") }}')
    accent = default.edition.newsletter.brand.colors.accent
    assert f'<mj-section background-color="{accent}"' in default.mjml
    assert '<p style="margin:0;text-transform:uppercase;">Storm Watch</p>' in default.mjml


def test_band_refuses_a_colour_that_is_not_css(tmp_path: Path) -> None:
    with pytest.raises(mailkit.TemplateError, match="not a CSS value"):
        _render(tmp_path, band='{{ ui.band("x", color="red;background:url(https://evil.example/t)") }}')


STORY_PARTS = {
    "show_kicker": 'class="mk-kicker"',
    "show_dek": 'class="mk-dek"',
    "show_byline": 'class="mk-meta"><strong dir="auto">',
    "show_image": "<mj-image",
    "show_body": "The DOJ filed charges Monday",
    "show_endnotes": 'class="mk-endnote"',
    "show_button": "<mj-button",
}


@pytest.mark.parametrize("part", STORY_PARTS)
def test_story_shows_each_part_unless_told_not_to(tmp_path: Path, part: str) -> None:
    shown = _render(tmp_path, content='{{ ui.story(article, "", _("Read the full story")) }}')
    assert STORY_PARTS[part] in _body(shown)
    hidden = _render(tmp_path, content=f'{{{{ ui.story(article, "", _("Read the full story"), {part}=false) }}}}')
    assert STORY_PARTS[part] not in _body(hidden)
    assert all(v in _body(hidden) for k, v in STORY_PARTS.items() if k != part)


def _body(email: mailkit.RenderedEmail) -> str:
    return email.mjml.split("</mj-head>")[1]


@pytest.mark.parametrize("macro", ["story_card", "story_entry"])
@pytest.mark.parametrize("part", ["show_kicker", "show_summary", "show_byline"])
def test_cards_and_entries_show_each_part_unless_told_not_to(tmp_path: Path, macro: str, part: str) -> None:
    import yaml

    data = yaml.safe_load((ROOT / "fixtures" / "breaking-china-cyberspying.yaml").read_text(encoding="utf-8"))
    story = copy.deepcopy(dict(data["articles"][0], kicker="Cyberspying", summary="A summary of the story."))
    data["sections"] = [{"title": "World", "articles": [story]}]
    fixture = tmp_path / "digest.yaml"
    fixture.write_text(yaml.safe_dump(data), encoding="utf-8")
    call = "ui.story_card(s" if macro == "story_card" else 'ui.story_entry(s, "list"'
    wrap = ("<mj-section>{{% for s in sections[0].articles %}}{0}{{% endfor %}}</mj-section>" if macro == "story_card"
            else "<mj-section><mj-column><mj-text>{{% for s in sections[0].articles %}}{0}{{% endfor %}}</mj-text>"
                 "</mj-column></mj-section>")
    marks = {"show_kicker": '<p class="mk-kicker">Cyberspying</p>', "show_summary": "A summary of the story.",
             "show_byline": 'class="mk-meta">By '}
    shown = _render(tmp_path, content=wrap.format("{{ " + call + ") }}"), fixture=fixture)
    hidden = _render(tmp_path, content=wrap.format("{{ " + call + f", {part}=false) }}}}"), fixture=fixture)
    assert all(mark in _body(shown) for mark in marks.values())
    assert marks[part] not in _body(hidden)
    assert all(mark in _body(hidden) for key, mark in marks.items() if key != part)


# --- the template reference page ----------------------------------------------


def test_the_committed_reference_page_is_the_generated_one() -> None:
    from mailkit.reference import reference

    committed = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    assert committed == reference(), "docs/templates.md is stale: python -m mailkit.reference > docs/templates.md"


def test_the_context_table_names_every_name_render_passes() -> None:
    from mailkit._context import CONTEXT
    from mailkit._render import _context
    from mailkit._slots import RecipientSlots, new_nonce

    edition = mailkit.load_edition(ROOT / "fixtures" / "digest-morning-briefing.yaml")
    context = _context("digest", edition, [], RecipientSlots(new_nonce()))
    assert [c.name for c in CONTEXT] == list(context), "add, remove or reorder the name in mailkit._context.CONTEXT"
    assert all(c.description and c.type for c in CONTEXT)


def test_every_shipped_macro_is_documented_with_its_parameters() -> None:
    from mailkit._compose import _environment
    from mailkit._paths import TEMPLATES_DIR
    from mailkit.reference import _macros

    found = _macros(_environment((TEMPLATES_DIR,)), "partials/components.mjml.j2")
    assert len(found) > 15
    undocumented = [signature for signature, doc, _ in found if not doc]
    assert not undocumented, f"give each macro a comment right after its {{% macro %}} line: {undocumented}"
    signatures = [signature for signature, _, _ in found]
    assert 'band(label, color=none, text_color=none, uppercase=true)' in signatures


def test_every_theme_key_is_described() -> None:
    from mailkit._models import Brand
    from mailkit.reference import _theme_keys

    assert [key for key, _, _, description in _theme_keys(Brand) if not description] == []


MARKER = __import__("re").compile(r"\bmk-[a-z][a-z-]*|\bdata-(?:text|label)\b")
# the text stage's own element name for a run of text; never in a template
INTERNAL = {"mk-text-run"}


def test_the_classes_python_reads_or_writes_are_named_constants_in_markers() -> None:
    # a class or attribute the Python side relies on, written as a literal
    # outside mailkit._markers, is one the reference does not list
    import ast

    found = []
    for path in sorted((ROOT / "mailkit").glob("*.py")):
        if path.name in ("_markers.py", "_scaffold.py"):  # scaffold writes a template: its classes are template markup
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found += [f"{path.name}:{node.lineno}: {m}" for m in MARKER.findall(node.value) if m not in INTERNAL]
    assert found == []


def test_the_reference_lists_every_marker_constant() -> None:
    from mailkit import _markers as markers
    from mailkit.reference import reference

    page = reference()
    values = {getattr(markers, name) for name in markers.__all__ if name.isupper() and name != "MARKERS"}
    missing = [v for v in values if v not in page]
    assert missing == []
