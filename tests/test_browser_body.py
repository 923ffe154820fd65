"""Body tables, code and embed cards in a real browser (Chromium via playwright), tests/test_browser.py style.

At 375 px every table, <pre> and embed card of the body fits the column: no
sideways scroll of the page, nothing wider than the text column, no word
broken inside a number; a wide table is read row by row, each value after
its column's header. At 1000 px a data table keeps its columns, numbers
right-aligned.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from conftest import matrix, pair_id, rendered
from test_browser import open_email

pytestmark = pytest.mark.browser

BODY_BLOCKS = "td.mk-text table.mk-table, td.mk-text pre, td.mk-text div.mk-embed"
PAIRS = [p for p in matrix() if any(s in p[1].stem for s in ("election-night", "tech-code", "wire-embeds"))]


def test_the_new_fixtures_are_in_the_matrix() -> None:
    assert {p[1].stem for p in PAIRS} == {"special-report-election-night", "special-report-tech-code",
                                          "breaking-wire-embeds"}


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_tables_and_code_fit_375px_without_sideways_scroll(browser, pair) -> None:  # type: ignore[no-untyped-def]
    email = rendered(*pair)
    context, page = open_email(browser, email.html, 375)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        blocks = page.eval_on_selector_all(BODY_BLOCKS, """els => els.map(e => {
            const r = e.getBoundingClientRect(), col = e.closest('td.mk-text').getBoundingClientRect();
            return {tag: e.tagName, left: r.left, right: r.right, colLeft: col.left, colRight: col.right,
                    scroll: e.scrollWidth, client: e.clientWidth}; })""")
        assert blocks, "the fixture has tables, code or embeds"
        for b in blocks:
            assert b["right"] <= b["colRight"] + 0.5 and b["left"] >= b["colLeft"] - 0.5, b
            assert b["scroll"] <= b["client"] + 1, f"{b['tag']} scrolls inside itself: {b}"
        # a number is never broken over two lines
        for height, line in page.eval_on_selector_all(
                "td.mk-num", "els => els.map(e => [e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)])"):
            assert height < 2 * line + 12 + 1, "a number wraps"
    finally:
        context.close()


def test_pre_keeps_its_lines_and_uses_a_monospace_font(browser) -> None:  # type: ignore[no-untyped-def]
    email = rendered("special-report", next(p for _, p in PAIRS if "tech-code" in p.stem))
    context, page = open_email(browser, email.html, 1000)
    try:
        pre = page.eval_on_selector_all("td.mk-text pre", """els => els.map(e => ({
            text: e.innerText, font: getComputedStyle(e).fontFamily, ws: getComputedStyle(e).whiteSpace}))""")
        assert len(pre) == 2
        assert "    now = now or datetime.now(timezone.utc)\n" in pre[1]["text"]
        assert all("monospace" in p["font"] and p["ws"] == "pre-wrap" for p in pre)
        code = page.eval_on_selector("td.mk-text p code", "e => getComputedStyle(e).fontFamily")
        assert "monospace" in code
    finally:
        context.close()


def test_wide_table_reads_row_by_row_on_a_phone_and_as_columns_on_desktop(browser) -> None:  # type: ignore[no-untyped-def]
    email = rendered("special-report", next(p for _, p in PAIRS if "election-night" in p.stem))
    for width in (375, 1000):
        context, page = open_email(browser, email.html, width)
        try:
            cells = page.eval_on_selector_all("table.mk-table-wide tbody tr:first-child td", """els => els.map(e => ({
                y: e.getBoundingClientRect().top, text: e.innerText,
                before: getComputedStyle(e, '::before').content, align: getComputedStyle(e).textAlign}))""")
            assert len(cells) == 5
            if width == 375:  # stacked, each value after its header
                assert all(b["y"] > a["y"] for a, b in pairwise(cells))
                assert cells[1]["before"] == '"Alvarez: "'
            else:  # one row, numbers right-aligned
                assert len({round(c["y"]) for c in cells}) == 1
                assert [c["align"] for c in cells] == ["left", "right", "right", "right", "right"]
        finally:
            context.close()
