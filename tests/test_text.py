"""The plain-text part: checked over every template x fixture (issue: a plain-text part people can read)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import THEMES, matrix, pair_id, rendered
from hypothesis import example, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._sanitize import sanitize_body
from mailkit._text import columns, html_to_text

URL = re.compile(r"(?:https?://|mailto:)\S+")


def words(text: str) -> str:
    # a line break inside Chinese or Japanese text is no space: the text part wraps between any two characters
    return _WIDE_GAP.sub("", " ".join(text.split()))


_WIDE_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")


def pre_lines(email: mailkit.RenderedEmail) -> set[str]:
    """The lines of the bodies' <pre> blocks: the text part has them as they are."""
    found: set[str] = set()
    articles = list(email.edition.articles) + [a for s in email.edition.sections for a in s.articles]
    for article in articles:
        for m in re.finditer(r"<pre\b[^>]*>(.*?)</pre>", article.body or "", re.DOTALL):
            text = html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))
            found.update(line.rstrip().expandtabs(4) for line in text.splitlines() if line.strip())
    return found


def outside_pre(email: mailkit.RenderedEmail) -> list[str]:
    """The text part's lines but those of preformatted blocks (four spaces, then a <pre> line)."""
    pre = pre_lines(email)
    return [line for line in email.text.splitlines() if not (line.startswith("    ") and line[4:] in pre)]


def test_contains_every_piece_of_the_story(email: mailkit.RenderedEmail) -> None:
    # quote markers and link numbers are the text part's own markup
    # (and a superscript number is "^1")
    text = words(re.sub(r" \[\d+\]|\^(?=\d)", "", re.sub(r"^(?:> ?)+", "", email.text, flags=re.MULTILINE)))
    article = email.edition.lead
    assert words(article.headline) in text
    for value in (article.dek, article.dateline, article.contributors):
        if value and email.template != "digest":
            assert value in text
    if email.template != "digest":
        for author in article.authors:
            assert author.name in text
        # the body as the email has it: Word's fake list markers and footnote "[1]" become
        # list items and a superscript before the text part is made (mailkit._office)
        body = sanitize_body(article.body, field="body", base_url=str(article.url)).html
        for para in re.findall(r"<p\b[^>]*>(.*?)</p>", body, re.DOTALL):  # not <pre>
            plain = words(html.unescape(re.sub(r"<[^>]+>", "", para)))
            assert plain in text
        if article.image and article.image.caption:
            assert words(article.image.caption) in text
            assert article.image.credit is None or article.image.credit in text
    footer = email.edition.newsletter.footer
    assert footer.unsubscribe_url in email.text
    assert footer.preferences_url in email.text
    assert email.edition.newsletter.name in text


def test_no_markup_residue(email: mailkit.RenderedEmail) -> None:
    text = "\n".join(outside_pre(email))  # code is as it is: "a | b" is not a table pipe there
    assert not re.search(r"<[a-zA-Z/][^>]*>", text), "HTML tag"
    assert not re.search(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", text, re.IGNORECASE), "entity"
    assert "|" not in text and "[](" not in text and "](" not in text
    # a joiner or non-joiner between two letters is a word's own (Persian "می\u200cگوید"), not filler
    assert not re.search("[\u200b\u034f\ufeff\u00ad]|(?<!\\w)[\u200c\u200d]|[\u200c\u200d](?!\\w)", text), "preheader filler"
    assert "\u00a0\u00a0" not in text
    assert email.preheader not in email.text.splitlines()[0]
    assert not re.search(r"^\s*!\[", text, re.MULTILINE), "image line"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_lines_wrap_at_78_except_bare_urls_at_column_0(pair: tuple[str, Path], theme: str) -> None:
    # an 80-column terminal client wraps a line of 79-80 characters: every
    # line over 78 must be a bare URL starting at column 0 (nothing to wrap)
    email = rendered(*pair, theme)
    text = email.text
    # preformatted lines are never re-wrapped (code would break); tested in test_body.py
    # (columns, as the terminal counts them: a combining mark, Arabic shadda or Hindi virama, takes none)
    for line in outside_pre(email):
        if columns(line) > 78:
            assert URL.fullmatch(line), f"line over 78 that is not a bare URL at column 0: {line!r}"
    assert "\n\n\n" not in text


def test_link_list_urls_start_at_column_0() -> None:
    email = mailkit.render("breaking", "fixtures/breaking-china-cyberspying.yaml")
    links = email.text.split("\nLinks:\n", 1)[1].splitlines()
    urls = [line for line in links if "://" in line]
    assert urls and all(URL.fullmatch(line) for line in urls), urls


def test_every_link_has_its_whole_url(email: mailkit.RenderedEmail) -> None:
    hrefs = set(re.findall(r'<a [^>]*href="([^"]+)"', email.html))
    urls = set(URL.findall(email.text))
    for href in hrefs:
        assert html.unescape(href) in urls, href


def test_typography_is_kept() -> None:
    email = mailkit.render("breaking", "fixtures/breaking-long-headline-emoji.yaml")
    for s in ("’", "“", "”", "—", "…", "中国外交部", "Москва", "📉"):
        assert s in email.text


def test_headings_are_underlined() -> None:
    email = mailkit.render("breaking", "fixtures/breaking-china-cyberspying.yaml")
    lines = email.text.splitlines()
    i = lines.index("China Summons Envoy, Suspends Security Deal in Cyberspying Spat")
    assert set(lines[i + 1]) == {"="} and len(lines[i + 1]) == len(lines[i])


def test_digest_stories_are_separated() -> None:
    email = mailkit.render("digest", "fixtures/digest-morning-briefing.yaml")
    assert email.text.count("-" * 40) >= 4


def test_link_text_equal_to_url_is_not_doubled() -> None:
    out = html_to_text('<html><body><p>See <a href="https://example.com/a">https://example.com/a</a>.</p></body></html>')
    assert out.count("https://example.com/a") == 1


def test_skip_marker_and_hidden_elements() -> None:
    out = html_to_text('<html><body><div style="display:none">preheader</div><p>Keep</p>'
                       '<p data-text="skip">Drop me</p><img src="https://x/p.gif" width="1" height="1"></body></html>')
    assert out == "Keep\n"


def test_explicit_text_template(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "plain.mjml.j2").write_text("{# plain #}\n<mjml><mj-body><mj-section><mj-column><mj-text>{{ article.headline }}</mj-text></mj-column></mj-section></mj-body></mjml>\n")
    (tmp_path / "plain.txt.j2").write_text("{{ article.headline }} & more\n")
    email = mailkit.render("plain", "fixtures/breaking-china-cyberspying.yaml", mailkit.RenderOptions(template_dirs=(tmp_path,)))
    assert email.text == "China Summons Envoy, Suspends Security Deal in Cyberspying Spat & more\n"


@pytest.mark.parametrize("bad", ["<html><body>" + "<div>" * 50 + "x", "", "<![<![", "[" * 5000])
def test_odd_html_gives_text_not_traceback(bad: str) -> None:
    assert isinstance(html_to_text(bad or "<p></p>"), str)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc"), blacklist_characters=" "),
                        min_size=1, max_size=30),
                min_size=1, max_size=40),
       st.integers(min_value=10, max_value=100))
@example(["aaaaa", "\u3000", "bbbbb"], 7)  # hypothesis found this with U+00A0: a word of other whitespace at a line end
@example(["0", "\xa0"], 10)  # hypothesis found it: other whitespace ending a line that fits
@example(["-", "0", "0", "00000"], 10)  # a list item: its continuation hangs under its text
@example([">", "aaaa", "bbbb", "cccc"], 10)  # a quote: "> " repeats on every line
@example(["0", "0", "0", "0", "00\u200b"], 10)  # hypothesis found it: a zero-width space takes no column
def test_wrap_equals_textwrap(words: list[str], width: int) -> None:
    # words may hold other whitespace (U+00A0, U+3000 ...): textwrap drops a word
    # of it at a line's end, so _wrap leaves such lines to textwrap itself
    import textwrap

    from mailkit._text import _LIST, _QUOTE, _WIDE, _ZERO_WIDTH, _textwrap, _wrap, columns

    line = " ".join(words)
    if _WIDE.search(line):  # Chinese and Japanese wrap by columns, between characters: test_i18n
        return
    if len(line) > width and not line.isascii() and _ZERO_WIDTH.search(line):
        # combining marks and zero-width characters take no column (test_hostile_probe5):
        # textwrap counts them, so it is no reference; every line fits by columns, or is one word
        for physical in _wrap(line, width):
            assert columns(physical) <= width or " " not in physical.strip(" ")
        return
    assert _wrap(line, width) == _textwrap(line, width)
    if not (_QUOTE.match(line) or _LIST.match(line)):
        # no list or quote prefix: the reference is textwrap itself
        assert _textwrap(line, width) == (textwrap.wrap(line, width=width, break_long_words=False,
                                                        break_on_hyphens=False) or [line])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Zs", "Cc")),
                        min_size=1, max_size=30),
                min_size=1, max_size=40),
       st.integers(min_value=10, max_value=100))
def test_fill_equals_textwrap(words: list[str], width: int) -> None:
    import textwrap

    from mailkit._text import _fill

    line = " ".join(words)
    assert _fill(line, width) == textwrap.wrap(line, width=width, break_long_words=False,
                                                          break_on_hyphens=False)


def test_html2text_fed_from_the_tree_equals_its_own_parser(email: mailkit.RenderedEmail) -> None:
    # mailkit feeds html2text's HTMLParser handlers from the lxml tree; this pins
    # that it gives what HTML2Text.handle() gives on the serialised tree.
    import lxml.html

    from mailkit import _text as T
    from mailkit._compile import compile_mjml
    from mailkit._html2text import convert, converter

    root = lxml.html.document_fromstring(compile_mjml(email.mjml), parser=T._LXML.parser)
    marks = T._Markers.new()
    body, _, _ = T._reduce(root, T.TextOptions(), marks)
    serialised = lxml.html.tostring(body, encoding="unicode").replace("\\", marks.backslash)
    assert convert(body, marks.backslash) == converter().handle(serialised)
