"""The outside tester's catalogue: hostile and real-world inputs the other
catalogues did not hold, each with its expected outcome (renders safely, or
fails with a named MailkitError whose message names the field).

Same spirit as tests/test_hostile_input.py; a case that still fails is marked
``xfail(strict=True)`` with the defect named.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from conftest import COLUMNS, element_widths
from test_hostile_input import BASE, dangerous, expand, setter

import mailkit
from mailkit._text import columns

# Outlook's conditional comment as a text field (a headline about email, a
# pasted alt text): libxml2 writes "<!--...-->" in an attribute unescaped
SSI = "<!--[if mso]><script>alert(1)</script><![endif]-->"
SSI_TABLE = ("<table><thead><tr><th>" + SSI.replace("<", "&lt;") + "</th><th>b</th><th>c</th><th>d</th><th>e</th>"
             "</tr></thead><tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td></tr></table>")


def render(field: str, value: Any, template: str = "breaking") -> mailkit.RenderedEmail:
    data = expand(BASE)
    setter(field, value)(data)
    return mailkit.render(template, data)


BASE_COMMENTS = render("articles.0.dek", "plain").html.count("<!--")


@pytest.mark.parametrize(("field", "value"), [
    ("articles.0.headline", SSI),  # the page's aria-label
    ("articles.0.image.alt", SSI),
    ("articles.0.body", SSI_TABLE),  # a wide table's data-label
    ("articles.0.body", f'<p><img src="https://e.example/a.jpg" alt="{SSI.replace("<", "&lt;")}"></p>'),
], ids=["headline", "image-alt", "table-label", "body-img-alt"])
def test_comment_in_attribute_is_escaped(field: str, value: str) -> None:
    email = render(field, value)
    assert "<script" not in email.html
    assert email.html.count("<!--") == BASE_COMMENTS
    root = lxml.html.document_fromstring(email.html)
    assert any(SSI in v for el in root.iter() if isinstance(el.tag, str) for v in el.attrib.values())
    assert not dangerous(email.html)
    # the tree the text stage reads is put back as it was
    assert "mk" + "0" * 32 not in email.text and not re.search(r"mk[0-9a-f]{32}", email.text + email.html)


ESCAPED = 'AT&amp;T &lt;b&gt; &quot;q&quot; &amp;lt;'  # reads: AT&T <b> "q" &lt;


@pytest.mark.parametrize("body", [
    f'<p><img src="https://e.example/a.jpg" alt="{ESCAPED}"></p>',
    f'<p><a href="https://e.example/" title="{ESCAPED}">x</a></p>',
    f'<p><abbr title="{ESCAPED}">x</abbr></p>',
    ("<table><thead><tr><th>" + ESCAPED + "</th><th>b</th><th>c</th><th>d</th><th>e</th></tr></thead>"
     "<tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td></tr></table>"),
], ids=["img-alt", "a-title", "abbr-title", "table-label"])
def test_body_attribute_escaped_once(body: str) -> None:
    """A body attribute holding < or > (escaped, as a CMS writes it) reads as
    written: nh3 0.3.8 escapes < and > in attribute values too, and mailkit
    decoded only & " and nbsp, so "&lt;b&gt;" reached readers as "&lt;b&gt;"."""
    email = render("articles.0.body", body)
    root = lxml.html.document_fromstring(email.html)
    values = [v for el in root.iter() if isinstance(el.tag, str) for v in el.attrib.values()]
    assert 'AT&T <b> "q" &lt;' in values


def _no_dek(body: str) -> dict[str, Any]:
    data = expand(BASE)
    data["articles"][0].pop("dek", None)
    data["articles"][0]["body"] = body
    return data


def test_preheader_from_a_body_of_initials_is_linear() -> None:
    """No dek: the preheader is the body's first sentence, and every ". X"
    that follows an initial is a stop that is an abbreviation. The
    abbreviation test searched everything before each stop: 30 KB took
    about 10 s, 96 KB two minutes (a body may hold 300 KB)."""
    start = time.perf_counter()
    email = mailkit.render("breaking", _no_dek("<p>" + "A. " * 10_000 + "</p>"))
    assert time.perf_counter() - start < 2
    assert email.preheader.startswith("A. A. ") and len(email.preheader) <= 130
    # the first sentence still skips abbreviations ("U.S.", "Mr.") and ends at the stop after them
    email = mailkit.render("breaking", _no_dek("<p>Mr. Smith met U.S. officials. Then he left.</p>"))
    assert email.preheader == "Mr. Smith met U.S. officials."


@pytest.mark.parametrize("body", ["<p>" + "1" * 100_000 + "</p>", "<blockquote><p>" + "1." * 50_000 + "</p></blockquote>"],
                         ids=["digits", "quoted-numbers"])
def test_long_unbreakable_number_is_linear(body: str) -> None:
    """A line over the width that is one word is checked for a URL behind a
    quote's or list's prefix; the pattern's lazy prefix of digits and its
    '\\S+://' tried every split of a 100,000-digit word (8 s, 280 KB: a minute)."""
    start = time.perf_counter()
    email = render("articles.0.body", body)
    assert time.perf_counter() - start < 2
    assert any(len(line) > 99_000 for line in email.text.splitlines())  # one word, never broken


def test_url_behind_a_prefix_still_moves_to_column_0() -> None:
    url = "https://www.example.org/" + "a" * 90
    email = render("articles.0.body", f'<blockquote><p><a href="{url}">{url}</a></p></blockquote>')
    assert url in email.text.splitlines()


JOINED = ["👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "👩🏽\u200d💻", "می\u200cخواهم", "क्\u200dष"]


@pytest.mark.parametrize("where", ["p", "pre", "headline"])
def test_text_part_keeps_joiners(where: str) -> None:
    """Zero-width joiners and non-joiners inside a word or an emoji sequence
    are text: the text part stripped every U+200C/U+200D with the preheader's
    filler, so a family emoji became four people, the rainbow flag a white flag
    and a rainbow, and Persian words lost their ZWNJ."""
    words = " ".join(JOINED)
    if where == "headline":
        email = render("articles.0.headline", f"Families {words}")
    else:
        email = render("articles.0.body", f"<{where}>Families {words}</{where}>")
    for word in JOINED:
        assert word in email.text
    assert "\u034f" not in email.text and "\u200c " not in email.text  # the preheader's filler stays out


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_fixture_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    """A named pipe called x.yaml (left by a script, or a fixtures folder on a
    shared mount) made load_edition, render and `check --all` wait for a writer
    forever; a device is read as nothing useful. Both are refused at once."""
    path = tmp_path / "x.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    start = time.perf_counter()
    with pytest.raises(mailkit.InvalidFixtureError, match=r"x\.yaml: .*not a regular file"):
        mailkit.load_edition(path)
    assert time.perf_counter() - start < 1


def test_headline_with_encoded_word_lookalike_is_sent() -> None:
    headline = "Why =?utf-8?q?hello?= shows in your inbox"
    email = render("articles.0.headline", headline)
    message = email.to_message(to="ana@example.org")
    assert str(message["Subject"]) == headline


def test_cjk_paragraph_wraps() -> None:
    email = render("articles.0.body", '<p lang="zh">' + "中文没有空格" * 30 + "</p>")
    long_lines = [line for line in email.text.splitlines() if len(line) > 78 and not re.match(r"\S+://\S+$", line)]
    assert long_lines == []


@pytest.mark.parametrize(("fields", "message"), [
    ({"email": "not-an-address"}, r"^Recipient: email: "),
    ({"email": "josé@example.org"}, r"^Recipient: email: "),
    ({"email": "a@example.org", "first_name": "Ana\x00"}, r"^Recipient: first_name: control character U\+0000"),
    ({"email": "a@example.org", "link_params": {"a b": "x"}}, r"^Recipient: link_params"),
], ids=["address", "non-ascii-local", "nul", "param-name"])
def test_a_bad_recipient_is_a_mailkit_error(fields: dict[str, Any], message: str) -> None:
    """The README: every failure is a MailkitError, and an address is checked
    when a Recipient is loaded. Recipient(...) raised pydantic's ValidationError,
    which a bulk job catching MailkitError did not catch."""
    with pytest.raises(mailkit.InvalidFixtureError, match=message):
        mailkit.Recipient(**fields)


def test_toml_huge_integer_after_many_long_digit_runs_is_quick(tmp_path: Path) -> None:
    """tomllib refuses an integer of 4,300 digits; mailkit then finds it with a
    regex to give its line. Every digit of a run just short of 4,000 began a
    scan to the run's end: 2 MB of such runs in comments took 10 s."""
    line = "# " + "1" * 3999 + "\n"
    path = tmp_path / "big.toml"
    path.write_text(line * ((mailkit.LIMITS.max_file_bytes - 10_000) // len(line)) + "x = " + "1" * 4400 + "\n")
    start = time.perf_counter()
    with pytest.raises(mailkit.InvalidFixtureError, match=r"big\.toml: line \d+: integer of 4,400 digits"):
        mailkit.load_edition(path)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(("language", "direction"), [
    ("ckb", "rtl"),  # Central Kurdish (Sorani), Arabic script: Rudaw, Kurdistan24
    ("ug", "rtl"),  # Uyghur
    ("az-Arab", "rtl"),
    ("ha", "ltr"),  # Hausa is written in Latin letters: BBC Hausa, VOA Hausa
    ("ar", "rtl"), ("he", "rtl"), ("en", "ltr"),
])
def test_edition_direction_follows_cldr(language: str, direction: str) -> None:
    """The document's dir came from a hand list only: a Sorani or Uyghur
    edition was laid out left to right and a Hausa one mirrored, right to left
    (a story's own language already asked CLDR as well)."""
    email = render("newsletter.language", language)
    root = lxml.html.document_fromstring(email.html)
    assert root.get("dir") == direction


@pytest.mark.parametrize(("body", "expected"), [
    ('<p><a href="https://e.example/">Read<br>more <b>now<br></b>please</a></p>', "Read more now please [1]"),
    ("<pre>line1<br>line2<br/>  line3</pre>", "    line1\n    line2\n      line3\n"),
    ("<table><tr><th>City</th><th>Votes</th></tr><tr><td>Kyiv<br>Ukraine</td><td>2</td></tr></table>", "Kyiv Ukraine"),
], ids=["link", "pre", "cell"])
def test_line_break_inside_link_pre_or_cell_is_kept(body: str, expected: str) -> None:
    """The text part read a link's, a <pre>'s and a table cell's text with
    itertext(), which skips <br>: "Read<br>more" became "Readmore", a CMS's
    code block of <br>-separated lines one line, a cell "KyivUkraine"."""
    assert expected in render("articles.0.body", body).text


@pytest.mark.parametrize(("body", "preheader"), [
    ("<style>p{color:red}</style><p>Hello world. Next.</p>", "Hello world."),
    ("<script>var a = 'x';</script><p>Hi there. Next.</p>", "Hi there."),
    ("<form><input value='x'>Sign up now. X</form><p>Shown. Next.</p>", "Shown."),
    ("<p><b>Wash</b>ington <a href='https://e.example/'>U.S.</a>'s plan. Next.</p>", "Washington U.S.'s plan."),
], ids=["style", "script", "form", "inline-tags"])
def test_preheader_from_the_cleaned_body(body: str, preheader: str) -> None:
    """No dek: the preheader is the body's first sentence, but it was read from
    the raw body, so a CMS's <style> or <script> text, or a form the cleaning
    drops, became the inbox preview; and every tag split a word ("Wash ington")."""
    assert mailkit.render("breaking", _no_dek(body)).preheader == preheader


# --- wire and CMS content in other scripts, and the body's rarer elements ---------------------------

def _lines_over(text: str, width: int = 78) -> list[str]:
    """Lines of the text part over ``width`` that are neither a bare URL nor preformatted (four spaces in)."""
    # (in columns, as a terminal counts them: a combining mark takes none)
    return [line for line in text.splitlines()
            if columns(line) > width and not re.match(r"\S+://\S+$", line) and not line.startswith("    ")]


def test_figure_captions_stay_apart_in_the_text_part() -> None:
    """Two figures in a row: html2text knows no <figure> or <figcaption>, so
    it ran their captions into one line, "... / ReutersHow it spread."."""
    email = render("articles.0.body",
                   '<figure><img src="https://e.example/pano.jpg" width="4000" height="200" alt="Panorama">'
                   "<figcaption>The valley on Tuesday.</figcaption></figure>"
                   '<figure><img src="https://e.example/tall.png" width="200" height="4000" alt="Infographic">'
                   "<figcaption>How it spread.</figcaption></figure><p>After.</p>")
    assert "\nThe valley on Tuesday.\n\nHow it spread.\n\nAfter.\n" in email.text


RUBY = ("<p><ruby>気象庁<rp>（</rp><rt>きしょうちょう</rt><rp>）</rp></ruby>によると、"
        "<ruby>官房長官<rt>かんぼうちょうかん</rt></ruby>は述べた。</p>")


def test_ruby_annotations_are_kept_and_read_in_brackets() -> None:
    """Japanese furigana (<ruby>, <rt>, <rp>): the allowlist dropped the three
    elements with a warning but kept their text, so "官房長官<rt>かんぼうちょうかん</rt>"
    (no <rp>, as many CMSs write it) read "官房長官かんぼうちょうかん" in both parts,
    the reading glued to the word it annotates."""
    email = render("articles.0.body", RUBY)
    assert not [w for w in email.warnings if w.code == "element-dropped"]
    assert "気象庁（きしょうちょう）によると、官房長官（かんぼうちょうかん）は述べた。" in email.text.replace("\n", "")
    root = lxml.html.document_fromstring(email.html)
    rubies = root.findall(".//ruby")
    assert len(rubies) == 2
    # a client without ruby layout shows the brackets: every <rt> has its <rp> on each side
    for ruby in rubies:
        tags = [el.tag for el in ruby]
        assert tags == ["rp", "rt", "rp"]
    # and the preheader, read from the body when there is no dek, reads as the text part
    assert mailkit.render("breaking", _no_dek(RUBY)).preheader == ("気象庁（きしょうちょう）によると、"
                                                                   "官房長官（かんぼうちょうかん）は述べた。")


THAI = ("กรุงเทพมหานครประกาศให้โรงเรียนในสังกัดทั้งหมดหยุดการเรียนการสอนเป็นเวลาสองวัน"
        "เนื่องจากค่าฝุ่นละอองขนาดเล็กเกินมาตรฐานในหลายพื้นที่ของเมืองหลวง")


@pytest.mark.parametrize("where", ["body", "dek", "headline"])
def test_thai_text_part_wraps_between_clusters(where: str) -> None:
    """Thai (and Lao, Khmer, Myanmar) write no spaces between words: a Thai
    paragraph was one line of 400 columns in the text part, which promises 78.
    It wraps, and never inside a character cluster (a vowel or tone mark
    stays on its consonant's line; a leading vowel on the line of the consonant after it)."""
    if where == "body":
        email = render("articles.0.body", f'<p lang="th">{THAI * 3}</p>')
    else:
        email = render(f"articles.0.{where}", THAI)
    assert _lines_over(email.text) == []
    assert THAI in email.text.replace("\n", "")
    import unicodedata
    for line in email.text.splitlines():
        assert not line or (not unicodedata.category(line[0]).startswith("M") and line[0] not in "ะาำๅฯๆ"), line
        assert not line or line[-1] not in "เแโใไ", line


def test_footnote_link_reads_as_a_superscript() -> None:
    """A superscript number reads "^1" in the text part, as the README says, but
    a footnote's number is nearly always a link, and a linked one read
    "footnote1 [1]"."""
    # "#fn1" resolves against the story's URL: the notes are on its page
    email = render("articles.0.body", '<p>A claim<sup><a href="#fn1">1</a></sup> and another<sup>2</sup>.</p>')
    assert "A claim^1 [1] and another^2." in email.text
    email = render("articles.0.body", '<p>A claim<sup><a href="https://e.example/n#1">*</a></sup>.</p>')
    assert "A claim^* [1]." in email.text


FIGURES = ('<figure><img src="https://e.example/pano.jpg" width="4000" height="200" alt="Panorama of the valley">'
           "<figcaption>The valley.</figcaption></figure>"
           '<figure><img src="https://e.example/tall.png" width="200" height="4000" alt="Infographic: the flood">'
           "<figcaption>How it spread.</figcaption></figure>"
           '<p><img src="https://e.example/icon.png" width="48" height="48" alt="Map icon"></p>'
           '<p><img src="https://e.example/any.jpg" alt="A photo without dimensions"></p>')


def test_body_images_are_never_wider_than_their_file() -> None:
    """A body image stretched to the column whatever its file (width:100%):
    a 200x4000 infographic was blown up to 552x11,040 px, a 48 px icon to 552
    px. Each is now at most its own width (Outlook reads the width attribute,
    at most the column's), in its own ratio."""
    email = render("articles.0.body", FIGURES)
    root = lxml.html.document_fromstring(email.html)
    sizes = {img.get("src").rsplit("/", 1)[1]: (img.get("width"), img.get("height"), img.get("style"))
             for img in root.iter("img")}
    assert sizes["pano.jpg"][:2] == ("552", "28")
    assert sizes["tall.png"][:2] == ("200", "4000")
    assert sizes["icon.png"][:2] == ("48", "48")
    assert "max-width:200px" in sizes["tall.png"][2].replace(" ", "")
    assert "max-width" not in sizes["any.jpg"][2] and sizes["any.jpg"][0] is None


@pytest.mark.parametrize("inliner", ["premailer", "css-inline"])
def test_body_images_in_a_browser(browser: Any, inliner: str) -> None:
    """At 1000 px: the panorama takes the 552 px column, the infographic and
    the icon their own width; at 375 px: nothing scrolls sideways, and the
    photo without dimensions takes the column."""
    data = expand(BASE)
    data["articles"][0]["body"] = FIGURES
    email = mailkit.render("breaking", data, {"inliner": inliner})
    boxes = {}
    for width in (1000, 375):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.route("**/*", lambda route: route.abort())
        page.set_content(email.html)
        boxes[width] = page.evaluate(
            "[document.documentElement.scrollWidth, Object.fromEntries([...document.querySelectorAll('img')]"
            ".map(i => [i.getAttribute('src').split('/').pop(), [Math.round(i.getBoundingClientRect().width),"
            " Math.round(i.getBoundingClientRect().height)]]))]")
        page.close()
    assert boxes[1000][0] == 1000 and boxes[375][0] == 375
    desktop, phone = boxes[1000][1], boxes[375][1]
    assert desktop["pano.jpg"] == [552, 28] and desktop["tall.png"] == [200, 4000] and desktop["icon.png"] == [48, 48]
    assert desktop["any.jpg"][0] == 552
    assert phone["pano.jpg"][0] == phone["any.jpg"][0] == 327 and phone["tall.png"] == [200, 4000]


# --- headers with non-ASCII text ---------------------------------------------------------------

HEADLINES = {
    "ja": "東京で震度５強　交通機関に乱れ、ＪＲ山手線が運転見合わせ",
    "hi": "मुंबई में भारी बारिश, स्कूल-कॉलेज बंद; मौसम विभाग ने जारी किया रेड अलर्ट",
    "ar": "مصر: ارتفاع التضخم إلى 35.7% في فبراير 2024 وفق https://www.capmas.gov.eg",
    "th": "กรุงเทพฯ ประกาศปิดโรงเรียนชั่วคราวเนื่องจากฝุ่นพีเอ็มสองจุดห้าเกินมาตรฐาน",
    "es": "Elecciones en Chile: Boric gana la segunda vuelta con 55,8 % de los votos",
    "emoji": "👩‍👩‍👧‍👦 🏳️‍🌈 Families flee the valley as the river rises",
}


@pytest.mark.parametrize("language", list(HEADLINES))
def test_non_ascii_headers_fold_within_the_line_limits(language: str) -> None:
    """RFC 2047 section 2: a header line holding an encoded word is at most 76
    characters (RFC 5322: 78). The first encoded word of a Subject (and of a
    List-Id's name) was 72 characters after "Subject: ", a line of 81."""
    import email as email_lib
    import email.policy

    data = expand(BASE)
    data["articles"][0]["headline"] = HEADLINES[language]
    data["newsletter"]["name"] = "Новости: срочные сообщения редакции"  # List-Id's phrase
    data["newsletter"]["sender"]["name"] = "أخبار القاهرة العاجلة"
    rendered = mailkit.render("breaking", data)
    raw = rendered.to_message(to="ana@example.org").as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    for line in head.split("\r\n"):
        if "=?" in line:
            assert len(line) <= 76, line
        elif not line.startswith(("List-Unsubscribe:", " <")):  # a URL is written whole
            assert len(line) <= 78, line
    parsed = email_lib.message_from_bytes(raw, policy=email.policy.default)
    assert str(parsed["Subject"]) == rendered.subject
    assert parsed["From"].addresses[0].display_name == "أخبار القاهرة العاجلة"
    assert "Новости: срочные сообщения редакции" in str(parsed["List-Id"]).replace("  ", " ")


def test_warnings_are_counted_not_repeated() -> None:
    """A body of 3,000 images without alt text gave 6,000 warnings (each image
    once for the body and once for the HTML), and 3,000 http:// links 3,000:
    lines in `mailkit check`, the preview and every log. A warning names the
    field once, with the count and the first case (as dropped elements do)."""
    email = render("articles.0.body", '<p><img src="https://e.example/a.jpg"></p>' * 3000
                   + '<p><a href="http://e.example/x">x</a></p>' * 3000)
    codes = [w.code for w in email.warnings]
    assert codes.count("image-no-alt") == 2 and codes.count("link-not-https") == 1
    body, html = (w for w in email.warnings if w.code == "image-no-alt")
    assert body.field == "articles[0].body" and "3,000 images without alt text" in body
    assert html.field == "html" and "3,000 images without alt" in html
    assert "3,000 links are not https" in next(w for w in email.warnings if w.code == "link-not-https")
    # one case reads as before
    email = render("articles.0.body", '<p><img src="https://e.example/a.jpg"></p>')
    assert "articles[0].body: image without alt text: <img" in next(w for w in email.warnings if w.code == "image-no-alt")


# --- bombs through every front door ---------------------------------------------------------------

NEWSLETTER = Path(__file__).parent.parent / "fixtures" / "feeds" / "newsletter.yaml"


@pytest.mark.parametrize("kind", ["atom", "rss-broken"])
def test_feed_element_with_thousands_of_attributes_is_quick(kind: str) -> None:
    """feedparser's strict parser looks each attribute up by name in Python's
    AttributesNSImpl, a linear search: 20,000 attributes on one <entry> took
    3 s, 100,000 (1 MB) over a minute, an 8 MB feed hours. Such an element is
    refused before feedparser reads the feed, naming its line."""
    attributes = " ".join(f"a{i}='1'" for i in range(100_000))
    if kind == "atom":
        feed = ("<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>x</title>\n"
                f"<entry {attributes}><title>t</title></entry></feed>")
    else:  # not well-formed: feedparser reads it with its lenient parser
        feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>x &bogus; <b></title>\n"
                f"<item {attributes}><title>t</title></item></channel></rss>")
    start = time.perf_counter()
    with pytest.raises(mailkit.FeedError, match=r"line 2: <(entry|item)> has 100,000 attributes"):
        mailkit.from_feed(feed.encode(), newsletter=NEWSLETTER)
    assert time.perf_counter() - start < 2


def test_body_element_with_tens_of_thousands_of_attributes_is_quick() -> None:
    """libxml2's HTML parser checks each attribute against the element's others:
    59,000 attributes without values on one <p> (295 KB, under the body limit)
    took 4 s of CPU, quadratic. Such an element is refused before parsing,
    naming the field."""
    import itertools
    import string

    names = ["".join(p) for p in itertools.product(string.ascii_lowercase, repeat=4)][:59_000]
    start = time.process_time()
    with pytest.raises(mailkit.LimitExceededError, match=r"articles\[0\]\.body: an element with 59,000 attributes"):
        render("articles.0.body", "<p " + " ".join(names) + ">x</p>")
    assert time.process_time() - start < 1
    # what a CMS writes stays a warning: a figure's img with a dozen data- attributes
    email = render("articles.0.body", '<p><img src="https://e.example/a.jpg" alt="A" '
                   + " ".join(f'data-x{i}="1"' for i in range(12)) + "></p>")
    assert any(w.code == "attribute-dropped" for w in email.warnings)


def test_json_feed_huge_integer_names_the_field(tmp_path: Path) -> None:
    """A JSON Feed (or ninjs) integer of 5,000 digits: json's int() refused it
    with CPython's own advice ("use sys.set_int_max_str_digits() to increase
    the limit"), naming nothing; a fixture file names the field."""
    feed = ('{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "1", '
            '"url": "https://e.example/a", "title": ' + "1" * 5000 + "}]}")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"items\[0\]\.title: integer of 5,000 digits") as info:
        mailkit.from_feed(feed.encode(), newsletter=NEWSLETTER)
    assert "set_int_max_str_digits" not in str(info.value)


# --- SMTP smuggling through delivery ---------------------------------------------------------------

SMUGGLE = "\r\n.\r\nMAIL FROM:<boss@evil.example>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\nSubject: owned\r\n\r\nx\r\n.\r\n"
SMUGGLE_BODY = ("<p>a\n.\nMAIL FROM:&lt;x@evil.example&gt;</p><pre>x\r.\ry\n.\r\nRCPT TO:&lt;v@evil.example&gt;\r\n.\r\n"
                "</pre><p>\r.\r\n.\n</p>")


def _smuggling_edition() -> dict[str, Any]:
    data = expand(BASE)
    data["articles"][0]["body"] = SMUGGLE_BODY + data["articles"][0]["body"]
    data["articles"][0]["dek"] = "The dek\n.\nMAIL FROM:<x@evil.example>"
    return data


def test_smuggling_sequences_reach_a_real_server_as_text() -> None:
    """`<LF>.<LF>`, `<CR>.<CR>` and a whole second SMTP transaction in a body,
    a dek and a reader's fields reach a real server (aiosmtpd) as one message
    per reader, to that reader only: no second transaction, no bare CR or LF."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    received: list[tuple[list[str], bytes]] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append((list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        prepared = mailkit.prepare("breaking", _smuggling_edition())
        readers = [mailkit.Recipient(email=f"r{i}@example.org", first_name=name,
                                     link_params={"rid": name}) for i, name in
                   enumerate(["Ana" + SMUGGLE.replace("\r", "").replace("\n", " "), ".", "Bo\u2028.\u2028x"])]
        report = mailkit.deliver(prepared, readers, mailkit.SMTPTransport(host="127.0.0.1", port=port, connections=1))
    finally:
        controller.stop()
    assert report.sent == 3 and report.ok
    assert sorted(rcpt for rcpts, _ in received for rcpt in rcpts) == ["r0@example.org", "r1@example.org",
                                                                        "r2@example.org"]
    for _, content in received:
        assert b"\r" not in content.replace(b"\r\n", b"") and b"\n" not in content.replace(b"\r\n", b"")
        assert b"\r\n.\r\n" not in content


def test_smuggling_sequences_in_a_dry_run_mbox(tmp_path: Path) -> None:
    """The same through `mailkit deliver --dry-run` and a JSON Lines file: one
    message a reader in the mbox (a local file: lines end in LF there), no
    CR anywhere, no line a lone dot."""
    import json
    import subprocess
    import sys

    import yaml

    fixture = tmp_path / "smuggle.yaml"
    fixture.write_text(yaml.safe_dump(_smuggling_edition(), allow_unicode=True), encoding="utf-8")
    readers = tmp_path / "readers.jsonl"
    readers.write_text("\n".join(json.dumps(r) for r in [
        {"email": "r0@example.org", "first_name": "Ana\r\n.\r\nMAIL FROM:<x@evil.example>"},
        {"email": "r1@example.org", "first_name": "Bo\r.\rx", "link_params": {"a": "\r\n.\r\n"}},
        {"email": "r2@example.org\r\n.\r\nRCPT TO:<v@evil.example>"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.mbox"
    result = subprocess.run([sys.executable, "-m", "mailkit", "deliver", "breaking", str(fixture), "--recipients",
                             str(readers), "--smtp", "127.0.0.1:1", "--dry-run", "--out", str(out)],
                            capture_output=True, text=True, timeout=60, check=False, cwd=Path(__file__).parent.parent)
    assert result.returncode == 3, result.stderr  # the third reader failed: its address
    assert "recipients[2]" in result.stdout and "\r" not in result.stdout
    mbox = out.read_bytes()
    assert mbox.count(b"\nFrom ") + mbox.startswith(b"From ") == 2
    assert b"\r" not in mbox and b"\n.\n" not in mbox


@pytest.mark.parametrize(("headline", "unit"), [
    ("🏳️\u200d🌈" * 100, "🏳️\u200d🌈"),  # rainbow flag: flag, VS16, ZWJ, rainbow
    ("👩🏽\u200d💻" * 80, "👩🏽\u200d💻"),  # woman technologist, medium skin tone
    ("🇺🇦" * 100, "🇺🇦"),  # regional indicator pairs
    ("क्षत्रिय" * 40, None),  # Devanagari conjuncts: a virama never ends the cut
    ("e\u0301" * 300, "e\u0301"),  # combining acute (300: 200 composed fit a preheader)
], ids=["zwj-flag", "skin-tone", "flags", "devanagari", "combining"])
def test_subject_and_preheader_are_cut_between_graphemes(headline: str, unit: str | None) -> None:
    """A headline over 78 characters with no space to cut at was cut at 77
    code points: the rainbow flag became a white flag, a skin-toned emoji lost
    its tone or person, Ukraine's flag two letters, and "क्षत्रिय" ended in a
    bare virama ("क्षत्…"). The subject, a preheader and a feed's dek are cut
    between grapheme clusters."""
    email = render("articles.0.headline", headline)
    subject = email.subject
    # (composed: "e" and a combining acute are one character, "é", as typed composed)
    assert subject.endswith("…") and len(unicodedata.normalize("NFC", subject)) <= 78
    kept = subject[:-1]
    if unit is not None:
        assert kept == unit * (len(kept) // len(unit))
    else:
        assert not kept.endswith("\u094d") and headline.startswith(kept)
    data = _no_dek("<p>" + headline + "</p>")
    preheader = mailkit.render("breaking", data).preheader
    assert preheader.endswith("…") and (unit is None or preheader[:-1] == unit * (len(preheader[:-1]) // len(unit)))


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_bytes_that_are_not_utf8_are_named_by_line_and_column(tmp_path: Path, suffix: str) -> None:
    """An overlong UTF-8 '<' (C0 BC) in a fixture: the error gave the byte
    offset from the file's start ("position 1289: invalid start byte");
    the recipients reader already names the line and column."""
    seed = Path(__file__).parent.parent / "fixtures" / "breaking-china-cyberspying.yaml"
    if suffix == "yaml":
        raw = seed.read_bytes().replace(b"China Summons Envoy", "Chïna \xc0\xbcscript".encode("latin-1"), 1)
        raw = raw.replace("Chï".encode("latin-1"), "Chï".encode(), 1)
        where = r"line 28, column 21"
    else:
        raw = b'{\n  "newsletter": "\xc3\xa9t\xc3\xa9 \xc0\xbc"\n}'
        where = r"line 2, column 22"
    path = tmp_path / f"bad.{suffix}"
    path.write_bytes(raw)
    with pytest.raises(mailkit.InvalidFixtureError, match=rf"bad\.{suffix}: {where}: not UTF-8"):
        mailkit.load_edition(path)
    if suffix == "json":  # a JSON Feed too (an XML feed's encoding is feedparser's to guess)
        with pytest.raises(mailkit.InvalidFixtureError, match=rf"{where}: not UTF-8"):
            mailkit.from_feed(raw, newsletter=NEWSLETTER)


# --- what wire services and CMSs send, in scripts the team does not read: kept, readable, laid out ---

WIRE = {
    "es": dict(language="es", headline=HEADLINES["es"], dateline="SANTIAGO DE CHILE (AP)",
               body="<p>SANTIAGO DE CHILE (AP) — El diputado Gabriel Boric ganó el domingo la segunda vuelta.</p>"
                    '<table border="1" width="100%"><caption>Resultados, segunda vuelta</caption><thead><tr>'
                    "<th>Candidato</th><th>Votos</th><th>%</th></tr></thead><tbody><tr><td>Gabriel Boric</td>"
                    "<td>4.620.671</td><td>55,87</td></tr><tr><td>José Antonio Kast</td><td>3.649.647</td>"
                    "<td>44,13</td></tr></tbody></table><p>«Seré el presidente de todos», dijo Boric.</p>",
               keep=["SANTIAGO DE CHILE (AP)", "Resultados, segunda vuelta", "4.620.671", "José Antonio Kast",
                     "«Seré el presidente de todos», dijo Boric."]),
    "ja": dict(language="ja", headline=HEADLINES["ja"], dateline="東京", body=RUBY + "<p>︙縦書き︵テスト︶︽括弧︾</p>",
               keep=["気象庁（きしょうちょう）によると", "︙縦書き︵テスト︶︽括弧︾"]),
    "hi": dict(language="hi", headline=HEADLINES["hi"], dateline="मुंबई",
               body="<p>मुंबई और आसपास के इलाक़ों में शुक्रवार को भारी बारिश हुई। क्ष त्र ज्ञ श्र द्ध द्व ह्म</p>",
               keep=["क्ष त्र ज्ञ श्र द्ध द्व ह्म", "इलाक़ों"]),
    "ar": dict(language="ar", headline=HEADLINES["ar"], dateline="القاهرة",
               body='<p>قال البنك المركزي في بيان على موقعه https://www.cbe.org.eg/en إن الأسعار ارتفعت 35.7%، '
                    'بحسب <a href="https://www.reuters.com/markets/">رويترز</a>.</p>',
               keep=["https://www.cbe.org.eg/en", "35.7%", "رويترز [1]"]),
    "th": dict(language="th", headline=HEADLINES["th"], dateline="กรุงเทพฯ", body=f"<p>{THAI * 2}</p>", keep=[THAI]),
    "sink": dict(language="en", headline=("👩\u200d👩\u200d👧\u200d👦 Families flee " * 30)[:400], dateline="ALDER",
                 body='<p>Lede<sup><a href="https://e.example/n#1">1</a></sup>.</p><pre><code>$ curl -sS '
                      "https://api.example.com/v1/" + "very/long/" * 12 + "path</code></pre>" + FIGURES +
                      '<blockquote class="twitter-tweet"><p>Water is up to the second floor.</p>&mdash; Reporter '
                      '<a href="https://twitter.com/r/status/1">May 20</a></blockquote>'
                      '<script async src="https://platform.twitter.com/widgets.js"></script>'
                      '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Flood footage"></iframe>'
                      '<table><tr><th rowspan="2">County</th><th colspan="2">Damage</th></tr><tr><th>Homes</th>'
                      "<th>Roads</th></tr><tr><td>Alder</td><td>1,204</td><td>33</td></tr><tr><td>Birch</td>"
                      '<td colspan="2"><table><tr><td>inner a</td><td>inner b</td></tr></table></td></tr></table>'
                      "<details><summary>How we counted</summary><p>County records.</p></details>",
                 keep=["Lede^1 [1].", "very/long/path", "The valley.", "How it spread.", "Water is up to the second",
                       "View the post on X", "Flood footage", "Watch on YouTube", "inner a inner b",
                       "How we counted", "County records."]),
}


def _wire(language: str) -> dict[str, Any]:
    case = dict(WIRE[language])
    keep = case.pop("keep")
    data = expand(BASE)
    data["articles"][0].update(case)
    return {"data": data, "keep": keep}


@pytest.mark.parametrize("language", list(WIRE))
def test_wire_story_keeps_its_content_in_both_parts(language: str) -> None:
    case = _wire(language)
    email = mailkit.render("breaking", case["data"])
    flat_text = " ".join(email.text.split()).replace("\u00a0", " ")
    for phrase in case["keep"]:
        assert " ".join(phrase.split()) in flat_text.replace(" \n", " ") or phrase in email.text.replace("\n", ""), phrase
    assert _lines_over(email.text) == []
    # what the allowlist drops is a named warning, never silent
    if language == "sink":
        dropped = " ".join(w for w in email.warnings if w.code == "element-dropped")
        # (a <details> is shown open, its summary a bold paragraph: nothing removed, no warning)
        assert "<script>" in dropped and "<details>" not in dropped
        assert "How we counted" in email.text
    assert not dangerous(email.html)


@pytest.mark.parametrize("language", list(WIRE))
def test_wire_story_is_one_column_without_sideways_scroll(browser: Any, language: str) -> None:
    email = mailkit.render("breaking", _wire(language)["data"])
    # the body's content (images, code, tables, embeds) within the 552 px column at
    # 1000 px, and within 375 px less the padding on a phone
    for width, column in COLUMNS:
        scroll, (widths,) = element_widths(
            browser, email.html, width,
            "td.mk-text img, td.mk-text pre, td.mk-text table, td.mk-text blockquote, td.mk-text div, h1")
        assert scroll == width and max(widths, default=0) <= column + 0.5, (width, scroll, widths)


# --- attacks through the fields the other catalogues reach least: readers, themes, sender names ---

ATTACKS = ["<script>alert(1)</script>", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)",
           "data:text/html,<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "expression(alert(1))",
           "url(https://evil.example/x)", "ａｌｅｒｔ（１）", "{{ 7*7 }}", "=?utf-8?q?=0D=0ABcc:x@evil.example?="]


@pytest.mark.parametrize("field", ["first_name", "unsubscribe_url", "preferences_url", "link_params"])
@pytest.mark.parametrize("value", ATTACKS)
def test_reader_fields_never_become_markup_or_headers(field: str, value: str) -> None:
    prepared = mailkit.prepare("breaking", expand(BASE))
    fields: dict[str, Any] = {"email": "ana@example.org", "first_name": "Ana"}
    fields[field] = {"rid": value} if field == "link_params" else value
    try:
        reader = mailkit.Recipient(**fields)
    except mailkit.MailkitError:
        return  # refused, naming the field (a URL that is not one)
    email = prepared.personalize(reader)
    assert not dangerous(email.html) and "<script" not in email.html and "7*7" not in email.html.replace("7*7 }}", "")
    raw = mailkit.message_bytes(email)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|Cc):", head, re.MULTILINE | re.IGNORECASE)


@pytest.mark.parametrize(("key", "value"), [
    ("colors.text", "#fff</style><script>alert(1)</script>"), ("colors.link", "red;background:url(https://e.example/)"),
    ("colors.accent", "expression(alert(1))"), ("colors.page", "#fff\\3b x"), ("fonts.body", "Georgia'; x:url(y)"),
    ("fonts.headline", 'Georgia"}</style><script>x</script>'), ("fonts.body", "Arial /* */"),
])
def test_theme_values_that_would_be_css_are_refused(tmp_path: Path, key: str, value: str) -> None:
    import yaml

    theme = yaml.safe_load((Path(__file__).parent.parent / "templates" / "themes" / "nbc-news.yaml").read_text())
    section, name = key.split(".")
    theme[section][name] = value
    path = tmp_path / "theme.yaml"
    path.write_text(yaml.safe_dump(theme, allow_unicode=True))
    with pytest.raises(mailkit.InvalidFixtureError, match=rf"theme\.yaml: {re.escape(key)}: "):
        mailkit.render("breaking", expand(BASE), {"theme": str(path)})


@pytest.mark.parametrize(("name", "outcome"), [
    ("Evil\u202eKCAP", r"bidi override U\+202E"),
    ("A\u0085Bcc: x@evil.example", r"control character U\+0085"),
    ("A\x1b]0;owned\x07", r"control character U\+001B"),
    ("A\r\nBcc: x@evil.example", None),  # whitespace in a name is one space: a single header line
    ("A\u2028Bcc: x@evil.example", None),
])
def test_from_name_on_the_command_line(tmp_path: Path, name: str, outcome: str | None) -> None:
    import subprocess
    import sys

    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, "-m", "mailkit", "render", "breaking",
                             str(root / "fixtures" / "breaking-china-cyberspying.yaml"), "-o", str(tmp_path), "--eml",
                             "--to", "ana@example.org", "--from-name", name],
                            capture_output=True, text=True, timeout=60, check=False, cwd=root)
    if outcome:
        assert result.returncode == 1 and re.search(rf"mailkit: error: --from: name: {outcome}", result.stderr)
        return
    assert result.returncode == 0, result.stderr
    raw = next(tmp_path.glob("*.eml")).read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^Bcc:", head, re.MULTILINE) and b"\r\nBcc" not in head
    # every line ASCII and within 78, but List-Unsubscribe's URLs, written whole
    assert all(line.isascii() and (len(line) <= 78 or b"<https:" in line or b"<mailto:" in line)
               for line in head.split(b"\r\n"))


@pytest.mark.parametrize("body", [
    "<p>" + "&#" * 140_000 + "</p>", "<p>" + "&#x" * 95_000 + "</p>", "<ruby>" + "<rt>x" * 50_000,
    "<p>" + "<sup>1</sup>x" * 20_000 + "</p>", "<p>" + "กรุงเทพ" * 14_000 + "</p>",
    "<p>" + "\u0e01\u0e48" * 45_000 + "</p>", "<p>" + "\u0e40" * 95_000 + "</p>",
    '<figure><img src="https://e.example/a.jpg"><figcaption>c</figcaption></figure>' * 3_000,
    '<p><img src="https://e.example/a.jpg" width="9999" height="1"></p>' * 4_500,
], ids=["amp-hash", "amp-x", "ruby-open", "sups", "thai-word", "thai-marks", "thai-leading-vowels", "figures",
        "sized-images"])
def test_new_paths_stay_linear_on_adversarial_bodies(body: str) -> None:
    """The code added for ruby, Thai wrapping, footnote marks, figures and body
    image sizes, at the body limit: each render well within 2 s of CPU."""
    data = _no_dek(body[: mailkit.LIMITS.max_body_bytes // 3])
    start = time.process_time()
    email = mailkit.render("breaking", data)
    assert time.process_time() - start < 2
    assert email.text
