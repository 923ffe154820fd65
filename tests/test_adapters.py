"""The adapters: what mailkit relies on in its dependencies' internals, pinned so an upgrade fails here, loudly.

One module per dependency holds every use of its private names
(mailkit/_premailer.py, _cssutils.py, _html2text.py, _mrml.py). Each test
below checks three things for what it pins: the private name is still there
with the signature the override assumes; the stock code still gives the shape
the override assumes on a known input; and the override actually ran.
"""

from __future__ import annotations

import inspect
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import lxml.cssselect
import lxml.etree
import pytest

import mailkit
from mailkit._inline import InlineOptions, inline_css

ROOT = Path(__file__).parent.parent

# values cssutils' default serializer and mailkit's minified one spell differently
# ("Roboto, Arial" / "Roboto,Arial", "0.5" / ".5"), in a rule and in a style attribute
SPELLINGS = ('<html><head><style>p { font-family: Roboto, Arial; line-height: 0.5 }</style></head>'
             '<body><p style="margin: 0.5em 0px; font-family: Georgia, serif">x</p><div style="top: 0.5em">y</div>'
             '</body></html>')


def _params(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def _fresh(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- cssutils: mailkit's settings per call, not for the process ---------------------------------

PLAIN_PREMAILER = ("import premailer\n"
                   f"print(repr(premailer.Premailer({SPELLINGS!r}, allow_network=False).transform()))\n")


def test_plain_premailer_gives_the_same_bytes_before_and_after_a_mailkit_render_as_in_a_fresh_process() -> None:
    import premailer

    def plain() -> str:
        return premailer.Premailer(SPELLINGS, allow_network=False).transform()

    before = plain()
    mailkit.render("digest", "fixtures/digest-morning-briefing.yaml")
    inline_css(SPELLINGS)
    after = plain()
    fresh = eval(_fresh(PLAIN_PREMAILER))  # a process that never imported mailkit
    assert "Georgia, serif" in fresh and "line-height:0.5" in fresh
    assert before == after == fresh


def test_mailkit_gives_the_same_bytes_after_plain_premailer_saw_the_same_styles_first() -> None:
    # premailer caches, process-wide, the declarations cssutils' serializer made of a
    # CSS text: whoever saw a style first chose its spelling for everyone (mailkit.MARK)
    code = ("import premailer\n"
            f"premailer.Premailer({SPELLINGS!r}, allow_network=False).transform()\n"
            "from mailkit._inline import inline_css\n"
            f"print(repr(inline_css({SPELLINGS!r})))\n")
    alone = inline_css(SPELLINGS)
    assert "font-family:Georgia,serif" in alone and "line-height:.5" in alone
    assert eval(_fresh(code)) == alone


def test_mailkit_settings_hold_for_its_own_thread_only_and_are_put_back() -> None:
    import cssutils

    from mailkit._cssutils import mailkit_settings

    original = cssutils.ser

    def spelled() -> str:
        text: str = cssutils.parseStyle("font-family: Roboto, Arial; line-height: 0.5").cssText
        return text

    outside = spelled()
    seen: list[str] = []
    with mailkit_settings():
        with mailkit_settings():  # re-entrant
            inside = spelled()
        thread = threading.Thread(target=lambda: seen.append(spelled()))
        thread.start()
        thread.join()
        assert spelled() == inside
    assert inside == "font-family:Roboto,Arial;line-height:.5"
    assert seen == [outside] and outside != inside
    assert cssutils.ser is original and spelled() == outside


def test_cssutils_log_records_are_dropped_for_mailkits_thread_only(caplog: pytest.LogCaptureFixture) -> None:
    import cssutils

    from mailkit._cssutils import mailkit_settings

    level = cssutils.log._log.level  # cssutils.log is an ErrorHandler over the logging.Logger _log
    with caplog.at_level(logging.WARNING, logger="CSSUTILS"), mailkit_settings():
        cssutils.log.warn("inside mailkit", neverraise=True)
        thread = threading.Thread(target=lambda: cssutils.log.warn("another user", neverraise=True))
        thread.start()
        thread.join()
    assert [r.getMessage() for r in caplog.records if r.name == "CSSUTILS"] == ["another user"]
    assert cssutils.log._log.level == level and not cssutils.log._log.filters


def test_cssutils_serializer_is_read_at_each_call_from_the_module() -> None:
    # the switch works because cssutils' classes read cssutils.ser at every call
    import cssutils

    assert _params(cssutils.setSerializer) == ["serializer"]
    assert "cssutils.ser.do_Property(self)" in inspect.getsource(cssutils.css.Property)
    assert isinstance(cssutils.log._log, logging.Logger)


def test_cssutils_validation_only_logs_it_changes_no_value() -> None:
    # why skipping it inside mailkit changes no byte: Property.valid is computed when read,
    # and the serializer drops invalid properties only with prefs.validOnly (off, and
    # mailkit's serializer keeps it off)
    import cssutils
    import premailer.merge_style

    from mailkit._cssutils import _MAILKIT_SERIALIZER

    style = ("font: bogus 12px; mso-line-height-rule: exactly; color: #FF0000 !important; "
             "border: 1px solid red; width: 10pz; -webkit-text-size-adjust: 100%")
    pairs = premailer.merge_style.csstext_to_pairs.__wrapped__  # type: ignore[attr-defined]  # uncached
    assert pairs(style, validate=True) == pairs(style, validate=False)
    assert cssutils.parseStyle(style, validate=True).cssText == cssutils.parseStyle(style, validate=False).cssText
    assert not cssutils.ser.prefs.validOnly and not _MAILKIT_SERIALIZER.prefs.validOnly
    # the switch's signature is the parser method's, which cssutils.parseStyle calls
    assert _params(cssutils.CSSParser.parseStyle) == ["self", "cssText", "encoding", "validate"]


def _validated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the properties cssutils validates from now on (a spy on Property.validate)."""
    import cssutils

    seen: list[str] = []
    real = cssutils.css.Property.validate
    monkeypatch.setattr(cssutils.css.Property, "validate", lambda self: seen.append(self.name) or real(self))
    return seen


def test_premailer_validates_an_elements_own_style_whatever_disable_validation_says(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # why mailkit turns validation off itself (mailkit/_cssutils.py, _ParseStyleSwitch): merge_styles
    # parses the element's style attribute with csstext_to_pairs(inline_style), validate left at True,
    # through cssutils.parseStyle read from the module at each call; validating makes cssutils compile
    # the pattern of each property (a tenth of a cold CLI render)
    import cssutils
    import premailer
    import premailer.merge_style

    assert "csstext_to_pairs(inline_style)" in inspect.getsource(premailer.merge_style.merge_styles)
    assert "cssutils.parseStyle(csstext, validate=validate)" in inspect.getsource(
        premailer.merge_style.csstext_to_pairs.__wrapped__)  # type: ignore[attr-defined]
    calls: list[Any] = []
    real = cssutils.parseStyle
    monkeypatch.setattr(cssutils, "parseStyle", lambda *a, **k: calls.append(k.get("validate")) or real(*a, **k))
    seen = _validated(monkeypatch)
    unique = f"margin-top: {id(calls)}px"  # no cached declarations
    html = f'<html><head><style>p {{ color: red }}</style></head><body><p style="{unique}">x</p></body></html>'
    premailer.Premailer(html, disable_validation=True, allow_network=False).transform()
    assert True in calls and "margin-top" in seen


def test_mailkit_inlining_validates_nothing_and_other_threads_still_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import cssutils

    from mailkit import _premailer
    from mailkit._cssutils import mailkit_settings

    original = cssutils.parseStyle
    seen = _validated(monkeypatch)
    unique = f"margin-top: {id(seen)}px; font: 12px Georgia"
    html = (f'<html><head><style>p {{ color: red; font-family: Arial }}</style></head>'
            f'<body><p style="{unique}">x</p></body></html>')
    tree = lxml.etree.fromstring(html, lxml.etree.HTMLParser())
    _premailer.transform(tree, keep_style_tags=True, remove_classes=False, rules=_premailer.StyleRules())
    assert seen == [] and tree.xpath("//p")[0].get("style").startswith("color:red; font-family:Arial; margin-top:")
    other: list[str] = []
    with mailkit_settings():
        cssutils.parseStyle("color: red; font: 12px Georgia")
        thread = threading.Thread(target=lambda: other.append(cssutils.parseStyle("font: 12px Georgia").cssText))
        thread.start()
        thread.join()
    assert seen == ["font"] and other  # only the other thread's parse validated
    assert cssutils.parseStyle is original


# -- premailer ----------------------------------------------------------------------------------

def test_premailer_private_methods_have_the_signatures_mailkit_overrides() -> None:
    import premailer

    stock = premailer.Premailer
    assert _params(stock._parse_css_string) == ["self", "css_body", "validate"]
    assert _params(stock._parse_style_rules) == ["self", "css_body", "ruleset_index"]
    assert _params(stock._style_to_basic_html_attributes) == ["self", "element", "style_content", "force"]
    assert _params(stock.transform)[:3] == ["self", "html", "pretty_print"]


# sha256 of the stock code mailkit's transform follows step for step (mailkit/_premailer.py,
# _Premailer.transform); an upgrade that changes any of it fails here: read the new code, bring
# the override in line (tests/test_premailer_fast.py compares the two), then update the digests
PREMAILER_SOURCES = {
    "Premailer.transform": "7580b7caf6f1aaf9",
    "get_or_create_head": "af6a7eb1a2b1e713",
    "_create_cssselector": "fd1554fcfc94dcbe",
}


def test_cssselect_writes_a_class_test_as_a_condition_of_the_last_step() -> None:
    # why a rule ending in classes is its base's elements filtered by class (mailkit/_premailer.py,
    # _analysed): the class test is a condition of the last step, joined with "and" to the others,
    # and the base premailer's CSSSelector would compile for the selector without those classes
    from lxml.cssselect import CSSSelector

    from mailkit import _premailer

    def test(c: str) -> str:
        return f"@class and contains(@class, '{c}') and contains(concat(' ', normalize-space(@class), ' '), ' {c} ')"

    for selector, base, needles, full in [
        ("td.x p.y", "td.x p", {" y "}, "descendant-or-self::td[{x}]/descendant::p[{y}]"),
        ("a + p.y", "a + p", {" y "},
         "descendant-or-self::a/following-sibling::*[(({y}) and (self::p)) and (position() = 1)]"),
        ("p.x.y", "p", {" x ", " y "}, "descendant-or-self::p[({x}) and ({y})]"),
    ]:
        assert CSSSelector(selector).path == full.format(x=test("x"), y=test("y"))
        analysed = _premailer._analysed(selector)[1]
        assert analysed is not None and analysed[0] == CSSSelector(base).path and set(analysed[1]) == needles


def test_premailer_transform_is_the_code_mailkits_override_follows() -> None:
    import hashlib

    import premailer.merge_style
    import premailer.premailer

    stock = premailer.premailer
    sources = {f.__qualname__: hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:16]
               for f in (stock.Premailer.transform, stock.get_or_create_head,
                         stock._create_cssselector.__wrapped__)}  # type: ignore[attr-defined]
    assert sources == PREMAILER_SOURCES
    # the names the override reads from premailer.premailer, each what it was
    assert stock.FILTER_PSEUDOSELECTORS == [":last-child", ":first-child", ":nth-child"]
    assert stock.merge_styles is premailer.merge_style.merge_styles
    assert stock.csstext_to_pairs is premailer.merge_style.csstext_to_pairs
    assert stock.CSSSelector is lxml.cssselect.CSSSelector  # type: ignore[attr-defined]
    assert _params(premailer.merge_style.merge_styles) == ["inline_style", "new_styles", "classes",
                                                           "remove_unset_properties"]
    merged = premailer.merge_style.merge_styles("color: red", [[("margin", "0")], [("top", "1px")]], ["", ":hover"])
    assert merged == "{margin:0; color:red} :hover{top:1px}"


def test_premailer_stock_style_rules_have_the_shape_the_memo_marks() -> None:
    import premailer

    stock = premailer.Premailer(keep_style_tags=True, disable_validation=True, exclude_pseudoclasses=True,
                                strip_important=False)
    rules, leftover = stock._parse_style_rules("p { color: red !important; margin: 0 } a:hover { color: blue }"
                                               " @media (max-width: 480px) { p { color: green } }", 3)
    assert rules == [((1, 0, 0, 1, 3, 0), "p", "color:red !important"), ((0, 0, 0, 1, 3, 1), "p", "margin:0")]
    assert leftover[0] == ("a:hover", "color:blue") and len(leftover) == 2


def test_premailer_caches_declarations_process_wide_under_a_key_cachetools_reads_at_each_call() -> None:
    # why mailkit tags the cache keys of its own thread (mailkit/_premailer.py, _KeySwitch):
    # premailer's csstext_to_pairs caches in one process-wide cache, by the CSS text,
    # and cachetools' wrapper reads its key function from the attribute at every call
    import cachetools.keys
    import premailer.cache
    import premailer.merge_style
    import premailer.premailer

    pairs = premailer.merge_style.csstext_to_pairs
    assert pairs.cache is premailer.cache.cache  # type: ignore[attr-defined]
    assert premailer.premailer.csstext_to_pairs is pairs
    assert premailer.merge_style.merge_styles.__globals__["csstext_to_pairs"] is pairs
    assert pairs.cache_key is cachetools.keys.hashkey  # type: ignore[attr-defined]
    seen: list[Any] = []
    text = f"color: red; /* {id(seen)} */"
    try:
        pairs.cache_key = lambda *a, **k: seen.append(a) or cachetools.keys.hashkey("probe", *a, **k)  # type: ignore[attr-defined]
        assert pairs(text) == [("color", "red")]
        assert seen == [(text,)] and cachetools.keys.hashkey("probe", text) in pairs.cache  # type: ignore[attr-defined]
    finally:
        pairs.cache_key = cachetools.keys.hashkey  # type: ignore[attr-defined]
    assert cachetools.keys.hashkey(text) not in pairs.cache  # type: ignore[attr-defined]


def test_the_cache_key_switch_is_in_only_while_mailkit_inlines_and_tags_only_its_thread() -> None:
    import cachetools.keys
    import premailer.merge_style

    from mailkit import _premailer
    from mailkit._cssutils import mailkit_settings

    _premailer.premailer_class()
    pairs = premailer.merge_style.csstext_to_pairs
    keys: dict[str, Any] = {}
    with mailkit_settings(), _premailer._tagged_cache_keys(), _premailer._tagged_cache_keys():
        keys["inside"] = pairs.cache_key("x")  # type: ignore[attr-defined]
        thread = threading.Thread(target=lambda: keys.setdefault("other", pairs.cache_key("x")))  # type: ignore[attr-defined]
        thread.start()
        thread.join()
    assert keys == {"inside": ("mailkit", cachetools.keys.hashkey("x")), "other": cachetools.keys.hashkey("x")}
    assert pairs.cache_key is cachetools.keys.hashkey  # type: ignore[attr-defined]


def test_mailkits_premailer_overrides_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import premailer.merge_style
    import premailer.premailer

    from mailkit import _cssutils, _premailer

    cls = _premailer.premailer_class()
    fetched: list[str] = []
    basic: list[str] = []
    loops: list[int] = []
    keys: list[Any] = []
    stock_key = premailer.merge_style.csstext_to_pairs.cache_key  # type: ignore[attr-defined]
    monkeypatch.setattr(premailer.merge_style.csstext_to_pairs, "cache_key",
                        lambda *a, **k: keys.append(a) or stock_key(*a, **k))
    monkeypatch.setattr(_cssutils, "_fetch_nothing", fetched.append)
    monkeypatch.setattr(cls, "_style_to_basic_html_attributes", lambda self, el, style, force=False: basic.append(style))
    loop = cls._inline_rules
    monkeypatch.setattr(cls, "_inline_rules", lambda self, page, rules: loops.append(len(rules)) or loop(self, page, rules))
    css = f"@import url(https://example.invalid/x.css); .a {{ color: #ff0000; width: 10px }} /* {id(basic)} */"
    html = (f'<html><head><style>{css}</style></head><body><p class="a" style="margin: 0">x</p>'
            '<p style="top: 1px">y</p></body></html>')
    rules = _premailer.StyleRules()
    for run in range(2):
        tree = lxml.etree.fromstring(html, lxml.etree.HTMLParser())
        parsed = cls.parsed
        _premailer.transform(tree, keep_style_tags=True, remove_classes=False, rules=rules)
        # the memo: parsed once, then served
        assert cls.parsed == parsed + (1 if run == 0 else 0) and len(rules) == 1
        assert tree.xpath("//p")[0].get("style") == "color:#f00; width:10px; margin:0"
        assert tree.xpath("//p")[1].get("style") == "top: 1px"  # left alone
    assert set(fetched) == {"https://example.invalid/x.css"}  # cssutils asked mailkit's fetcher, which loaded nothing
    assert loops == [1, 1] and basic == []  # mailkit's loop ran, and skips the basic attributes
    # the key switch was in (around the key function it found) and tagged mailkit's entries
    assert ("margin: 0",) in keys
    cache = premailer.merge_style.csstext_to_pairs.cache  # type: ignore[attr-defined]
    assert ("mailkit", stock_key("margin: 0")) in cache and stock_key("margin: 0") not in cache


def test_the_merge_memo_gives_what_merge_styles_gives_and_stays_bounded() -> None:
    import premailer.merge_style

    from mailkit import _premailer

    stock = premailer.merge_style.merge_styles
    memo = _premailer.MergeMemo(size=8)
    shared = [("margin", "0"), ("color", "unset")]
    cases = [(f"top: {i}px" if i % 3 else "", [shared, [("color", f"#{i:03d}")]][: 1 + i % 2], ["", ":hover"][: 1 + i % 2],
              bool(i % 4)) for i in range(40)]
    for _ in range(2):  # the second time from the memo, where it still holds them
        for inline, styles, classes, unset in cases:
            assert memo.merged(stock, inline, styles, classes, unset) == stock(inline, styles, classes,
                                                                               remove_unset_properties=unset)
            assert len(memo) <= 8
    # the same declarations in another list object are another key (identity), never a wrong answer
    assert memo.merged(stock, "", [list(shared)], [""], True) == stock("", [list(shared)], [""], True) == "margin:0"


def test_a_render_merges_each_paragraphs_style_once() -> None:
    # the memo runs: 300 body paragraphs with the same style, merged by premailer once
    import premailer.merge_style

    from mailkit import _premailer

    calls: list[str] = []
    stock = premailer.merge_style.merge_styles

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return stock(*args, **kwargs)

    import premailer.premailer

    from mailkit._fixtures import load_edition
    from mailkit._inline import _PREMAILER

    data = load_edition(ROOT / "fixtures" / "breaking-china-cyberspying.yaml")
    body = "".join(f"<p>Paragraph {i} of the story.</p>" for i in range(300))
    edition = data.model_copy(update={"articles": [data.articles[0].model_copy(update={"body": body})]})
    _PREMAILER._rules.merges = _premailer.MergeMemo()  # empty: this render fills it
    original = premailer.premailer.merge_styles
    try:
        premailer.premailer.merge_styles = counting
        email = mailkit.Renderer().render("breaking", edition)
    finally:
        premailer.premailer.merge_styles = original
    assert email.html.count(">Paragraph ") == 300
    assert len(calls) < 100  # one per distinct (style, rules) shape, not one per element


def test_premailer_sets_only_the_basic_attributes_mailkit_disables() -> None:
    # mailkit skips _style_to_basic_html_attributes because every attribute it
    # can set is disabled. The stock method, run on every property cssutils
    # knows, must set exactly those (not vacuous: it must set them all, so a
    # renamed variable or a changed mapping fails here, not silently).
    import cssutils
    import premailer

    from mailkit._premailer import BASIC_ATTRIBUTES

    stock = premailer.Premailer(disable_basic_attributes=[])
    set_by: dict[str, set[str]] = {}
    for name in [*sorted(cssutils.profile.knownNames), "text-align", "vertical-align", "background-color"]:
        for value in ("10px", "red", "center"):
            element = lxml.etree.Element("td")
            stock._style_to_basic_html_attributes(element, f"{name}:{value}", force=True)
            for attribute in element.attrib:
                set_by.setdefault(attribute, set()).add(name)
    assert set(set_by) == set(BASIC_ATTRIBUTES)
    assert set_by == {"width": {"width"}, "height": {"height"}, "align": {"text-align"},
                      "valign": {"vertical-align"}, "bgcolor": {"background-color"}}
    disabled = premailer.Premailer(disable_basic_attributes=list(BASIC_ATTRIBUTES))
    element = lxml.etree.Element("td")
    disabled._style_to_basic_html_attributes(element, "width:10px;height:5px;text-align:center;"
                                             "vertical-align:top;background-color:red", force=True)
    assert dict(element.attrib) == {}


def test_a_premailer_engine_owns_its_memo() -> None:
    from mailkit._inline import PremailerEngine

    first, second = PremailerEngine(), PremailerEngine()
    html = SPELLINGS.replace("<html>", "<html><!-- own memo -->")
    assert first.inline(html, InlineOptions())[0] == second.inline(html, InlineOptions())[0]
    assert len(first._rules) == len(second._rules) == 1


# -- html2text ----------------------------------------------------------------------------------

def test_html2text_internals_have_the_signatures_and_state_mailkit_uses() -> None:
    import html2text

    stock = html2text.HTML2Text
    assert _params(stock.o) == ["self", "data", "puredata", "force"]
    assert _params(stock.handle_data) == ["self", "data", "entity_char"]
    assert _params(stock.handle_starttag) == ["self", "tag", "attrs"]
    assert _params(stock.handle_endtag) == ["self", "tag"]
    assert _params(stock.optwrap) == ["self", "text"] and _params(stock.finish) == ["self"]
    h = stock()
    for state in ("pre", "quiet", "abbr_data", "google_doc", "space", "start"):
        assert hasattr(h, state), state
    # what Converter.paragraph_run reads and sets (the run's Markdown goes straight into outtextlist)
    for state in ("p_p", "br_toggle", "outcount", "lastWasNL", "preceding_data", "current_tag", "lastWasList",
                  "outtextlist", "blockquote", "astack", "split_next_td", "tag_callback", "maybe_automatic_link"):
        assert hasattr(h, state), state
    assert h.out == h.outtextf and _params(stock.p) == ["self"]
    assert "self.p_p = 1 if self.single_line_break else 2" in inspect.getsource(stock.p)
    # handle() is what convert() stands in for: start set, the parser fed, optwrap(finish())
    source = inspect.getsource(stock.handle)
    assert "self.start = True" in source and "self.optwrap(self.finish())" in source


def test_html2text_stock_o_collapses_pure_data_as_the_override_assumes() -> None:
    # Converter.o does the collapse itself and passes the run on as not pure data:
    # the stock o must give the same for both (and the stock handle_data must
    # escape Markdown unless entity_char, which convert() relies on)
    import html2text

    def out(data: str, puredata: bool, space: bool = False) -> str:
        h = html2text.HTML2Text()
        h.body_width = 0
        h.start = True
        h.handle_data("x", True)
        h.space = space
        h.o(data, puredata)
        h.o("y", False)
        return h.optwrap(h.finish())

    # stock: collapse, a leading space becomes the space flag; the override does those two itself
    assert out(" \n a \t\n b  ", True) == out("a b ", False, space=True) == "x a b y\n"
    assert out("a  b", False) == "xa  by\n"  # not pure data: no collapse, the step the override skips
    h = html2text.HTML2Text()
    h.start = True
    h.handle_data("1. x")  # escaped as Markdown
    h.handle_data(" 2. y", True)  # as an entity's text: not escaped (what convert() feeds every run as)
    assert h.optwrap(h.finish()) == "1\\. x 2. y\n\n"


def test_mailkits_html2text_override_runs_and_equals_the_stock_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    import html2text
    import lxml.html

    from mailkit import _html2text

    calls: list[str] = []
    stock_collapse = _html2text.collapse_spaces
    monkeypatch.setattr(_html2text, "collapse_spaces", lambda data: calls.append(data) or stock_collapse(data))
    html = "<body><p>One  \n two</p><ul><li>three   four</li></ul><pre>  kept   as is</pre><p>a\\b *c*</p></body>"
    body = lxml.html.document_fromstring(html).find("body")
    ours = _html2text.convert(body, "MARK")
    assert calls  # the override did the collapse
    stock = _html2text.converter()
    assert isinstance(stock, html2text.HTML2Text)
    reference = html2text.HTML2Text()
    for knob in ("body_width", "unicode_snob", "ignore_images", "ignore_emphasis", "ignore_links", "ignore_tables",
                 "ul_item_mark", "emphasis_mark", "single_line_break", "escape_snob"):
        setattr(reference, knob, getattr(stock, knob))
    assert ours == reference.handle(html.replace("\\", "MARK"))


_TAGS_IN_EMAILS = ("p", "div", "span", "font", "center", "section", "article", "header", "footer", "main", "nav",
                   "aside", "figure", "figcaption", "small", "mark", "cite", "time", "bdi", "bdo", "ruby", "rt",
                   "var", "samp", "ins", "big", "html", "o:p", "mk-text-run", "caption", "tbody", "thead", "tfoot",
                   "address", "details", "summary", "picture", "source", "video", "audio", "wbr", "label", "h1", "h7",
                   "h9", "a", "img", "li", "ul", "ol", "td", "tr", "table", "pre", "code", "br", "hr", "blockquote",
                   "b", "strong", "em", "i", "u", "q", "abbr", "sup", "sub", "dl", "dt", "dd", "style", "script",
                   "head", "body", "del", "s", "strike", "kbd", "tt")


def _state(h: Any) -> dict[str, Any]:
    # html2text's state, comparable: its list entries by their fields; "out" is a bound method
    def comparable(key: str, value: Any) -> Any:
        if key == "list":
            return [(x.name, x.num) for x in value]
        return [(x.count, x.outcount) for x in value] if key == "a" else value
    return {k: comparable(k, v) for k, v in vars(h).items() if k != "out"}


@pytest.mark.parametrize("state", ["fresh", "in a list", "after a list", "in a link", "in a cell", "in a quote", "after text",
                                   "link waiting", "google doc"])
def test_html2text_handle_tag_does_for_a_plain_tag_only_what_convert_does_itself(state: str) -> None:
    # convert() skips handle_tag for tags it does not act on (and plain <p>, <div>):
    # for every tag, start and end, in each state, what plain_tag does must be
    # everything handle_tag does, or plain_tag must decline
    import copy

    from mailkit import _html2text

    def converter_in(state: str) -> _html2text.Converter:
        h = _html2text.converter()
        h.start = True
        if state != "fresh":
            h.handle_data("text before", True)
        if state == "in a list":
            h.handle_starttag("ul", [])
            h.handle_starttag("li", [])
        elif state == "after a list":
            h.handle_starttag("ul", [])
            h.handle_endtag("ul")
            assert h.lastWasList
        elif state == "in a link":
            h.astack.append({"href": "https://example.org/"})
        elif state == "in a cell":
            h.split_next_td = True
        elif state == "in a quote":
            h.handle_starttag("blockquote", [])
        elif state == "link waiting":
            h.maybe_automatic_link = "https://example.org/"
        elif state == "google doc":
            h.google_doc = True
        return h

    declined = []
    for tag in _TAGS_IN_EMAILS:
        for start in (True, False):
            stock, ours = converter_in(state), converter_in(state)
            stock.handle_tag(tag, {}, start)
            if not _html2text.plain_tag(ours, tag):
                declined.append(tag)
                continue
            assert _state(ours) == _state(stock), (tag, start)
            # and the same text comes out after it
            for h in (stock, ours):
                h.handle_data("after", True)
            assert stock.optwrap(copy.copy(stock).finish()) == ours.optwrap(copy.copy(ours).finish())
    if state in ("link waiting", "google doc"):
        assert set(declined) == set(_TAGS_IN_EMAILS)
    else:  # not vacuous: the plain tags took the short way
        assert {"p", "div", "span", "mk-text-run"}.isdisjoint(declined)
        assert set(declined) == {t for t in _TAGS_IN_EMAILS if t in _html2text.ACTED_ON} - {"p", "div"}


@pytest.mark.parametrize("state", ["fresh", "after text", "after a paragraph", "in a list", "in a quote", "in a cell",
                                   "after a space", "after emphasis", "in a link", "link waiting", "in pre", "in style",
                                   "quiet", "in abbr", "google doc", "links each paragraph",
                                   "after a table row"])
def test_html2text_handle_data_does_what_text_run_does_in_one_call(state: str) -> None:
    # convert() feeds text runs through Converter.text_run, which writes them itself in
    # the usual state and hands the rest to handle_data: the same state and text either way
    import copy

    from mailkit import _html2text

    def converter_in(state: str) -> _html2text.Converter:
        h = _html2text.converter()
        h.start = True
        if state != "fresh":
            h.handle_data("text before", True)
        if state == "after a paragraph":
            h.handle_starttag("p", [])
        elif state == "in a list":
            h.handle_starttag("ul", [])
            h.handle_starttag("li", [])
        elif state == "in a quote":
            h.handle_starttag("blockquote", [])
            h.handle_starttag("p", [])
        elif state == "in a cell":
            h.split_next_td = True
        elif state == "after a space":
            h.handle_data("word ", True)
        elif state == "after emphasis":
            h.handle_starttag("p", [])
            h.stressed = True  # what a closed <b> sets when emphasis is on
        elif state == "in a link":
            h.astack.append({"href": "https://example.org/"})
        elif state == "link waiting":
            h.maybe_automatic_link = "https://example.org/"
        elif state == "in pre":
            h.handle_starttag("pre", [])
        elif state == "in style":
            h.handle_starttag("style", [])
        elif state == "quiet":
            h.quiet = 1
        elif state == "in abbr":
            h.handle_starttag("abbr", [("title", "North Atlantic")])
        elif state == "google doc":
            h.google_doc = True
        elif state == "links each paragraph":
            h.links_each_paragraph = True
            h.a.append(type("Anchor", (), {"outcount": 0, "count": 1, "attrs": {"href": "https://example.org/"}})())
            h.handle_starttag("p", [])  # a paragraph break pending: the link list would be written here
        elif state == "after a table row":
            h.handle_starttag("tr", [])
            h.handle_endtag("tr")  # a soft break pending
            assert h.br_toggle
        return h

    for data in ("", " ", "  \n ", "\u00a0\u3000\t", "word", " lead", "trail ", " both  runs \t here ", "> quoted",
                 "a\u00a0b", "\u3000wide", "1. listed", "\n\nbreaks\n"):
        stock, ours = converter_in(state), converter_in(state)
        stock.handle_data(data, True)
        ours.text_run(data)
        assert _state(ours) == _state(stock), (state, data)
        for h in (stock, ours):
            h.handle_data("after", True)
        assert stock.optwrap(copy.copy(stock).finish()) == ours.optwrap(copy.copy(ours).finish()), (state, data)


# -- mjml-python (MRML) -------------------------------------------------------------------------

def test_mrml_call_has_the_signature_mailkit_uses() -> None:
    import mjml

    assert _params(mjml.mjml2html) == ["input", "disable_comments", "social_icon_origin", "fonts", "include_loader"]


@pytest.mark.parametrize(("source", "message", "span"), [
    ("<mjml><mj-body><mj-text>", "unexpected end of stream in root template", None),
    ("", "unable to find mjml element", None),
    ("<p>x</p>", "unexpected token in root template", (0, 2)),
    ('<mjml><mj-body><mj-include path="x.mjml"/></mj-body></mjml>', "unable to load included template in root template",
     (16, 26)),
])
def test_mrml_error_text_has_the_format_the_adapter_reads(source: str, message: str,
                                                          span: tuple[int, int] | None) -> None:
    # the format of mjml-python's errors (the version in constraints.txt): a ValueError,
    # "<message>[ at position START:END]", START a byte offset into the source
    import mjml

    from mailkit._mrml import MrmlError, mjml_to_html

    def refuse(path: str) -> str:
        raise ValueError("mailkit's own reason")

    with pytest.raises(ValueError) as stock:
        mjml.mjml2html(source, include_loader=refuse)
    expected = message if span is None else f"{message} at position {span[0]}:{span[1]}"
    assert str(stock.value) == expected  # the loader's reason is swallowed: compile.py keeps it
    with pytest.raises(MrmlError) as ours:
        mjml_to_html(source, keep_comments=True, fonts={}, include_loader=refuse)
    assert ours.value.message == message
    assert ours.value.offset == (span[0] if span else None)
    assert isinstance(ours.value.__cause__, ValueError)
    if span == (16, 26):
        assert source.encode()[16:26] == b"mj-include"


def test_a_compile_error_names_the_line_and_column_from_mrmls_offset() -> None:
    from mailkit._compile import CompileOptions, compile_mjml

    source = '<mjml>\n<mj-body>\n  <mj-include path="nope.mjml" />\n</mj-body></mjml>'
    with pytest.raises(mailkit.MjmlCompileError) as info:
        compile_mjml(source, CompileOptions(template="t.mjml.j2"))
    assert (info.value.line, info.value.column) == (3, 4)
    assert "nope.mjml" in str(info.value) and info.value.__cause__ is not None


# -- feedparser, pydantic, PyYAML ---------------------------------------------------------------

def test_feedparsers_date_reader_is_where_and_what_mailkit_uses() -> None:
    import calendar

    import feedparser.datetimes

    from mailkit._feedparser import parse_date

    assert _params(feedparser.datetimes._parse_date) == ["date_string"]
    for raw in ("Wed, 21 May 2014 07:30:00 +0200", "2014-05-21T05:30:00Z", "Wed, 21 May 2014 05:30:00 GMT"):
        parsed = parse_date(raw)
        assert parsed is not None and calendar.timegm(parsed) == 1400650200, raw
    assert parse_date("not a date") is None


def test_pydantics_model_metaclass_is_the_one_mailkits_models_extend() -> None:
    import pydantic

    from mailkit._pydantic import ModelMetaclass

    assert type(pydantic.BaseModel) is ModelMetaclass
    assert type(mailkit.Recipient) is not ModelMetaclass and issubclass(type(mailkit.Recipient), ModelMetaclass)
    assert "__call__" in type(mailkit.Recipient).__dict__
    with pytest.raises(mailkit.InvalidFixtureError, match="email"):  # mailkit's translation of ValidationError ran
        mailkit.Recipient(email="not an address")


def test_pyyamls_libyaml_parser_is_the_one_mailkits_loader_uses() -> None:
    import yaml

    from mailkit import _yaml
    from mailkit._reader import _SafeLoader

    assert yaml.__with_libyaml__, "PyYAML without libyaml: mailkit falls back to the pure-Python parser"
    assert _yaml.Parser is yaml.CSafeLoader.__mro__[1]  # what CSafeLoader is made of
    assert _yaml.Parser in _SafeLoader.__mro__
