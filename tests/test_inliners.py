"""The two CSS inlining engines, premailer (default) and css-inline (``mailkit[fast]``), hold the same guarantees.

Offline, ``<style>`` kept with its media queries and ``!important``, MJML's
reset CSS left out of the ``style`` attributes, the same plain text, the same
personalisation; and, in a browser, the same pixels (give or take a few).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import lxml.etree
import pytest
from conftest import INLINERS, matrix, pair_id, rendered
from hypothesis import given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._compile import compile_mjml
from mailkit._errors import InliningError
from mailkit._inline import InlineOptions, inline_document

pytest.importorskip("css_inline")

MJML = """<mjml><mj-head><mj-style>
.red { color: #ff0000 !important; }
@media (max-width: 480px) { .red { color: #00ff00 !important; } }
</mj-style></mj-head><mj-body><mj-section><mj-column>
<mj-text css-class="red">Hello</mj-text>
</mj-column></mj-section></mj-body></mjml>"""


@pytest.mark.parametrize("inliner", INLINERS)
def test_both_engines_keep_media_queries_and_important_and_leave_the_reset_alone(inliner: str) -> None:
    html, tree = inline_document(compile_mjml(MJML), inliner)
    assert html.startswith("<!doctype html>\n")
    assert "@media (max-width: 480px)" in html
    cell = tree.xpath("//td[@class='red']")[0]
    assert _declarations(cell.get("style"))["color"] == "#ff0000 !important"
    # MJML's reset (table, td { border-collapse: collapse }) stays in <style>, not on every cell
    assert "border-collapse" in html
    assert not any("border-collapse" in (td.get("style") or "") for td in tree.iter("td"))
    assert "data-premailer" not in html and "data-css-inline" not in html


@pytest.mark.parametrize("inliner", INLINERS)
def test_both_engines_stay_offline(inliner: str) -> None:
    # a stylesheet link would be a request per render (and a tracking leak): neither engine follows it
    html = compile_mjml(MJML).replace("</head>", '<link rel="stylesheet" href="http://192.0.2.1/x.css"></head>')
    result, _ = inline_document(html, inliner)
    assert 'href="http://192.0.2.1/x.css"' in result


def test_an_unknown_inliner_is_an_options_error_naming_the_choices() -> None:
    with pytest.raises(mailkit.OptionsError, match=r"options.inliner: unknown inliner 'fastest'.*premailer, css-inline"):
        mailkit.render("breaking", "fixtures/breaking-minimal-no-image.yaml",
                       mailkit.RenderOptions(inliner="fastest"))  # type: ignore[arg-type]


def test_css_inline_cannot_remove_classes_and_says_so() -> None:
    with pytest.raises(InliningError, match="cannot remove classes"):
        inline_document(compile_mjml(MJML), "css-inline", InlineOptions(remove_classes=True))


def _declarations(style: str | None) -> dict[str, str]:
    """A style attribute as {property: value}, spelled one way: #ddd as #dddddd, quotes and spaces alike."""
    out = {}
    for part in (style or "").split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            value = re.sub(r"\s*,\s*", ",", value.strip()).replace("'", '"')
            value = re.sub(r"#([0-9a-f])([0-9a-f])([0-9a-f])\b", r"#\1\1\2\2\3\3", value.lower())
            value = re.sub(r"(?<![\d.])0px\b", "0", value)
            out[name.strip().lower()] = re.sub(r"\s+", " ", value).replace(" !important", "!important").replace("!important", " !important")
    return out


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_both_engines_give_the_same_email_after_normalising_css_spelling(pair: tuple[str, Path]) -> None:
    # in place of a second set of snapshots: css-inline's output is premailer's
    # element for element, attribute for attribute, declaration for declaration
    a, b = rendered(*pair), rendered(*pair, inliner="css-inline")
    assert (a.subject, a.preheader, a.text, a.warnings) == (b.subject, b.preheader, b.text, b.warnings)
    parse = lxml.etree.HTMLParser()
    ta, tb = lxml.etree.fromstring(a.html, parse), lxml.etree.fromstring(b.html, parse)
    ea = [e for e in ta.iter() if isinstance(e.tag, str)]
    eb = [e for e in tb.iter() if isinstance(e.tag, str)]
    assert [e.tag for e in ea] == [e.tag for e in eb]
    for x, y in zip(ea, eb, strict=True):
        assert {k: v for k, v in x.attrib.items() if k != "style"} == {k: v for k, v in y.attrib.items() if k != "style"}
        if x.tag == "html":
            # css-inline also inlines :root { color-scheme }, a pseudo-class premailer skips; both keep it in <style>
            continue
        assert _declarations(x.get("style")) == _declarations(y.get("style")), (x.tag, x.get("class"))
    assert [s.text for s in ta.iter("style")] == [s.text for s in tb.iter("style")]


def test_css_inline_personalises_like_a_full_render() -> None:
    options = mailkit.RenderOptions(inliner="css-inline")
    reader = mailkit.Recipient(email="ana@example.com", first_name="Ana & Co",
                               unsubscribe_url="https://news.example.com/u?t=abc&s=1")
    fixture = "fixtures/breaking-china-cyberspying.yaml"
    personalised = mailkit.prepare("breaking", fixture, options).personalize(reader)
    assert personalised == mailkit.render("breaking", fixture, options, recipient=reader)
    assert "u?t=abc&amp;s=1" in personalised.html


# -- the same pixels ---------------------------------------------------------------------------

# a pixel counts as different when a channel moves by more than this (anti-aliasing noise)
_TOLERANCE = 24
# "a few pixels": at most this many differ in a whole full-page screenshot
_MAX_DIFFERENT = 40

_COMPARE = """async ([a, b, tolerance]) => {
  const load = src => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i); i.onerror = fail; i.src = src; });
  const [x, y] = [await load(a), await load(b)];
  if (x.width !== y.width || x.height !== y.height) return {size: [x.width, x.height, y.width, y.height], differ: -1};
  const pixels = img => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
  const [p, q] = [pixels(x), pixels(y)];
  let differ = 0;
  for (let i = 0; i < p.length; i += 4)
    if (Math.abs(p[i] - q[i]) > tolerance || Math.abs(p[i+1] - q[i+1]) > tolerance || Math.abs(p[i+2] - q[i+2]) > tolerance) differ++;
  return {size: [x.width, x.height], differ};
}"""


def _screenshot(browser, html: str, width: int) -> str:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.abort())  # offline: images are placeholders
        page.set_content(html, wait_until="load")
        # under load, a screenshot taken before the fonts settle lays a line out
        # differently in one of the two (a flaky difference of ~1,300 pixels)
        page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(0))))")
        return "data:image/png;base64," + base64.b64encode(page.screenshot(full_page=True)).decode()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1000])
@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_both_engines_look_the_same_in_a_browser(browser, pair: tuple[str, Path], width: int) -> None:  # type: ignore[no-untyped-def]
    shots = [_screenshot(browser, rendered(*pair, inliner=inliner).html, width) for inliner in INLINERS]
    context = browser.new_context()
    try:
        result = context.new_page().evaluate(_COMPARE, [*shots, _TOLERANCE])
    finally:
        context.close()
    assert result["differ"] != -1, f"page sizes differ: {result['size']}"
    assert result["differ"] <= _MAX_DIFFERENT, result


@pytest.mark.browser
def test_the_visual_comparison_sees_a_changed_style(browser) -> None:  # type: ignore[no-untyped-def]
    # the comparison above must be able to fail: one heading's colour changed is far more than a few pixels
    email = rendered("breaking", Path("fixtures") / "breaking-china-cyberspying.yaml")
    changed = email.html.replace("<h1", '<h1 bgcolor="x" style="background:#ff00ff"', 1)
    assert changed != email.html
    shots = [_screenshot(browser, html, 375) for html in (email.html, changed)]
    context = browser.new_context()
    try:
        result = context.new_page().evaluate(_COMPARE, [*shots, _TOLERANCE])
    finally:
        context.close()
    assert result["differ"] > _MAX_DIFFERENT, result


def test_the_cli_renders_with_either_engine(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mailkit._cli import main

    texts = []
    for inliner in INLINERS:
        out = tmp_path / inliner
        result = CliRunner().invoke(main, ["render", "breaking", "fixtures/breaking-china-cyberspying.yaml",
                                           "-o", str(out), "--inliner", inliner])
        assert result.exit_code == 0, result.output
        texts.append((out / "breaking--breaking-china-cyberspying.txt").read_text())
    assert texts[0] == texts[1]
    result = CliRunner().invoke(main, ["render", "breaking", "fixtures/breaking-china-cyberspying.yaml",
                                       "-o", str(tmp_path), "--inliner", "fastest"])
    assert result.exit_code == 2 and "'fastest' is not one of" in result.output


# -- what a render imports --------------------------------------------------------------------

def _fresh(code: str) -> str:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_premailer_render_does_not_import_requests_and_requests_still_works_after() -> None:
    out = _fresh(
        "import sys, mailkit\n"
        "mailkit.render('breaking', 'fixtures/breaking-china-cyberspying.yaml')\n"
        "print('urllib3' in sys.modules, 'requests.sessions' in sys.modules)\n"
        "import requests\n"
        "from requests.adapters import HTTPAdapter\n"
        "print(requests.Session.__name__, sys.modules['requests'].__name__, HTTPAdapter.__name__)\n"
        "print(sys.modules['requests'].get is requests.get, type(sys.modules['requests']).__name__)\n"
    )
    assert out.split("\n")[:3] == ["False False", "Session requests HTTPAdapter", "True module"]


def test_a_css_inline_render_loads_neither_premailer_nor_cssutils() -> None:
    out = _fresh(
        "import sys, mailkit\n"
        "mailkit.render('breaking', 'fixtures/breaking-china-cyberspying.yaml', mailkit.RenderOptions(inliner='css-inline'))\n"
        "print(sorted(m for m in ('premailer', 'cssutils', 'requests') if m in sys.modules))\n"
    )
    assert out.strip() == "[]"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="<!->x", max_size=8), max_size=6))
def test_comment_openings_counts_what_each_comment_writes(texts: list[str]) -> None:
    # html_tostring's count of the "<!--" the comments account for, in one pass (an opening
    # formed with a comment's closing "-->", as in "<!" + "-->", counts as the comment's own)
    from mailkit._inline import comment_openings

    assert comment_openings(texts) == sum(f"<!--{text}-->".count("<!--") for text in texts)
