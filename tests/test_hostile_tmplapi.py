"""Hostile values printed into CSS: ``<mj-style>`` escapes by context.

Inside ``<mj-style>`` every ``{{ value }}`` is checked as one CSS value and
printed unescaped (``| css`` applied by itself). Each case is a template (in a
temporary folder) and a value, and its outcome: it renders with the value as
CSS, or it fails with a ``TemplateError`` naming the template and line; never
HTML-escaped CSS, never a value that closes the rule or the element.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
# line 4 prints the value inside <mj-style>
STYLED = """{# styled #}
<mjml><mj-head>
<mj-style>
td.mk-text h1 { font-family: {{ VALUE }}; }
</mj-style>
</mj-head><mj-body><mj-section><mj-column><mj-text css-class="mk-text"><h1>{{ article.headline }}</h1></mj-text></mj-column></mj-section></mj-body></mjml>
"""


def render(folder: Path, value: str, kicker: str = "World", data: dict | None = None) -> mailkit.RenderedEmail:
    (folder / "t.mjml.j2").write_text(STYLED.replace("VALUE", value), encoding="utf-8")
    if data is None:
        data = copy.deepcopy(BASE)
        data["articles"][0]["kicker"] = kicker
    return mailkit.render("t", data, mailkit.RenderOptions(template_dirs=(folder,)))


def style_of(email: mailkit.RenderedEmail) -> str:
    return "".join(re.findall(r"<style[^>]*>(.*?)</style>", email.html, re.DOTALL))


# the reported defect: a font stack without | css came out as Georgia, &#39;Times New Roman&#39;
@pytest.mark.parametrize("value", ["fonts.headline", "fonts.headline | css", "fonts.headline|css"])
def test_a_font_stack_prints_as_css_with_or_without_the_filter(tmp_path: Path, value: str) -> None:
    email = render(tmp_path, value)
    assert "font-family: Georgia, 'Times New Roman', Times, serif" in email.mjml
    assert "&#39;" not in style_of(email) and "&#39;" not in email.mjml


@pytest.mark.parametrize("value", ["colors.accent", "'right' if dir == 'rtl' else 'left'", "'rgb(10, 20, 30)'",
                                   "'calc(100% - (2 * 12px))'", "14", "'1.5'"])
def test_css_values_render(tmp_path: Path, value: str) -> None:
    render(tmp_path, value)


HOSTILE = {
    "closes the mj-style": "</mj-style><mj-raw><script>alert(1)</script></mj-raw>",
    "closes the style": "</style><script>alert(1)</script>",
    "closes the rule": "serif; } body { display: none",
    "a second declaration": "serif; background: red",
    "expression()": "expression(alert(1))",
    "url(javascript:)": "url(javascript:alert(1))",
    "url() of a tracker": "url(https://evil.example/t.gif)",
    "an at-rule": "@import 'https://evil.example/x.css'",
    "a comment": "serif /* rest",
    "a CSS escape": "\\75 rl(x)",
    "a quote left open": "Georgia', serif",
    "a parenthesis left open": "rgb(1, 2, 3",
    "a parenthesis closed unopened": "serif)",
    "an HTML entity": "Georgia, &#39;x&#39;",
    "a new line": "serif\n} body {",
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_content_value_that_is_not_css_is_refused_in_mj_style(tmp_path: Path, value: str) -> None:
    with pytest.raises(mailkit.TemplateError, match="not a CSS value") as info:
        render(tmp_path, "article.kicker", kicker=value)
    assert info.value.template == "t.mjml.j2" and info.value.line == 4, str(info.value)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_css_filter_refuses_it_with_the_filter_written_too(tmp_path: Path, value: str) -> None:
    with pytest.raises(mailkit.TemplateError, match="not a CSS value") as info:
        render(tmp_path, "article.kicker | css", kicker=value)
    assert info.value.line == 4


def test_an_html_escaped_value_is_refused_not_printed(tmp_path: Path) -> None:
    # "| e" makes &#39; out of a quote: refused as CSS, never printed into the style
    with pytest.raises(mailkit.TemplateError, match="not a CSS value"):
        render(tmp_path, "fonts.headline | e")


def test_markup_from_a_macro_is_checked_as_css_too(tmp_path: Path) -> None:
    with pytest.raises(mailkit.TemplateError, match="not a CSS value"):
        render(tmp_path, "'</style>' | safe")


def test_a_block_filled_by_a_child_template_inside_mj_style_is_refused(tmp_path: Path) -> None:
    # the child's text has no <mj-style>, so its {{ }} would be HTML-escaped only (and
    # "; } url(" pass HTML escaping): a block inside <mj-style> is refused when the
    # layout compiles, whatever a child puts in it (tests/test_hostile_probea.py: include, call ...)
    (tmp_path / "layout.mjml.j2").write_text(STYLED.replace("{{ VALUE }}", "{% block font %}{% endblock %}"))
    for child in ("{{ fonts.headline }}", "</style><script>x</script>"):
        (tmp_path / "t.mjml.j2").write_text('{% extends "layout.mjml.j2" %}{% block font %}' + child + "{% endblock %}")
        with pytest.raises(mailkit.TemplateError, match=r"\{% block %\} inside <mj-style>") as info:
            mailkit.render("t", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))
        assert (info.value.template, info.value.line) == ("layout.mjml.j2", 4)


def test_outside_mj_style_values_stay_html_escaped(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["articles"][0]["headline"] = "Tom's </style> <b>day</b>"
    email = render(tmp_path, "fonts.headline", data=data)
    assert "&lt;/style&gt; &lt;b&gt;day&lt;/b&gt;</h1>" in email.mjml


@pytest.mark.parametrize("font", ["Georgia', serif", "'Georgia, serif", "\"Georgia', serif", "Georgia, 'x"])
def test_a_theme_font_with_a_quote_left_open_is_refused_when_it_loads(font: str) -> None:
    data = copy.deepcopy(BASE)
    brand = data["newsletter"]["brand"]
    if isinstance(brand, str):
        brand = yaml.safe_load((Path(mailkit._paths.TEMPLATES_DIR) / "themes" / f"{brand}.yaml").read_text())
    brand.setdefault("fonts", {})["headline"] = font
    data["newsletter"]["brand"] = brand
    with pytest.raises(mailkit.InvalidFixtureError, match=r"newsletter\.brand\.fonts\.headline: a font stack"):
        mailkit.render("breaking", data)


def test_a_theme_font_with_quotes_prints_unescaped(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    brand = data["newsletter"]["brand"]
    if isinstance(brand, str):
        brand = yaml.safe_load((Path(mailkit._paths.TEMPLATES_DIR) / "themes" / f"{brand}.yaml").read_text())
    brand.setdefault("fonts", {})["headline"] = "\"Iowan Old Style\", 'Palatino Linotype', serif"
    data["newsletter"]["brand"] = brand
    email = render(tmp_path, "fonts.headline", data=data)
    # single-quoted (mailkit.stylesheet.css): the same CSS, and safe in a double-quoted attribute too
    assert "font-family: 'Iowan Old Style', 'Palatino Linotype', serif;" in style_of(email)


@pytest.mark.parametrize("value", ["a" * 5000, "a(" * 2000 + ")" * 2000, "(" * 2500 + ")" * 2500])
def test_a_long_value_is_judged_fast(value: str) -> None:
    # "name\s*\(" as a regex took 2.7 s over 5,000 letters
    import time

    from mailkit._stylesheet import UnsafeCssValue, css

    start = time.monotonic()
    try:
        css(value)
    except UnsafeCssValue:
        pass
    assert time.monotonic() - start < 0.2
