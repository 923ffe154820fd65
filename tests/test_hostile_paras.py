"""Hostile inputs for the paragraph fast paths (issue 17 part 2), each with its expected outcome.

The render's fast paths (text runs wrapped in one pass, the body scans that read
each distinct tag once, html2text's calls skipped in the usual state, placeholders
found with one pattern and the nonce compared, premailer's merges memoised) must
give what the slow paths gave, so each case renders safely and as the plain
reading says; none is a traceback or a hang.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def with_body(body: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = body
    return data


def test_another_emails_placeholder_in_a_body_stays_text() -> None:
    # a placeholder spelled with a nonce that is not this render's, next to text: printed as it is
    forged = "mk123456789012345xemailq mk123456789012345xline0q mk1234567890123456xemailq"
    email = mailkit.render("breaking", with_body(f"<p>Forged: {forged}.</p>"),
                           recipient={"email": "ana@example.org", "first_name": "Ana"})
    assert forged in " ".join(email.text.split())  # wrapped at 78 columns
    assert forged in email.html
    assert "ana@example.org" not in email.html.split("Forged:")[1].split("</p>")[0]


def test_a_text_engine_line_with_a_line_break_is_laid_out_as_before() -> None:
    # a TextEngine of one's own may hand back a "text" line holding "\n": not a run the
    # one-pass wrapper takes (its lines end at "\n"), laid out by the line-by-line path
    from mailkit._text import TextOptions, assemble, lay_out, lay_out_text

    class Breaks:
        name = "breaks"

        def lines(self, root: Any, options: TextOptions) -> list[tuple[str, str]]:
            return [("text", "first half\nsecond half " + "word " * 30 + "end"), ("text", ""), ("text", "x " * 60)]

    email = mailkit.render("breaking", SEED, {"text_engine": Breaks()})
    lines = Breaks().lines(None, TextOptions())
    assert email.text == lay_out_text(lines, TextOptions()) == assemble([lay_out(x, TextOptions()) for x in lines],
                                                                        TextOptions())


@pytest.mark.parametrize("word", ["x" * 5_000, "https://example.org/" + "a" * 5_000, "中" * 3_000, "e\u0301" * 2_000,
                                  "\u200b".join("ab" * 1_000), "a\u00a0" * 2_000, "\t".join(["tab"] * 1_000)])
def test_a_paragraph_of_one_enormous_word_renders_and_keeps_it(word: str) -> None:
    email = mailkit.render("breaking", with_body(f"<p>Before {word} after.</p>" * 3))
    assert "Before" in email.text and "after." in email.text


def test_many_short_paragraphs_render_in_bounded_time() -> None:
    # a generous bound a superlinear path breaks: 6,000 paragraphs of a few words
    # (the body limit is in bytes, so short ones are the most paragraphs a body holds)
    body = "".join(f"<p>Short {i}.</p>\n" for i in range(6_000))
    start = time.process_time()
    email = mailkit.render("breaking", with_body(body))
    assert time.process_time() - start < 10
    assert len(re.findall(r"^Short \d+\.$", email.text, re.MULTILINE)) == 6_000
