"""mailkit's premailer transform (mailkit/_premailer.py) against stock premailer: the same bytes, always.

mailkit runs premailer's own steps with its own loop from matched rules to
``style`` attributes (and its own memos of compiled selectors and
declarations). The reference here is stock ``premailer.Premailer.transform``
with the same knobs, under the same cssutils settings, only its CSS parser
swapped for one that fetches no ``@import`` (as mailkit's). Compared on
generated documents and style sheets (hypothesis) and on the compiled HTML of
every shipped template x fixture x theme and the newsroom example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.etree
import pytest
from conftest import THEMES, matrix
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit import _premailer
from mailkit._inline import InlineOptions, PremailerEngine, html_tostring, parse_html

ROOT = Path(__file__).parent.parent


def _stock_transform(root: Any, *, keep_style_tags: bool, remove_classes: bool) -> None:
    import premailer

    from mailkit._cssutils import mailkit_settings, parse_stylesheet

    class Stock(premailer.Premailer):  # type: ignore[misc]
        def _parse_css_string(self, css_body: str, validate: bool = True) -> Any:
            return parse_stylesheet(css_body, validate=validate)

    with mailkit_settings(), _premailer._tagged_cache_keys():
        Stock(**_premailer.knobs(keep_style_tags=keep_style_tags, remove_classes=remove_classes)).transform(
            root, pretty_print=False)


def _outcome(transform: Any, html: str, **options: bool) -> str:
    """The serialised document, or the exception's type and message."""
    root = parse_html(html)
    try:
        transform(root, **options)
    except Exception as err:  # noqa: BLE001  # both sides must fail alike
        return f"{type(err).__name__}: {err}"
    return html_tostring(root)


def _both(html: str, rules: _premailer.StyleRules | None = None, keep_style_tags: bool = True,
          remove_classes: bool = False) -> tuple[str, str]:
    options = {"keep_style_tags": keep_style_tags, "remove_classes": remove_classes}
    rules = rules or _premailer.StyleRules()
    fast = _outcome(lambda root, **o: _premailer.transform(root, rules=rules, **o), html, **options)
    return fast, _outcome(_stock_transform, html, **options)


# -- generated documents and style sheets -------------------------------------------------------

TAGS = ["div", "p", "span", "a", "b", "em", "h2", "ul", "li", "section"]
CLASSES = ["a", "b", "c", "mk-text", "x-y"]
IDS = ["one", "two"]
# between the classes of a class attribute: mostly " ", which mailkit's loop reads as it is,
# and the characters it reads as XPath's normalize-space() does (tab, line breaks) or not at all
CLASS_SPACES = [" ", " ", " ", "  ", "\t", "\n", "\r\n", " \t ", "\x0c", "\u00a0"]
PROPERTIES = ["color:red", "color:#00f", "margin:0", "padding:1px 2px", "font-family:Roboto, Arial",
              "line-height:0.5", "color:unset", "width:100%", "display:none", "mso-line-height-rule:exactly"]

compound = st.builds(
    lambda tag, classes, ident, attribute, pseudo: tag + "".join(f".{c}" for c in classes) + ident + attribute + pseudo,
    st.sampled_from(["", "*", *TAGS, "td", "P", "Td", "h2\\.x", "\\70"]),  # case as written; escapes
    st.lists(st.sampled_from(CLASSES), max_size=2),
    st.sampled_from(["", "", "", *[f"#{i}" for i in IDS]]),
    st.sampled_from(["", "", "", "[title]", "[title=t]", "[class~=a]", "[style]", "[data-x^=v]"]),
    st.sampled_from(["", "", "", "", ":first-child", ":last-child", ":nth-child(2n+1)", ":hover", ":not(.a)",
                     ":not(p)", ":is(p, em)", ":has(> b)", "::before", ":visited"]),
).map(lambda s: s or "p")
selector = st.builds(lambda head, tail: head + "".join(f"{c}{s}" for c, s in tail), compound,
                     st.lists(st.tuples(st.sampled_from([" ", " > ", " + ", " ~ "]), compound), max_size=2))
declarations = st.lists(st.builds(lambda p, imp: p + (" !important" if imp else ""), st.sampled_from(PROPERTIES),
                                  st.booleans()), min_size=0, max_size=3).map("; ".join)
rule = st.builds(lambda sels, decl: f"{', '.join(sels)} {{ {decl} }}", st.lists(selector, min_size=1, max_size=3),
                 declarations)
sheet = st.lists(st.one_of(rule, rule, rule, declarations.map(lambda d: f"@media (max-width: 480px) {{ p {{ {d} }} }}")),
                 max_size=8).map("\n".join)


@st.composite
def element(draw: Any, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attributes = ""
    classes = draw(st.lists(st.sampled_from(CLASSES), max_size=3))  # repeats too: class="a a"
    if classes:
        # XML's spaces (normalize-space() in premailer's XPaths) and others; at the ends too
        space = draw(st.sampled_from(CLASS_SPACES))
        attributes += f' class="{draw(st.sampled_from(["", space]))}{space.join(classes)}"'
    if draw(st.integers(0, 4)) == 0:
        attributes += f' id="{draw(st.sampled_from(IDS))}"'
    if draw(st.booleans()):
        attributes += f' style="{draw(declarations)}"'
    if draw(st.integers(0, 3)) == 0:
        attributes += f' title="{draw(st.sampled_from(["t", "u"]))}" data-x="{draw(st.sampled_from(["v", "vw", "w"]))}"'
    children = draw(st.lists(element(depth + 1), max_size=0 if depth >= 3 else 4)) if depth < 3 else []
    return f"<{tag}{attributes}>t{''.join(children)}</{tag}>"


@st.composite
def document(draw: Any) -> str:
    markers = st.sampled_from(["", "", ' media="print"', ' media="screen"', ' data-premailer="ignore"'])
    styles = "".join(f"<style{draw(markers)}>{draw(sheet)}</style>" for _ in range(draw(st.integers(1, 3))))
    head = f"<head>{styles}</head>" if draw(st.integers(0, 5)) else ""  # premailer adds a missing <head>
    body = "".join(draw(st.lists(element(), min_size=1, max_size=4)))
    # two anchors on <td> (their class lists are read once for both)
    table = ('<table><tr><td class="mk-text"><p class="a">x</p><p>y</p></td><td class="a\tmk-img"><p>z</p></td>'
             '</tr></table>') if draw(st.booleans()) else ""
    return f"<!doctype html><html>{head}<body>{body}{table}</body></html>"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document(), st.booleans(), st.booleans())
def test_generated_documents_and_style_sheets_give_stock_premailers_bytes(html: str, keep: bool, remove: bool) -> None:
    fast, stock = _both(html, keep_style_tags=keep, remove_classes=remove)
    assert fast == stock


# rules sharing what comes before their last name ("X p", "X a.b" ...): taken from one evaluation of X
# ("X .c", "X *.a.b p": Y only classes, taken from the elements with a class under X's matches)
anchored_rule = st.builds(lambda x, name, classes, tail, decl: f"{x} {name}{''.join(f'.{c}' for c in classes)}{tail} "
                                                                 f"{{ {decl} }}",
                          st.sampled_from(["div", ".a", "td.mk-text", "td.mk-img", "td.a.mk-img", "p.a", "div > p",
                                           "li:first-child", "*"]),
                          st.sampled_from([*TAGS, "*", ".a", ".b", ".mk-text", "*.c"]),
                          st.lists(st.sampled_from(CLASSES), max_size=2),
                          st.sampled_from(["", "", "", " a", " p", " > p", " .b", " p.a", ":first-child", " + p"]),
                          declarations)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document(), st.lists(anchored_rule, min_size=2, max_size=8))
def test_rules_anchored_on_a_shared_selector_give_stock_premailers_bytes(html: str, extra: list[str]) -> None:
    html = html.replace("<body>", f"<body><style>{' '.join(extra)}</style>", 1)
    fast, stock = _both(html)
    assert fast == stock


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(document(), min_size=2, max_size=4))
def test_one_engine_over_many_documents_gives_stock_premailers_bytes_for_each(htmls: list[str]) -> None:
    # the memos (blocks, selectors, declarations, merges) carry from one document to the next
    rules = _premailer.StyleRules(size=2)
    for html in htmls * 2:
        fast, stock = _both(html, rules, keep_style_tags=True, remove_classes=False)
        assert fast == stock


def test_one_engine_in_threads_gives_each_document_stock_premailers_bytes() -> None:
    # the memos are shared by every render of the engine (the default engine is one per process),
    # here small enough to be cleared while other threads read them
    import threading

    sheets = ["p { color: red } div p.a { margin: 0 } div p { top: 0 }",
              "p.a { color: blue !important } li p { padding: 0 } div p.b { margin: 1px }",
              "div > p:first-child { color: green } p { color: unset } .a p.b { left: 0 }"]
    htmls = [f'<html><head><style>{css}</style></head><body><div class="a"><p class="a b">1</p>'
             f'<p style="color: gray">2</p><ul><li><p class="b">3</p></li></ul></div></body></html>' for css in sheets]
    expected = [_both(html)[1] for html in htmls]
    rules = _premailer.StyleRules(size=1)
    rules.merges.size = 2
    failures: list[int] = []

    def work(k: int) -> None:
        for i in range(60):
            n = (i + k) % len(htmls)
            if _both(htmls[n], rules)[0] != expected[n]:
                failures.append(n)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.parametrize("css", [
    "p { color: red }  p { color: blue !important } p.a { margin: 0 }",
    "#one p, .a > .b + .c, .a ~ p { color: red } *, * p { margin: 0 }",
    "p:first-child, li:last-child, p:nth-child(2n+1) { color: red } a:hover { color: blue }",
    # classes on a shared base, with tabs and line breaks in the class attribute
    "div p { color: red } div p.a { margin: 0 } div p.b.c { padding: 0 } div p.x-y { top: 0 }",
    "p[title=t] { color: red } [data-x^=v] { margin: 0 } p[style] { padding: 0 }",
    ".nothing .here { color: red } p { color: unset }",
    "p { color: red } p:unknown-pseudo(( { x }",
    "p >> q { color: red }",  # an invalid selector: both fail alike
    # a namespace prefix: libxml2 fails on it while evaluating, even with no <q> to start from
    "@namespace svg url(http://www.w3.org/2000/svg); q svg|p { color: red }",
    "@namespace foo url(x); p { color: red } q p[foo|bar] { color: blue }",
])
def test_pinned_style_sheets_give_stock_premailers_bytes(css: str) -> None:
    html = ('<html><head><style>' + css + '</style></head><body><div id="one" class="a a">'
            '<p class="a" style="margin: 1px; color: green">1</p><p title="t" class="b">2</p><p class="c">3</p>'
            '<p class="\tb\n\rc\x0c x-y ">7</p><p class="b\x0cc">8</p><p class="">9</p><p class>10</p>'
            '<span data-x="vw">4</span><ul><li>5</li><li style="color: unset">6</li></ul></div></body></html>')
    for keep in (True, False):
        fast, stock = _both(html, keep_style_tags=keep, remove_classes=not keep)
        assert fast == stock


def test_later_style_blocks_win_ties_as_in_stock_premailer() -> None:
    # the blocks' order is part of each rule's specificity; blocks for print and ignored ones take no part
    html = ('<html><head><style>p { color: red; margin: 0 } .a { padding: 0 }</style>'
            '<style media="print">p { color: green }</style><style data-premailer="ignore">p { color: gray }</style>'
            '<style>p { color: blue } p.a { padding: 1px }</style><style media="screen">p { margin: 1px }</style>'
            '</head><body><p class="a">x</p><p style="color: unset">y</p></body></html>')
    for keep in (True, False):
        fast, stock = _both(html, keep_style_tags=keep, remove_classes=False)
        assert fast == stock and 'style="color:blue; margin:1px; padding:1px"' in fast


@pytest.mark.parametrize(("selector", "names"), [
    ("td.mk-text p.mk-kicker", {"td", "p"}),
    ("a > b + c ~ d:first-child", {"a", "b", "c", "d"}),
    ("P", {"P"}),  # premailer's CSSSelector compares names as written
    ("\\70", {"p"}),
    ("p:not(em), p:is(a, b)", set()),  # a group: premailer splits them first
    ("p:not(em)", {"p"}),
    ("p:is(a, b):has(> i)", {"p"}),
    ("svg|p", set()),
    ("q svg|p", set()),  # libxml2 fails on the prefix whether or not a <q> is there: always evaluated
    ("q p[foo|bar]", set()),
    ("*.a #b [c]", set()),
    ("p >> q", set()),
])
def test_a_selector_is_skipped_only_for_a_name_every_match_needs(selector: str, names: set[str]) -> None:
    # a rule is not evaluated when one of these names is missing from the document
    assert set(_premailer._analysed(selector)[0]) == names


@pytest.mark.parametrize(("selector", "base", "needles"), [
    ("td.mk-text p.mk-dek", "td.mk-text p", (" mk-dek ",)),
    ("p.a.b.a", "p", (" a ", " b ")),
    ("a + p.x", "a + p", (" x ",)),
    ("ul > li.a", "ul > li", (" a ",)),
    ("P.x", "P", (" x ",)),
])
def test_a_selector_ending_in_classes_on_a_name_is_its_base_filtered_by_class(
        selector: str, base: str, needles: tuple[str, ...]) -> None:
    import lxml.cssselect

    _, got, _ = _premailer._analysed(selector)
    assert got is not None and got[0] == lxml.cssselect.CSSSelector(base).path and sorted(got[1]) == sorted(needles)


@pytest.mark.parametrize("selector", [".x", "td .x", "p.a:first-child", "p.a#b", "p.a[title]", "p.a\\ b", "q svg|p.a",
                                      "td.mk-text .mk-footer-text a"])
def test_other_selectors_have_no_base(selector: str) -> None:
    assert _premailer._analysed(selector)[1] is None


@pytest.mark.parametrize(("selector", "first", "plain_first", "plain_last"), [
    ("td.mk-text p", "td.mk-text", ("td", (" mk-text ",)), ("p", ())),
    ("td.mk-text p.mk-dek", "td.mk-text", ("td", (" mk-text ",)), ("p", (" mk-dek ",))),
    ("td.mk-text h3 a", "td.mk-text", ("td", (" mk-text ",)), None),
    ("td.mk-text .mk-credit", "td.mk-text", ("td", (" mk-text ",)), None),
    ("td p.x.y", "td", ("td", ()), ("p", (" x ", " y "))),
    ("div:first-child P", "div:first-child", None, ("P", ())),
    ("td#a > p q", "td#a", None, None),  # (the first combinator must be " ")
    ("td.a\\ b p", "td.a\\ b", None, ("p", ())),
])
def test_a_selector_with_a_descendant_combinator_first_is_anchored_on_its_first_compound(
        selector: str, first: str, plain_first: Any, plain_last: Any) -> None:
    # X Y ...: the rule's XPath is X's followed by the rest, so its matches are $x/rest, $x X's matches
    import lxml.cssselect

    *_, got = _premailer._analysed(selector)
    if " > " in selector:
        assert got is None
        return
    assert got is not None
    assert got.path == lxml.cssselect.CSSSelector(first).path
    assert got.path + got.rest == lxml.cssselect.CSSSelector(selector).path and got.rest.startswith("/descendant")
    assert got.first == plain_first
    assert (got.last and (got.last[0], tuple(sorted(got.last[1])))) == plain_last


@pytest.mark.parametrize("selector", ["p", "p.a", "td > p", "td + p", "td ~ p", "td p::before", "td svg|p"])
def test_other_selectors_have_no_anchor(selector: str) -> None:
    assert _premailer._analysed(selector)[2] is None


@pytest.mark.parametrize(("selector", "classed"), [
    ("td.mk-text .mk-credit", ((" mk-credit ",), "")),
    ("td.mk-text .mk-footer-text a", ((" mk-footer-text ",), "/descendant::a")),
    ("div *.a.b > p", ((" a ", " b "), "/p")),
    ("td.mk-text p.mk-dek", None), ("td.mk-text * a", None), ("td.mk-text .a:first-child", None),
    ("td.mk-text .a[title] p", None), ("td.mk-text > .a", None), ("td.mk-text svg|*.a", None),
])
def test_a_second_compound_of_only_classes_is_found_among_the_classed_elements_under_the_first(
        selector: str, classed: Any) -> None:
    # X .c ...: the rule's XPath is X's, then "/descendant::*[" the class tests "]", then the rest
    import lxml.cssselect

    *_, got = _premailer._analysed(selector)
    found = got.classed if got is not None else None
    assert (found and (sorted(found[0]), found[1])) == (classed and (sorted(classed[0]), classed[1]))
    if classed is not None:
        assert got is not None and lxml.cssselect.CSSSelector(selector).path.endswith("]" + classed[1])


def test_rules_on_classes_under_an_anchor_match_as_in_stock_premailer_at_any_depth() -> None:
    # "X .c a": the a under .c at any depth, .c at any depth under X (and under two X, once)
    css = ("td.x .c { color: red } td.x .c a { color: blue } td.x .c > a { margin: 0 } td.x .c.d b { padding: 0 }"
           " td.x .d { line-height: 1 } td.x .c p a { width: 1px }")
    body = ('<table><tr><td class="x"><div class="c"><span><a>1</a></span><a>2</a></div><p class="d\tc">'
            '<b>3</b><a>4</a></p><table><tr><td class="x"><div class="c"><p><a>5</a></p></div></td></tr></table>'
            '</td><td><div class="c"><a>6</a></div></td></tr></table><div class="c"><a>7</a></div>')
    html = f"<html><head><style>{css}</style></head><body>{body}</body></html>"
    fast, stock = _both(html)
    assert fast == stock and fast.count("color:blue") == 4


def test_rules_anchored_on_one_selector_match_as_in_stock_premailer_nested_or_not() -> None:
    # nested anchors (a td.x in a td.x) reach an element twice; each rule matches it once
    css = ("td.x p { color: red } td.x a { color: blue } td.x p.k { margin: 0 } td.x p.k.j { padding: 0 }"
           " td.x b { color: green } td.x td p { line-height: 1 } td p { width: 1px } td em { width: 2px }")
    body = ('<table><tr><td class="x"><p class="k">a<a>b</a></p><table><tr><td class=" x\ty "><p class="j\nk">c</p>'
            '<b>d</b></td></tr></table><p>e</p></td><td><p>f</p><a>g</a></td></tr></table><p class="k">h</p>')
    html = f"<html><head><style>{css}</style></head><body>{body}</body></html>"
    fast, stock = _both(html)
    assert fast == stock and fast.count("color:red") == 3


# -- every shipped template, fixture and theme ------------------------------------------------

class _Differential:
    """An inline engine that runs mailkit's premailer and stock premailer on the same HTML and compares them."""

    name = "differential"

    def __init__(self) -> None:
        self.engine = PremailerEngine()
        self.compared = 0

    def inline(self, html: str, options: InlineOptions) -> tuple[str, Any]:
        stock_root = parse_html(html)
        _stock_transform(stock_root, keep_style_tags=options.keep_style_tags, remove_classes=options.remove_classes)
        result, tree = self.engine.inline(html, options)
        assert html_tostring(tree) == html_tostring(stock_root)
        self.compared += 1
        return result, tree


def _cases() -> list[tuple[str, Path, str]]:
    return [(template, fixture, theme) for template, fixture in matrix() for theme in THEMES]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c[0]}--{c[1].stem}--{c[2]}")
def test_every_template_fixture_and_theme_gives_stock_premailers_bytes(case: tuple[str, Path, str]) -> None:
    template, fixture, theme = case
    differential = _Differential()
    email = mailkit.Renderer(theme=theme, inliner=differential).render(template, fixture)
    plain = mailkit.Renderer(theme=theme).render(template, fixture)
    assert differential.compared == 1 and email.html == plain.html


def test_the_newsroom_example_gives_stock_premailers_bytes() -> None:
    example = ROOT / "examples" / "newsroom-templates"
    differential = _Differential()
    renderer = mailkit.Renderer(template_dirs=(example / "templates",), inliner=differential)
    renderer.render("weather-alert", example / "fixtures" / "weather-alert-storm.yaml")
    assert differential.compared == 1


def test_the_override_runs_and_only_where_mailkit_inlines() -> None:
    # mailkit's class runs its own loop; stock premailer (another user in the process) is untouched
    import premailer

    cls = _premailer.premailer_class()
    assert cls.transform is not premailer.Premailer.transform
    html = '<html><head><style>p { color: red }</style></head><body><p>x</p></body></html>'
    root = lxml.etree.fromstring(html, lxml.etree.HTMLParser())
    rules = _premailer.StyleRules()
    _premailer.transform(root, keep_style_tags=True, remove_classes=False, rules=rules)
    assert root.xpath("//p")[0].get("style") == "color:red" and len(rules.merges) == 1
    assert premailer.Premailer(html, allow_network=False).transform().count('style="color:red"') == 1
