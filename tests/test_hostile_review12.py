"""review12: today's merges (Word normaliser, calendars, ...) read as an attacker and a maintainer.

Each case: an input a user can give, and what mailkit must do with it: render
it safely (no content lost without a warning), or fail with a named
MailkitError naming the field.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from conftest import FIXTURES

import mailkit
from mailkit._sanitize import sanitize_body

PERSIAN: dict[str, Any] = yaml.safe_load((FIXTURES / "breaking-persian-rtl.yaml").read_text(encoding="utf-8"))


def _body(html: str) -> tuple[str, list[str]]:
    result = sanitize_body(html, field="articles[0].body", base_url=None)
    return result.html, [w.message for w in result.warnings]


@pytest.mark.parametrize("when", ["0500-06-01T12:00:00Z", "0001-01-03T12:00:00Z", "9999-12-29T12:00:00Z"])
def test_a_persian_edition_dated_outside_the_solar_hijri_range_renders(when: str) -> None:
    # a time the models take (0001-01-02 .. 9999-12-30 UTC) but jdatetime cannot write
    # (before 1 AP, 622 CE, or after its year 9377): a TemplateError blaming
    # components.mjml.j2 "ValueError: year is out of range" before
    data = copy.deepcopy(PERSIAN)
    data["articles"][0]["published_at"] = when
    data["articles"][0]["updated_at"] = when
    email = mailkit.render("breaking", data)
    assert email.html


def test_an_image_inside_a_word_spacerun_span_is_kept() -> None:
    # the spacing-run pass took a span whose text is spaces only for a run of spaces,
    # and emptied it: an image (no text of its own) inside went without a warning
    html, warnings = _body('<p>Chart<span style="mso-spacerun:yes">&nbsp;<img src="https://example.com/c.png" '
                           'alt="Turnout chart" width="300" height="200"></span>below</p>')
    assert "https://example.com/c.png" in html or any("img" in w for w in warnings)


def test_a_second_mso_list_ignore_span_keeps_its_text() -> None:
    # only the first mso-list:Ignore span is the item's fake marker; a later one's words
    # were removed with it, without a warning
    html, warnings = _body('<p style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·&nbsp;&nbsp;</span>'
                           'Funds <span style="mso-list:Ignore">agencies through March</span></p>')
    assert "<li>" in html
    assert "agencies through March" in html or warnings


@pytest.mark.parametrize("body", [
    "<table><tr><td><p>Votes</p></td></tr></table>",
    '<p>Turnout rose<span class="MsoFootnoteReference">[1]</span>.</p>',
    "<p>Before the rule<br></p>x<br><hr>",
])
def test_the_office_normaliser_does_not_depend_on_unrelated_markup(body: str) -> None:
    # the normaliser ran only when something else in the body needed the parser (an <h1>,
    # a style attribute ...): a cell's paragraph, a footnote number, a break before a rule
    # came out one way alone and another beside an <h1>
    alone, _ = _body(body)
    with_heading, _ = _body(body + "<h1>Notes</h1>")
    assert alone + "<h2>Notes</h2>" == with_heading
