"""The seventh outside tester's catalogue: what a real newsroom CMS and a wire service
send (data tables with spanning headers, wire copy as plain text, feeds with their own
labels and their own escaping), and what an attacker sends through those shapes.

Each case is an input and its expected outcome: renders so that a reader gets what the
newsroom meant (or is warned by name about what changed), or fails with a named
MailkitError. Same spirit as tests/test_hostile_input.py, through the public API only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from test_hostile_input import BASE, expand, setter

import mailkit

ROOT = Path(__file__).parent.parent
NEWSLETTER = ROOT / "fixtures" / "feeds" / "newsletter.yaml"


def render(body: str, template: str = "breaking", **options: Any) -> mailkit.RenderedEmail:
    data = expand(BASE)
    setter("articles.0.body", body)(data)
    return mailkit.render(template, data, options or None)


# --- data tables with spanning cells ------------------------------------------------------

def turnout_table() -> str:
    """An election desk's table: a two-row header (a group over three columns) and a
    region header spanning five rows of the body, as CMS table editors write them."""
    rows = []
    for i, region in enumerate(["Northeast", "Midwest", "South", "West", "Pacific", "Mountain"]):
        for j in range(5):
            head = f'<th scope="rowgroup" rowspan="5">{region}</th>' if j == 0 else ""
            rows.append(f"<tr>{head}<td>County {i * 5 + j + 1}</td><td>{1000 + i * 137 + j * 11:,}</td>"
                        f"<td>{(i * 7 + j * 3) % 100}.{j}%</td><td>{'+' if j % 2 else '−'}{j}.{i}</td></tr>")
    return ('<table><caption>Turnout by county</caption><thead><tr><th rowspan="2">Region</th>'
            '<th rowspan="2">County</th><th colspan="3">Turnout</th></tr>'
            '<tr><th>Votes</th><th>Share</th><th>Change</th></tr></thead><tbody>' + "".join(rows)
            + '</tbody><tfoot><tr><td colspan="2">Total</td><td>38,412</td><td colspan="2">61.2%</td></tr></tfoot></table>')


def grid(table: Any) -> list[list[tuple[Any, int]]]:
    """Each row's cells with the column each starts at, by the HTML table model (a cell
    spanning rows takes its columns in the rows below; spans stay within their row group)."""
    out = []
    for group in table.iterchildren("thead", "tbody", "tfoot"):
        taken: dict[tuple[int, int], bool] = {}
        for r, tr in enumerate(group.iterchildren("tr")):
            row, c = [], 0
            for cell in tr.iterchildren("td", "th"):
                while taken.get((r, c)):
                    c += 1
                row.append((cell, c))
                for dr in range(int(cell.get("rowspan", "1"))):
                    for dc in range(int(cell.get("colspan", "1"))):
                        taken[r + dr, c + dc] = True
                c += int(cell.get("colspan", "1"))
            out.append(row)
    return out


def test_a_table_with_spanning_headers_labels_each_value_with_its_own_column() -> None:
    # On phones a wide table reads as label/value rows: every value carries its column's
    # header. A region cell spanning five rows moved the next four rows' cells one column
    # left ("Region: County 2", "County: 1,011"), and the second header row's labels were
    # appended after the first row's instead of standing over their columns.
    email = render(f"<p>The county results.</p>{turnout_table()}")
    table = lxml.html.fromstring(email.html).xpath('//table[contains(@class, "mk-table")]')[0]
    rows = grid(table)
    headers: dict[int, list[str]] = {}
    for row in rows[:2]:
        for cell, column in row:
            for dc in range(int(cell.get("colspan", "1"))):
                headers.setdefault(column + dc, []).append(cell.text_content().strip())
    assert headers[2] == ["Turnout", "Votes"]
    labelled = 0
    for row in rows[2:]:
        for cell, column in row:
            if cell.get("data-label") is not None:
                assert cell.get("data-label") == " – ".join(headers[column]), (cell.text_content(), column)
                labelled += 1
    assert labelled >= 30 * 4
    # the numbers' headers stand over them, right-aligned, whichever row they are in
    for cell, _column in rows[1]:
        assert "mk-num" in (cell.get("class") or ""), cell.text_content()


def test_cells_spanning_rows_count_as_columns_against_the_limit() -> None:
    # Twelve cells a row, each spanning the rows below, build a grid 12 x rows wide:
    # 1,200 columns at 100 rows, though each row's own cells are within the limit of 12.
    row = "<tr>" + "".join(f'<td rowspan="100">{i}</td>' for i in range(12)) + "</tr>"
    with pytest.raises(mailkit.LimitExceededError, match=r"articles\[0\]\.body: table 1 has more than 12 columns"):
        render("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>" + row * 100 + "</tbody></table>")


def test_spanning_tables_at_375_px_show_each_value_after_its_own_header(browser: Any) -> None:
    email = render(turnout_table())
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(email.html)
        shown = page.evaluate("""() => [...document.querySelectorAll('table.mk-table tbody tr:nth-child(2) td')]
            .map(td => getComputedStyle(td, '::before').content + ' ' + td.textContent)""")
    finally:
        page.close()
    assert shown == ['"County: " County 2', '"Turnout – Votes: " 1,011', '"Turnout – Share: " 3.1%',
                     '"Turnout – Change: " +1.0']


# --- wire copy and feeds ------------------------------------------------------------------

AP_PLAIN = (
    "   JAKARTA, Indonesia (AP) — A strong earthquake shook Indonesia's\n"
    "main island of Java on Thursday, killing at least 12 people and\n"
    "damaging hundreds of homes, officials said.\n"
    "   The magnitude 6.2 quake was centered 10 kilometers (6 miles)\n"
    "southwest of Cianjur at a depth of 10 kilometers, the U.S. Geological\n"
    "Survey said.\n"
    "   ___\n"
    "   Associated Press writer Edna Tarigan contributed to this report.\n"
    "   Copyright 2026 The Associated Press. All rights reserved. This\n"
    "material may not be published, broadcast, rewritten or redistributed.")


def ap_item(**changes: Any) -> dict[str, Any]:
    """An AP story as ninjs: plain-text body hard-wrapped, each paragraph indented, as
    wire text is (ANPA 1312 / IPTC 7901), and AP's byline with its own "By"."""
    item: dict[str, Any] = {
        "uri": "urn:publicid:ap.org:9f3c2b1a0e7d4c6b8a5f4e3d2c1b0a99", "type": "text", "version": "3",
        "firstcreated": "2026-11-27T14:02:00Z", "versioncreated": "2026-11-27T15:40:00Z",
        "pubstatus": "usable", "copyrightholder": "The Associated Press", "language": "en-US",
        "located": "JAKARTA, Indonesia", "by": "By NINIEK KARMINI and EDNA TARIGAN",
        "headlines": [{"role": "main", "value": "Strong earthquake shakes Indonesia’s Java, killing at least 12"}],
        "bodies": [{"role": "main", "contenttype": "text/plain", "value": AP_PLAIN}],
        "altids": [{"role": "canonical", "value": "https://apnews.com/article/indonesia-earthquake-9f3c2b1a"}],
    }
    item.update(changes)
    return item


def paragraphs(html: str) -> list[str]:
    return [" ".join(p.text_content().split()) for p in lxml.html.fragment_fromstring(html, create_parent="div").iter("p")]


def test_hard_wrapped_wire_copy_reads_as_its_paragraphs() -> None:
    # Each wrapped line of wire copy became a paragraph of its own: sentences cut in
    # three in both parts ("...shook Indonesia's" / "main island of Java ...").
    edition = mailkit.from_ninjs(json.dumps(ap_item()).encode(), newsletter=NEWSLETTER)
    assert paragraphs(edition.articles[0].body or "") == [
        ("JAKARTA, Indonesia (AP) — A strong earthquake shook Indonesia's main island of Java on Thursday, "
        "killing at least 12 people and damaging hundreds of homes, officials said."),
        ("The magnitude 6.2 quake was centered 10 kilometers (6 miles) southwest of Cianjur at a depth of "
        "10 kilometers, the U.S. Geological Survey said."),
        "___",
        "Associated Press writer Edna Tarigan contributed to this report.",
        ("Copyright 2026 The Associated Press. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed.")]
    text = mailkit.render("breaking", edition).text
    assert "shook Indonesia's main\nisland of Java" in text or "shook Indonesia's main island" in text


@pytest.mark.parametrize("plain, expected", [
    # one paragraph a line, as ninjs producers without wrapping write it (fixtures/feeds/ninjs-item.json)
    ("Beijing reacted within hours.\nThe working group met twice.",
     ["Beijing reacted within hours.", "The working group met twice."]),
    # blank lines between paragraphs, lines wrapped inside them
    ("First paragraph wraps\nonto a second line.\n\nSecond paragraph.",
     ["First paragraph wraps onto a second line.", "Second paragraph."]),
    # tab-indented paragraphs, CRLF line ends
    ("\tOne wraps\r\nhere.\r\n\tTwo.", ["One wraps here.", "Two."]),
])
def test_plain_text_bodies_read_the_same_from_every_feed_kind(plain: str, expected: list[str]) -> None:
    ninjs = mailkit.from_ninjs(json.dumps(ap_item(bodies=[{"role": "main", "contenttype": "text/plain",
                                                            "value": plain}])).encode(), newsletter=NEWSLETTER)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "items": [
        {"id": "1", "url": "https://wire.example.org/1", "title": "Quake", "content_text": plain,
         "date_published": "2026-11-27T14:02:00Z"}]}
    jsonfeed = mailkit.from_feed(json.dumps(feed).encode(), newsletter=NEWSLETTER)
    assert paragraphs(ninjs.articles[0].body or "") == expected
    assert paragraphs(jsonfeed.articles[0].body or "") == expected


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example Gazette</title><link>https://gazette.example.org/</link><description>News</description>
<item><title>Council approves budget &amp;amp; new parks</title><link>https://gazette.example.org/2026/11/27/budget/</link>
<guid isPermaLink="false">https://gazette.example.org/?p=48211</guid><dc:creator><![CDATA[{creator}]]></dc:creator>
<pubDate>Fri, 27 Nov 2026 14:00:00 +0000</pubDate><category><![CDATA[Local]]></category>
<description><![CDATA[{description}]]></description>
<content:encoded><![CDATA[{content}]]></content:encoded>
</item></channel></rss>"""


def rss(creator: str = "Maria Lopez", description: str = "<p>The council voted 7-2.</p>",
        content: str = "<p>The council voted 7-2 on Thursday.</p>") -> mailkit.Edition:
    return mailkit.from_feed(RSS.format(creator=creator, description=description, content=content).encode(),
                             newsletter=NEWSLETTER)


@pytest.mark.parametrize("byline", ["By Maria Lopez", "BY MARIA LOPEZ", "By: Maria Lopez", "by  Maria Lopez"])
def test_a_feeds_byline_with_its_own_by_is_not_written_by_by(byline: str) -> None:
    # The email writes "By {names}" itself: AP's ninjs "by" and many RSS dc:creator hold
    # "By ...", which read "By By Maria Lopez" (as the Guardian's "Photograph:" credits
    # read "Photo: Photograph: ..." before the credit's label was dropped).
    author = rss(creator=byline).articles[0].authors[0].name
    assert author.lower() == "maria lopez"
    assert "By By" not in mailkit.render("digest", rss(creator=byline)).text
    ap = mailkit.from_ninjs(json.dumps(ap_item()).encode(), newsletter=NEWSLETTER)
    assert ap.articles[0].authors[0].name == "NINIEK KARMINI and EDNA TARIGAN"


@pytest.mark.parametrize("name", ["Byron Tau", "By", "Bylines Desk"])
def test_a_name_that_only_starts_like_by_is_kept(name: str) -> None:
    assert rss(creator=name).articles[0].authors[0].name == name


@pytest.mark.parametrize("description, content", [
    # WordPress plugins and CMS exporters escape the HTML once more than RSS needs,
    # inside CDATA: readers saw "<p>The council voted 7-2.</p>" and "&lt;p&gt;..." as text
    ("&lt;p&gt;The council voted 7-2.&lt;/p&gt;",
     "&lt;p&gt;The council voted 7-2 on &lt;strong&gt;Thursday&lt;/strong&gt;.&lt;/p&gt;"),
    ("&amp;lt;p&amp;gt;The council voted 7-2.&amp;lt;/p&amp;gt;",
     "&amp;lt;p&amp;gt;The council voted 7-2 on &amp;lt;strong&amp;gt;Thursday&amp;lt;/strong&amp;gt;.&amp;lt;/p&amp;gt;"),
])
def test_html_escaped_once_too_often_in_a_feed_is_read_as_html_with_a_warning(description: str, content: str) -> None:
    with pytest.warns(mailkit.FeedWarning) as caught:
        edition = rss(description=description, content=content)
    story = edition.articles[0]
    assert story.dek == "The council voted 7-2."
    assert paragraphs(story.body or "") == ["The council voted 7-2 on Thursday."]
    assert "<strong>Thursday</strong>" in (story.body or "")
    escaped = [w.message for w in caught.list if getattr(w.message, "code", "") == "feed-html-unescaped"]
    assert {w.field for w in escaped} == {"dek", "body"}, [str(w.message) for w in caught.list]
    text = mailkit.render("digest", edition).text
    assert "<p>" not in text and "&lt;" not in text


@pytest.mark.parametrize("text", ["I &lt;3 my city", "&lt;Company&gt; is not a tag we know of",
                                  "Use the &lt;p&gt; tag, said the teacher"])
def test_escaped_text_that_is_not_escaped_markup_stays_text(text: str) -> None:
    edition = rss(description=text, content=f"<p>{text}</p>")
    assert edition.articles[0].dek == text.replace("&lt;", "<").replace("&gt;", ">")


# --- fixture files with characters YAML refuses -------------------------------------------

SEED_TEXT = (ROOT / "fixtures" / "breaking-china-cyberspying.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_a_raw_control_character_in_a_fixture_file_is_one_line_naming_line_and_column(
        tmp_path: Path, char: str) -> None:
    # PyYAML's reader refuses it with a two-line message ('  in "<unicode string>",
    # position 1285'): the CLI's "one line" became two, and neither named the line.
    lines = SEED_TEXT.split("\n")
    number = next(i for i, line in enumerate(lines) if line.lstrip(" -").startswith("headline:"))
    column = lines[number].index("China") + 3
    lines[number] = lines[number][:column - 1] + char + lines[number][column - 1:]
    path = tmp_path / "story.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(mailkit.InvalidFixtureError) as caught:
        mailkit.render("breaking", path)
    message = str(caught.value)
    assert "\n" not in message
    assert f"line {number + 1}, column {column}" in message
    assert f"U+{ord(char):04X}" in message
    run = subprocess.run([sys.executable, "-m", "mailkit", "render", "breaking", str(path), "-o", str(tmp_path)],
                         check=False, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("mailkit: error: "), run.stderr


# --- mixed direction in the text part -------------------------------------------------------

RLM, LRM = "\u200f", "\u200e"


def hebrew(**article: Any) -> dict[str, Any]:
    import yaml
    data = yaml.safe_load((ROOT / "fixtures" / "breaking-hebrew-rtl.yaml").read_text(encoding="utf-8"))
    data["articles"][0].update(article)
    return data


def test_a_hebrew_line_that_starts_with_a_latin_brand_reads_right_to_left_in_the_text_part() -> None:
    # text/plain has no dir: each line's direction is its first letter's (Unicode's
    # bidi algorithm, P2-P3). "Apple משיקה ..." was laid out left to right, and a
    # reader reading from the right met the brand last: "... ש״ח Apple".
    headline = "Apple משיקה אייפון חדש ב-3,999 ש״ח"
    email = mailkit.render("breaking", hebrew(headline=headline, dek="iPhone 17 יגיע לחנויות ב-12 בדצמבר"))
    lines = email.text.splitlines()
    assert RLM + headline in lines
    underline = lines[lines.index(RLM + headline) + 1]
    assert underline == "=" * len(headline)  # the mark takes no column
    assert RLM + "iPhone 17 יגיע לחנויות ב-12 בדצמבר" in lines
    # a line already right to left, or one with no Hebrew at all (a URL, the brand), is left alone
    assert not any(line.startswith(RLM) and line[1:2] in "אבגדהוזחטיכלמנסעפצקרשת" for line in lines)
    assert all(not line.startswith(RLM) for line in lines if line.startswith(("https://", "[")))
    # what the reader gets is the same on every path: the message, a reader of their own
    reader = mailkit.Recipient(email="dana@example.org", first_name="Dana")
    prepared = mailkit.prepare("breaking", hebrew(headline=headline))
    assert RLM + headline in prepared.personalize(reader).text.splitlines()


def test_a_reader_line_wrapped_per_reader_gets_its_mark_once(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "hello.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% block content %}<mj-section><mj-column><mj-text>'
        "<p>{{ recipient.first_name }} שלום, {{ recipient.first_name }} זה עדכון</p>"
        "</mj-text></mj-column></mj-section>{% endblock %}", encoding="utf-8")
    renderer = mailkit.Renderer(template_dirs=(templates,))
    prepared = renderer.prepare("hello", hebrew())
    text = prepared.personalize(mailkit.Recipient(email="dana@example.org", first_name="Dana")).text
    assert RLM + "Dana שלום, Dana זה עדכון" in text.splitlines()
    assert RLM + RLM not in text


def test_an_english_text_part_is_left_as_it_was() -> None:
    assert RLM not in mailkit.render("breaking", expand(BASE)).text
    assert LRM not in mailkit.render("breaking", expand(BASE)).text


# --- a Google Docs paste ----------------------------------------------------------------------

GDOCS_SPAN = ("font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;"
              "font-variant:normal;text-decoration:none;white-space:pre;white-space:pre-wrap;")


def gdocs(runs: str) -> str:
    """What a reporter's Google Doc pastes into a CMS: one <b style="font-weight:normal"> around it
    all, every run a span whose style alone says bold, italic or superscript."""
    return ('<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-3f1c2a7e-7fff-9b1d">'
            f'<p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;">{runs}</p></b>'
            '<br class="Apple-interchange-newline">')


def run(text: str, style: str = "") -> str:
    return f'<span style="{GDOCS_SPAN}font-weight:400;font-style:normal;vertical-align:baseline;{style}">{text}</span>'


def test_a_google_docs_paste_keeps_its_bold_italic_and_superscripts_and_is_not_all_bold() -> None:
    # The style attribute goes (with a warning), and with it all that said bold, italic or
    # superscript: "DENVER" lost its bold, "two feet" its italics, and footnote "1" read
    # "overnight.1". The wrapper's own <b> (its style says normal) must not make it all bold.
    body = gdocs(run("DENVER", "font-weight:700;") + run(" — A spring storm dropped ")
                 + run("two feet", "font-style:italic;") + run(" of snow overnight.")
                 + run("1", "vertical-align:super;") + run(" Roads were ") + run("closed", "text-decoration:line-through;")
                 + run(" shut."))
    email = render(body)
    story = lxml.html.fromstring(email.html).xpath('//p[contains(., "spring storm")]')[0]
    assert [el.text_content() for el in story.iter("strong", "b")] == ["DENVER"]
    assert [el.text_content() for el in story.iter("em", "i")] == ["two feet"]
    assert [el.text_content() for el in story.iter("sup")] == ["1"]
    assert [el.text_content() for el in story.iter("s", "del")] == ["closed"]
    assert not [a for a in story.iterancestors("b", "strong")]
    assert "overnight.^1 Roads" in email.text
    assert any(w.code == "attribute-dropped" and "style=" in w for w in email.warnings)


def test_styles_that_say_nothing_a_reader_sees_add_no_elements() -> None:
    body = ('<p><span style="font-weight:normal">a</span> <span style="mso-bidi-font-weight:bold">b</span> '
            '<b style="font-weight:bold">c</b> <span style="font-style:normal">d</span></p>')
    email = render(body)
    story = lxml.html.fromstring(email.html).xpath('//p[contains(., "mso") or contains(., "a b")]')[0]
    assert [el.text_content() for el in story.iter("strong", "b")] == ["c"]
    assert not list(story.iter("em", "i", "sup", "sub", "s"))


def test_a_style_on_a_table_a_list_or_an_image_keeps_their_structure() -> None:
    body = ('<p>Lead.</p><table style="font-weight:bold"><thead><tr><th>Team</th><th>Score</th></tr></thead>'
            '<tbody style="font-style:italic"><tr style="font-weight:700"><td>Ajax</td><td>2</td></tr></tbody></table>'
            '<ul style="font-style:italic"><li>one</li></ul>'
            '<img src="https://cdn.example.org/a.jpg" alt="A photo" width="600" height="400" style="vertical-align:super">')
    email = render(body)
    root = lxml.html.fromstring(email.html)
    table = root.xpath('//table[contains(@class, "mk-table")]')[0]
    assert [td.text_content() for td in table.iter("td")] == ["Ajax", "2"]
    assert not table.xpath(".//strong[tr or tbody] | .//em[tr]")
    assert root.xpath('//ul/li[. = "one"]')
    assert root.xpath('//img[@alt="A photo"]') and not root.xpath('//img/*')


def test_a_header_spanning_past_its_row_group_does_not_shift_the_text_parts_rows() -> None:
    # A rowspan ends with its row group (thead, tbody, tfoot), as browsers lay it out: the
    # text part carried a header's rowspan="3" into the body, "Smith" under "Votes".
    body = ('<table><thead><tr><th rowspan="3">Candidate</th><th>Votes</th></tr></thead><tbody>'
            '<tr><td>Smith</td><td>1,204</td></tr><tr><td>Jones</td><td>998</td></tr></tbody></table>')
    text = render(body).text
    assert "Candidate  Votes\n---------  -----\nSmith      1,204\nJones        998\n" in text


# --- a language written in another script than its catalog's ---------------------------------

@pytest.mark.parametrize("lang", ["ar-Latn", "hi-Latn", "he-Latn", "fa-Latn", "ja-Latn", "ru-Latn"])
def test_a_tag_naming_another_script_never_gets_the_catalog_or_dates_of_the_usual_one(lang: str) -> None:
    # Arabizi, Hinglish and romaji newsletters: "ar-Latn" got the Arabic catalog and Arabic
    # dates ("عاجل", "20 مايو 2014") in a left-to-right email, with no warning, though
    # zh-Hant is (rightly) never given the Simplified catalog.
    data = expand(BASE)
    data["language"] = lang
    email = mailkit.render("breaking", data)
    assert "BREAKING NEWS" in email.text
    assert [w.field for w in email.warnings if w.code == "no-catalog"] == ["lang"]
    # every character the email writes itself is in the tag's script: here Latin (the story is English)
    foreign = [c for c in email.text if ord(c) > 0x24F and not 0x2000 <= ord(c) <= 0x206F]
    assert not foreign, "".join(foreign)[:40]


@pytest.mark.parametrize("lang, band", [("ar-Arab", "عاجل"), ("de-Latn", "EILMELDUNG"), ("zh-Hans", "突发新闻"),
                                        ("ja-Jpan", "速報"), ("he", "מבזק"), ("pt-Latn-BR", "ÚLTIMA HORA")])
def test_a_tag_naming_its_languages_own_script_keeps_its_catalog(lang: str, band: str) -> None:
    data = expand(BASE)
    data["language"] = lang
    email = mailkit.render("breaking", data)
    assert band in email.text
    assert not [w for w in email.warnings if w.code == "no-catalog"]


def test_the_right_to_left_mark_takes_no_column_where_lines_are_wrapped_and_measured() -> None:
    # A terminal gives U+200F no column (wcwidth 0): a wrapped line of 78 columns with its
    # mark is 78 columns, as mailkit's own measure must say (lines over 78 are bare URLs only).
    from mailkit._text import columns
    paragraph = "Apple " + " ".join(["משיקה אייפון חדש בישראל"] * 30)
    email = mailkit.render("breaking", hebrew(body=f"<p>{paragraph}</p>"))
    marked = [line for line in email.text.splitlines() if line.startswith(RLM)]
    assert marked and all(columns(line) == len(line) - 1 for line in marked)
    assert all(columns(line) <= 78 for line in email.text.splitlines() if not line.startswith("https://"))
