"""The hostile catalogue of an outside tester of the template API (Renderer, warnings, CSS in <mj-style>).

Each case is one input with its expected outcome: it renders safely, or it
fails with a named ``MailkitError`` whose message names the field or the
template and line.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, SEED
from markupsafe import Markup

import mailkit
from mailkit._cli import main

# ---------------------------------------------------------------- the terminal and JSON reports

# characters a terminal acts on or that reorder what it shows: ESC, CSI (C1), BEL, bidi isolates
_TERMINAL = ("\x1b", "\x9b", "\x07", "\u2066", "\u202e", "\x85")


def _feed(tmp_path: Path, image: str, title: str = "Storm closes the port") -> Path:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "home_page_url": "https://example.org/",
            "items": [{"id": "1", "url": "https://example.org/a", "title": title, "content_html": "<p>The port closed.</p>",
                       "date_published": "2014-05-20T09:15:00-04:00", "image": image}]}
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    return path


def _shown(text: str) -> list[str]:
    # what a terminal acts on: controls (but the line break), line separators, bidi embeddings and isolates
    return [c for c in text if c != "\n" and (unicodedata.category(c) in ("Cc", "Zl", "Zp")
                                               or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069")]


def test_a_feed_value_in_a_cli_warning_line_cannot_drive_the_terminal(tmp_path: Path) -> None:
    # the image URL was quoted in the "no description" warning before the URL gate saw it:
    # a C1 CSI (U+009B) there reached the operator's terminal as it was. Since probe4 the
    # gate runs first (a feed's renditions are checked before one is picked), and the
    # warning names the character instead of quoting the URL
    feed = _feed(tmp_path, "https://example.org/i.jpg?\x9b2J\x1b]0;owned\x07\u2066")
    result = CliRunner().invoke(main, ["render", "breaking", str(feed), "--newsletter",
                                       str(FIXTURES / "feeds" / "newsletter-arabic.yaml"), "-o", str(tmp_path / "out")])
    assert "image dropped" in result.stderr, result.output
    assert _shown(result.stderr) == [], result.stderr
    assert "U+009B" in result.stderr  # named, not dropped: the operator sees what was there


def test_an_error_line_cannot_drive_the_terminal(tmp_path: Path) -> None:
    # every entry skipped: the error line follows the warnings, each quoting the entry's title
    feed = _feed(tmp_path, "https://example.org/i.jpg", title="\u2066\u202eevil")
    result = CliRunner().invoke(main, ["render", "breaking", str(feed), "--newsletter",
                                       str(FIXTURES / "feeds" / "newsletter-arabic.yaml"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "mailkit: error:" in result.stderr
    assert _shown(result.stderr) == [], result.stderr


@pytest.mark.parametrize("char", ["\u2066", "\u2067", "\u2069"])
def test_check_json_escapes_what_a_terminal_would_act_on(tmp_path: Path, char: str) -> None:
    # a body's element and attribute names are quoted in its warnings; text fields refuse
    # control characters, but not the bidi isolates and marks a headline may need
    data = yaml.safe_load((FIXTURES / "breaking-china-cyberspying.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["body"] = f"<p>Hello</p><x{char}z>t</x{char}z>"
    fixture = tmp_path / "f.yaml"
    fixture.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "breaking", str(fixture), "--json"])
    assert _shown(result.stdout) == []
    report = json.loads(result.stdout)  # still JSON, the character kept as an escape
    messages = [w["message"] for w in report["results"][0]["warnings"]]
    assert any(f"<x{char}z>" in m for m in messages), messages
    plain = CliRunner().invoke(main, ["check", "breaking", str(fixture)])
    assert _shown(plain.stdout) == []


# ---------------------------------------------------------------- values that reach <mj-style> without {{ }}

# a kicker written to close the rule and load a tracking image from the stylesheet
EVIL_KICKER = "serif; } td.mk-x { background: url(https://evil.example/t.png) } td.z { color: red"
PAGE = ('<mj-body><mj-section><mj-column><mj-text css-class="mk-x">{{ article.headline }}</mj-text>'
        "</mj-column></mj-section></mj-body></mjml>")


def _evil_edition() -> dict:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["kicker"] = EVIL_KICKER
    return copy.deepcopy(data)


def _render(folder: Path, name: str) -> mailkit.RenderedEmail:
    return mailkit.Renderer(template_dirs=(folder,)).render(name, _evil_edition())


# each: the files of a template folder, the template to render, the file and line the error names
ROUTES = {
    # the partial's text has no <mj-style>: its {{ }} was HTML-escaped only, and ; } ( : / pass that
    "include": ({"t.mjml.j2": "{# t #}\n<mjml><mj-head><mj-style>\n{% include 'p.j2' %}</mj-style></mj-head>" + PAGE,
                 "p.j2": "td.mk-x { font-family: {{ article.kicker }}; }"}, "t", "t.mjml.j2", 3),
    # a child's block inside the layout's <mj-style>: the child's text has no <mj-style> either
    "block": ({"layout.j2": "<mjml><mj-head><mj-style>td.a { color: red; }\n{% block css %}{% endblock %}</mj-style>"
                            "</mj-head>" + PAGE,
               "t.mjml.j2": "{# t #}{% extends 'layout.j2' %}{% block css %}td.mk-x { font-family: {{ article.kicker }}; }"
                            "{% endblock %}"}, "t", "layout.j2", 2),
    # a filter block's arguments are not printed with {{ }}
    "filter block": ({"t.mjml.j2": "{# t #}\n<mjml><mj-head><mj-style>td.mk-x { font-family:\n"
                                   "{% filter replace('K', article.kicker) %}K{% endfilter %}; }</mj-style></mj-head>" + PAGE},
                     "t", "t.mjml.j2", 3),
    # a macro of another file called with {% call %} writes its output without {{ }}
    "call block": ({"m.j2": "{% macro font(v) %}td.mk-x { font-family: {{ v }}; }{{ caller() }}{% endmacro %}",
                    "t.mjml.j2": "{# t #}{% import 'm.j2' as m %}\n<mjml><mj-head><mj-style>\n"
                                 "{% call m.font(article.kicker) %}{% endcall %}</mj-style></mj-head>" + PAGE},
                   "t", "t.mjml.j2", 3),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_value_reaching_mj_style_another_way_than_its_own_braces_is_refused(tmp_path: Path, route: str) -> None:
    files, name, template, line = ROUTES[route]
    for filename, text in files.items():
        (tmp_path / filename).write_text(text, encoding="utf-8")
    with pytest.raises(mailkit.TemplateError, match=r"inside <mj-style>") as info:
        _render(tmp_path, name)
    assert (info.value.template, info.value.line) == (template, line)


@pytest.mark.parametrize("split", ["<mj-{# why #}style>", "<mj-{% if true %}{% endif %}style>", "<mj-\n{#- x -#}\nstyle>"])
def test_an_mj_style_tag_split_by_a_comment_or_tag_still_checks_its_values(tmp_path: Path, split: str) -> None:
    # the tag was found in each piece of text alone: <mj- and style> apart, the values inside went unchecked
    (tmp_path / "t.mjml.j2").write_text(
        "{# t #}\n<mjml><mj-head>" + split + "\ntd.mk-x { font-family: {{ article.kicker }}; }</mj-style></mj-head>" + PAGE,
        encoding="utf-8")
    with pytest.raises(mailkit.TemplateError, match=r"not a CSS value") as info:
        _render(tmp_path, "t")
    assert info.value.template == "t.mjml.j2"


def test_conditions_loops_and_sets_inside_mj_style_still_work(tmp_path: Path) -> None:
    (tmp_path / "t.mjml.j2").write_text(
        "{# t #}\n<mjml><mj-head><mj-style>{% set c = colors.accent %}{% for k in ['a', 'b'] %}"
        "{% if k == 'a' %}td.mk-{{ k }} { color: {{ c }}; }{% endif %}{% endfor %}"
        "{% with f = fonts.body %}td.mk-x { font-family: {{ f }}; }{% endwith %}</mj-style></mj-head>" + PAGE,
        encoding="utf-8")
    email = mailkit.Renderer(template_dirs=(tmp_path,)).render("t", SEED)
    assert "td.mk-a { color: #c4161c; }" in email.mjml


# ---------------------------------------------------------------- an author's own CSS in a template that extends the layout


def test_a_template_extending_the_layout_can_add_its_own_checked_mj_style(tmp_path: Path) -> None:
    # the layout had no block in <mj-head>: a child's <mj-style> in "content" reached the
    # HTML as a bare <mj-style> element, its CSS shown as text in the email and the text part
    (tmp_path / "t.mjml.j2").write_text(
        '{# t #}{% extends "layouts/base.mjml.j2" %}\n'
        "{% block head %}<mj-style>td.mk-results { color: {{ colors.accent }}; }</mj-style>{% endblock %}\n"
        '{% block content %}<mj-section><mj-column><mj-text css-class="mk-results">{{ article.headline }}'
        "</mj-text></mj-column></mj-section>{% endblock %}", encoding="utf-8")
    email = mailkit.Renderer(template_dirs=(tmp_path,)).render("t", SEED)
    assert "<mj-style" not in email.html and "td.mk-results" not in email.text
    assert any("mk-results" in el.get("class", "") and "color:#c4161c" in el.get("style", "").replace(" ", "")
               for el in lxml.html.fromstring(email.html).iter("td")), "the author's rule was not inlined"
    # and its values are checked as CSS like the layout's
    (tmp_path / "t.mjml.j2").write_text(
        '{# t #}{% extends "layouts/base.mjml.j2" %}\n'
        "{% block head %}<mj-style>td.mk-x { font-family: {{ article.kicker }}; }</mj-style>{% endblock %}", encoding="utf-8")
    with pytest.raises(mailkit.TemplateError, match="not a CSS value") as info:
        _render(tmp_path, "t")
    assert (info.value.template, info.value.line) == ("t.mjml.j2", 2)


# ---------------------------------------------------------------- a renderer's tiny limits: each refusal names its field


def test_a_theme_named_by_the_fixture_that_fails_names_its_field_and_file() -> None:
    # the theme nbc-news (brand: nbc-news in the fixture) fails its models under these limits:
    # the error named the fixture and "name", as if the fixture's own newsletter name were too long
    with pytest.raises(mailkit.InvalidFixtureError) as info:
        mailkit.Renderer(limits={"max_field_chars": 5}).render("breaking", SEED)
    message = str(info.value)
    assert message.startswith(f"{SEED}: newsletter.brand.name: 8 characters, over the limit of 5"), message
    assert "nbc-news.yaml" in message
    assert info.value.errors[0][0] == "newsletter.brand.name"


def test_an_unknown_theme_named_by_the_fixture_still_names_newsletter_brand(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["newsletter"]["brand"] = "no-such-theme"
    with pytest.raises(mailkit.InvalidFixtureError, match=r"^<data>: newsletter\.brand: no theme named 'no-such-theme'"):
        mailkit.render("breaking", data)


@pytest.mark.parametrize(("limit", "template", "fixture", "message"), [
    ("max_body_bytes", "breaking", SEED, r"articles\[0\]\.body: body is \d+ bytes, over the limit of 1"),
    ("max_stories", "digest", FIXTURES / "digest-morning-briefing.yaml", r".*digest-morning-briefing\.yaml: 15 stories, over the limit of 1"),
    ("max_file_bytes", "breaking", SEED, r".*breaking-china-cyberspying\.yaml: file larger than 1 bytes"),
    ("max_template_steps", "breaking", SEED, r"components\.mjml\.j2, line \d+: over 1 loop iterations"),
    ("max_template_output", "breaking", SEED, r"base\.mjml\.j2, line \d+: the template printed over"),
])
def test_a_renderer_with_tiny_limits_refuses_naming_the_field(limit: str, template: str, fixture: Path, message: str) -> None:
    with pytest.raises(mailkit.MailkitError, match=message):
        mailkit.Renderer(limits={limit: 1}).render(template, fixture)


# ---------------------------------------------------------------- | css in an MJML attribute


def _attribute_template(folder: Path) -> None:
    (folder / "t.mjml.j2").write_text(
        '{# t #}{% extends "layouts/base.mjml.j2" %}\n{% block content %}<mj-section><mj-column>'
        '<mj-text font-family="{{ fonts.headline | css }}" color="{{ tint | css }}">{{ article.headline }}</mj-text>'
        "</mj-column></mj-section>{% endblock %}", encoding="utf-8")


def _with_headline_font(font: str) -> dict:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    brand = mailkit.load_theme("nbc-news").model_dump()
    brand["fonts"]["headline"] = font
    data["newsletter"]["brand"] = brand
    return data


def test_a_double_quoted_font_through_css_in_an_attribute_renders(tmp_path: Path) -> None:
    # README: MJML attributes take "| css" for CSS values; a theme's "Iowan Old Style" (valid,
    # double-quoted) closed the attribute: MjmlCompileError on a theme the models accept
    _attribute_template(tmp_path)
    email = mailkit.Renderer(template_dirs=(tmp_path,), globals={"tint": "#123456"}).render(
        "t", _with_headline_font("\"Iowan Old Style\", 'Palatino Linotype', serif"))
    assert "<mj-text font-family=\"'Iowan Old Style', 'Palatino Linotype', serif\" color=\"#123456\">" in email.mjml
    styles = [el.get("style", "") for el in lxml.html.fromstring(email.html).iter("div") if "#123456" in el.get("style", "")]
    assert styles and styles[0].startswith("font-family:'Iowan Old Style', 'Palatino Linotype', serif;")


@pytest.mark.parametrize("tint", ['red" x "y', "red' x 'y", "\"a'b\""])
def test_css_never_prints_a_double_quote(tmp_path: Path, tint: str) -> None:
    # a value's quotes come out single (CSS reads both alike), so "| css" cannot end a
    # double-quoted attribute; a quote of the other kind inside a quoted name is refused
    _attribute_template(tmp_path)
    try:
        email = mailkit.Renderer(template_dirs=(tmp_path,), globals={"tint": tint}).render("t", SEED)
    except mailkit.TemplateError as err:
        assert "not a CSS value" in str(err) and err.template == "t.mjml.j2"
    else:
        assert " x " not in email.mjml.replace("' x '", "")
        assert all(set(td.attrib) <= {"align", "class", "style", "bgcolor", "valign", "width", "height", "role",
                                      "cellpadding", "cellspacing", "border", "dir", "lang"}
                   for td in lxml.html.fromstring(email.html).iter("td"))


# ---------------------------------------------------------------- author globals and filters: content unless marked up


def _globals_template(folder: Path) -> None:
    (folder / "t.mjml.j2").write_text(
        '{# t #}{% extends "layouts/base.mjml.j2" %}\n{% block content %}<mj-section><mj-column>'
        '<mj-text css-class="mk-text"><p title="{{ site }}">{{ site }}</p><p>{{ article.headline | bold }}</p></mj-text>'
        "</mj-column></mj-section>{% endblock %}", encoding="utf-8")


def test_a_global_string_is_content_and_a_filter_building_markup_with_format_escapes(tmp_path: Path) -> None:
    _globals_template(tmp_path)
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["headline"] = '<script>alert(1)</script> "x"'
    renderer = mailkit.Renderer(template_dirs=(tmp_path,), globals={"site": '"><script>alert(2)</script>'},
                                filters={"bold": lambda s: Markup("<b>{}</b>").format(s)})
    email = renderer.render("t", data)
    tree = lxml.html.fromstring(email.html)
    assert not tree.xpath("//script") and "<b>&lt;script&gt;alert(1)" in email.html
    assert [p.get("title") for p in tree.iter("p") if p.get("title")] == ['"><script>alert(2)</script>']


def test_a_global_marked_up_by_its_author_is_printed_as_markup(tmp_path: Path) -> None:
    # Jinja's rule, as with "| safe": Markup is the author's own markup (README says so)
    _globals_template(tmp_path)
    email = mailkit.Renderer(template_dirs=(tmp_path,), globals={"site": Markup("<em>Example</em>")},
                             filters={"bold": str}).render("t", SEED)
    assert lxml.html.fromstring(email.html).xpath("//p/em[text()='Example']")


# ---------------------------------------------------------------- two renderers interleaved in threads


def test_two_renderers_interleaved_in_threads_keep_their_own_settings(tmp_path: Path) -> None:
    import threading

    (tmp_path / "t.mjml.j2").write_text(
        '{# t #}{% extends "layouts/base.mjml.j2" %}\n{% block content %}<mj-section><mj-column>'
        '<mj-text css-class="mk-text"><p>{{ who | tag }}</p>{{ body(article) }}</mj-text>'
        "</mj-column></mj-section>{% endblock %}", encoding="utf-8")
    roomy = mailkit.Renderer(template_dirs=(tmp_path,), theme="nbc-news", globals={"who": "alpha"},
                             filters={"tag": lambda s: s + "-one"})
    tight = roomy.with_options(theme="harbor-ledger", globals={"who": "beta"}, filters={"tag": lambda s: s + "-two"},
                               limits={"max_body_bytes": 1000})
    outcomes: list[str] = []

    def work(renderer: mailkit.Renderer) -> None:
        for _ in range(4):
            try:
                html = renderer.render("t", SEED).html
                outcomes.append("alpha-one" if "alpha-one" in html and "beta" not in html else "mixed")
            except mailkit.LimitExceededError as err:
                outcomes.append("limit" if renderer is tight and "articles[0].body" in str(err) else f"leaked {err}")

    threads = [threading.Thread(target=work, args=(r,)) for r in (roomy, tight, roomy, tight)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(outcomes)) == ["alpha-one", "limit"] and len(outcomes) == 16, outcomes


# ---------------------------------------------------------------- other CSS in a template's text: <style> in mj-raw, style="..."

CSS_PLACES = {
    "a <style> in mj-raw": "<mj-raw><style>td.mk-x { font-family: {{ VALUE }}; }</style></mj-raw>",
    "a style attribute": '<mj-raw><div style="font-family: {{ VALUE }};">x</div></mj-raw>',
}


@pytest.mark.parametrize("place", list(CSS_PLACES))
def test_a_value_in_other_css_of_the_template_is_checked_as_css(tmp_path: Path, place: str) -> None:
    # HTML escaping leaves "; } url(" as they are: the kicker closed the declaration and loaded an image
    def write(value: str) -> None:
        (tmp_path / "t.mjml.j2").write_text(
            "{# t #}\n<mjml><mj-head></mj-head><mj-body><mj-section><mj-column>\n"
            + CSS_PLACES[place].replace("VALUE", value) + '\n<mj-text css-class="mk-x">{{ article.headline }}</mj-text>'
            "</mj-column></mj-section></mj-body></mjml>", encoding="utf-8")

    write("article.kicker")
    with pytest.raises(mailkit.TemplateError, match="not a CSS value") as info:
        _render(tmp_path, "t")
    assert (info.value.template, info.value.line) == ("t.mjml.j2", 3)
    # a CSS value prints there unescaped, as in <mj-style>
    write("fonts.headline")
    email = mailkit.Renderer(template_dirs=(tmp_path,)).render("t", SEED)
    assert "font-family: Georgia, 'Times New Roman', Times, serif;" in email.mjml


# ---------------------------------------------------------------- the reference, as an outsider reads it


def test_the_reference_says_what_a_theme_colour_and_font_may_hold() -> None:
    # it said "str" for colors.accent, which refuses anything but #rgb / #rrggbb
    text = (Path(__file__).resolve().parent.parent / "docs" / "templates.md").read_text(encoding="utf-8")
    assert "| `colors.accent` | hex colour (`#c4161c`) |" in text
    assert "| `fonts.body` | font stack |" in text
    assert "| `timezone` | IANA time zone |" in text


def test_joiners_and_marks_a_language_needs_stay_as_they_are_on_the_subject_line(tmp_path: Path) -> None:
    # the escaping is for what a terminal acts on: a ZWJ emoji and a Hindi conjunct with ZWNJ read as written
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["headline"] = "Reporters \U0001F469\u200d\U0001F4BB file from क्\u200cष region \u200fok"
    fixture = tmp_path / "f.yaml"
    fixture.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "breaking", str(fixture), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Subject:   Reporters \U0001F469\u200d\U0001F4BB file from क्\u200cष region \u200fok" in result.stdout
