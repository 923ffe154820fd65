"""Hostile and broken author templates, and content aimed at mailkit's in-band markers.

Each case is a template (written to a temporary folder, ``template_dirs=(tmp,)``)
or a piece of content, and its expected outcome: it renders safely, or it
fails with a ``TemplateError`` naming the template (and the line, where Jinja
knows it), in well under two seconds: a slow case is the bug.
"""

from __future__ import annotations

import copy
import itertools
import os
import time
from pathlib import Path

import lxml.html
import pytest
import yaml
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._compose import list_templates

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
WRAP = "{{# test #}}\n<mjml><mj-body><mj-section><mj-column><mj-text>\n{}\n</mj-text></mj-column></mj-section></mj-body></mjml>\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render(folder: Path, name: str = "t", data: object = SEED, **kwargs: object) -> mailkit.RenderedEmail:
    return mailkit.render(name, data, mailkit.RenderOptions(template_dirs=(folder,)), **kwargs)  # type: ignore[arg-type]


def fails(folder: Path, body: str, message: str, *, line: int | None = 3) -> None:
    """``body`` in a template fails with a TemplateError naming it, its line and ``message``, fast."""
    write(folder, "t.mjml.j2", WRAP.format(body))
    start = time.monotonic()
    with pytest.raises(mailkit.TemplateError, match=message) as info:
        render(folder)
    assert time.monotonic() - start < 1.8
    assert info.value.template == "t.mjml.j2"
    if line is not None:
        assert info.value.line == line, str(info.value)


# ---------------------------------------------------------------- bounded templates

OVER_SIZE = r"over the limit of 2,000,000 \(Limits.max_template_output\)"
OVER_STEPS = r"Limits.max_template_(steps|seconds)"

BOUNDED = {
    "str times a big number": ("{{ 'a' * 10**8 }}", OVER_SIZE),
    "a number times a str": ("{{ 10**8 * 'a' }}", OVER_SIZE),
    "a format string repeated": ("{{ ('%s' * 10**7) | format('x') }}", OVER_SIZE),
    "a list repeated": ("{{ ([1] * 10**8) | length }}", OVER_SIZE),
    "str.format with a huge width": ("{{ '{:>100000000}'.format('x') }}", OVER_SIZE),
    "str.format with a nested width": ("{{ '{:>{w}}'.format('x', w=10**8) }}", "nested"),
    "Markup.format with a huge width": ("{{ ('<b>{:>100000000}</b>' | safe).format('x') }}", OVER_SIZE),
    "%-formatting with a huge width": ("{{ '%100000000s' % 'x' }}", OVER_SIZE),
    "%-formatting with a star width": ("{{ '%*s' % (10**8, 'x') }}", r"'\*' width"),
    "the format filter with a huge width": ("{{ '%100000000s' | format('x') }}", OVER_SIZE),
    "center": ('{{ "x" | center(10**8) }}', OVER_SIZE),
    "str.center / ljust / rjust / zfill": ("{{ 'x'.ljust(10**8) }}{{ 'x'.zfill(10**8) }}", OVER_SIZE),
    "str.expandtabs": ("{{ ('\\t' * 1000).expandtabs(10**5) }}", OVER_SIZE),
    "str.replace of the empty string": ("{{ ('ab' * 1000).replace('', 'x' * 10000) }}", OVER_SIZE),
    "the replace filter": ("{{ ('a' * 10**6) | replace('a', 'bbbbbbbbbb') }}", OVER_SIZE),
    "str.translate": ("{{ 'abc'.translate({97: 'x'}) }}", "not available"),
    "indent": ("{{ ('a\\n' * 100000) | indent(100) }}", OVER_SIZE),
    "wordwrap with a long wrapstring": ("{{ ('a ' * 100000) | wordwrap(1, wrapstring='x' * 1000) }}", OVER_SIZE),
    "batch filled to a huge size": ("{{ range(3) | batch(10**8, 'x') | list | length }}", OVER_SIZE),
    "slice into a huge number of lists": ("{{ range(3) | slice(10**8) | list | length }}", OVER_SIZE),
    "tojson with a huge indent": ("{{ {'a': [1, 2]} | tojson(indent=10**8) }}", "at most 16"),
    "range too big (Jinja's MAX_RANGE)": ("{% for x in range(10**9) %}{% endfor %}", "MAX_RANGE"),
    "nested loops with no output": ("{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
                                    OVER_STEPS),
    "nested loops over a long string": (("{% set s = 'a' * 99999 %}{% for a in s %}{% for b in s %}{% endfor %}"
                                        "{% endfor %}"), OVER_STEPS),
    "loop.cycle in nested loops": (("{% for i in range(99999) %}{% for j in range(99999) %}"
                                   "{{ loop.cycle('a', 'b') }}{% endfor %}{% endfor %}"), OVER_STEPS),
    "a macro calling itself twice": (("{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
                                     "{{ m(40) }}"), OVER_STEPS),
    "a loop writing 100 MB": ("{% for i in range(100000) %}{{ 'a' * 1000 }}{% endfor %}", OVER_SIZE),
    "lipsum": ("{{ lipsum(10**6) }}", OVER_SIZE),
    "lipsum with huge paragraphs": ("{{ lipsum(1, max=10**8) }}", OVER_SIZE),
    "join of a huge generator": ("{{ range(99999) | join('y' * 1000) }}", OVER_SIZE),
    "str.join of a huge generator": ("{{ ('y' * 1000).join(range(99999) | map('string')) }}", OVER_SIZE),
    "sum of lists (quadratic)": ("{{ ([[1]] * 100000) | sum(start=[]) | length }}", OVER_STEPS),
    "'~' doubling in a loop": (("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                               "{% endfor %}{{ ns.s | length }}"), OVER_SIZE),
    "'+' doubling": ("{% set x = 'a' * 1000 %}" + "{% set x = x + x %}" * 30 + "{{ x | length }}", OVER_SIZE),
    "block set doubling": ("{% set x = 'a' * 1000 %}" + "{% set x %}{{ x }}{{ x }}{% endset %}" * 30 + "{{ x | length }}",
                           OVER_SIZE),
    "caller() doubling": (("{% macro m() %}{{ caller() }}{{ caller() }}{% endmacro %}{% set x = 'a' * 10**6 %}"
                          "{% call m() %}{{ x }}{{ x }}{% endcall %}"), OVER_SIZE),
    "a filter block": ("{% set x = 'a' * 10**6 %}{% filter replace('a', 'bbbbbbbbbb') %}{{ x }}{% endfilter %}",
                       OVER_SIZE),
    "a macro collecting big values": (("{% macro m() %}{% for i in range(10000) %}{{ 'a' * 1999999 }}{% endfor %}"
                                      "{% endmacro %}{{ m() | length }}"), "(printed|ran for) over"),
    "a huge power": ("{{ 10 ** (10 ** 10) }}", "bits"),
    "repeated squaring": (("{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
                          "{% endfor %}{{ ns.x > 0 }}"), "bits"),
    "a pydantic model method": ("{{ article.model_dump_json(indent=10**8) }}", "unsafe"),
}


@pytest.mark.parametrize("body,message", BOUNDED.values(), ids=BOUNDED.keys())
def test_a_template_is_bounded(tmp_path: Path, body: str, message: str) -> None:
    fails(tmp_path, body, message)


def test_an_imported_template_is_bounded_too(tmp_path: Path) -> None:
    write(tmp_path, "big.mjml.j2", "{% set x = 1 %}{% for i in range(10000) %}{{ 'a' * 1999999 }}{% endfor %}")
    write(tmp_path, "t.mjml.j2", WRAP.format("{% import 'big.mjml.j2' as b %}{{ b.x }}"))
    with pytest.raises(mailkit.TemplateError, match=r"big.mjml.j2, line 1: the template (printed|ran for) over"):
        render(tmp_path)


def test_the_budget_is_compiled_into_jinjas_code() -> None:
    # mailkit._sandbox relies on how Jinja compiles templates; an upgrade that
    # moves any of it fails here, not silently in the limits
    from mailkit._compose import _environment
    from mailkit._paths import template_dirs

    env = _environment(tuple(template_dirs()))
    source = env.compile("{% macro m() %}{{ caller() }}{% endmacro %}{% for x in y %}{{ a ~ b }}{{ a * b }}{% endfor %}"
                         "{% call m() %}x{% endcall %}", raw=True)
    assert source.count("environment.mailkit_tick()") == 3  # the loop, the macro, the call block
    assert "environment.mailkit_checked(" in source
    assert "environment.call_binop(context, '*'" in source
    assert "concat = environment.concat" in source
    assert env.filters["center"].__wrapped__ is not None  # type: ignore[attr-defined]


def test_unbounded_recursion_is_a_template_error(tmp_path: Path) -> None:
    fails(tmp_path, "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "recursion too deep", line=None)


def test_the_limits_are_the_renderers_limits(tmp_path: Path) -> None:
    # the budget reads the rendering Renderer's limits: a smaller limit fails what the default lets through
    write(tmp_path, "t.mjml.j2", WRAP.format("{% for i in range(50) %}{{ 'a' * 100 }}{% endfor %}"))
    render(tmp_path)
    with pytest.raises(mailkit.TemplateError, match="over the limit of 3,000"):
        mailkit.Renderer(template_dirs=tmp_path, limits=mailkit.Limits(max_template_output=3000)).render("t", SEED)
    with pytest.raises(mailkit.TemplateError, match="over 20 loop iterations"):
        mailkit.Renderer(template_dirs=tmp_path, limits={"max_template_steps": 20}).render("t", SEED)
    render(tmp_path)  # and mailkit.render() still has the defaults


def test_the_time_limit_is_the_templates_cpu_time_not_the_walls(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A template that runs away spends CPU and is stopped; a render that waited for a core
    (a loaded CI runner: two runs of the suite failed "ran for over 1 s" on composing the
    packaged breaking alert) or whose wall clock jumped (a suspended VM) is not."""
    write(tmp_path, "t.mjml.j2", WRAP.format(
        "{% for i in range(20000) %}{% for c in 'abcdefghij' %}{{ c | upper | center(9) | trim }}{% endfor %}{% endfor %}"))
    with pytest.raises(mailkit.TemplateError, match=r"ran for over 0\.02 s"):
        mailkit.Renderer(template_dirs=tmp_path, limits={"max_template_seconds": 0.02,
                                                         "max_template_steps": 10**6}).render("t", SEED)
    real = time.monotonic
    jumps = iter(range(1, 10**6))
    monkeypatch.setattr(time, "monotonic", lambda: real() + 10 * next(jumps))  # ten seconds gone at every look
    email = mailkit.Renderer().render("digest", SEED.parent / "digest-morning-briefing.yaml")
    assert email.subject


def test_ordinary_template_work_is_within_the_limits(tmp_path: Path) -> None:
    write(tmp_path, "t.mjml.j2", WRAP.format(
        "{% for a in articles %}{{ loop.index + 1 }} {{ a.headline | upper | center(90) }}"
        "{{ '%-5s|' | format('ab') }}{{ '{:>6}'.format(a.headline[:3]) }}{{ 2 ** 16 }}{% endfor %}"
        "{{ ['x', 'y'] | join(', ') }}{{ [1, 2] | sum }}{{ lipsum(1, html=False) | length > 0 }}"
        "{{ 'a b' | replace(' ', '-') }}{{ ('a' ~ 'b') * 3 }}"))
    email = render(tmp_path)
    assert "ababab" in email.text and "x, y" in email.text and "a-b" in email.text


# ---------------------------------------------------------------- where templates load from


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    write(folder, "secret.mjml.j2", "{# secret #}\nTOP-SECRET {% macro m() %}TOP-SECRET{% endmacro %}\n")
    write(folder, "partials/x.mjml.j2", "TOP-SECRET")
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    return tmp_path / "templates"


@pytest.mark.parametrize("tag", [
    "{% include 'leak.mjml.j2' %}",
    "{% include 'leak.mjml.j2' ignore missing %}",
    "{% import 'leak.mjml.j2' as x %}{{ x.m() }}",
    "{% from 'leak.mjml.j2' import m %}{{ m() }}",
    "{% include ['nope.mjml.j2', 'leak.mjml.j2'] %}",
])
def test_a_symlink_out_of_the_folder_is_refused(folder: Path, outside: Path, tag: str) -> None:
    os.symlink(outside / "secret.mjml.j2", folder / "leak.mjml.j2")
    fails(folder, tag, "link out of the template folder")


def test_a_symlink_to_etc_passwd_is_refused(folder: Path) -> None:
    os.symlink("/etc/passwd", folder / "pw.txt")
    fails(folder, "{% include 'pw.txt' %}", "'pw.txt' refused: it is a link out of the template folder")


def test_extends_through_a_symlink_is_refused(folder: Path, outside: Path) -> None:
    os.symlink(outside / "secret.mjml.j2", folder / "leak.mjml.j2")
    write(folder, "t.mjml.j2", "{# x #}\n{% extends 'leak.mjml.j2' %}\n")
    with pytest.raises(mailkit.TemplateError, match=r"t.mjml.j2, line 2: .*link out of the template folder"):
        render(folder)


def test_a_symlinked_folder_is_refused(folder: Path, outside: Path) -> None:
    os.symlink(outside / "partials", folder / "partials")
    fails(folder, "{% include 'partials/x.mjml.j2' %}", "link out of the template folder")


def test_a_symlinked_template_is_refused_and_not_listed(folder: Path, outside: Path) -> None:
    os.symlink(outside / "secret.mjml.j2", folder / "secret.mjml.j2")
    with pytest.raises(mailkit.TemplateError, match="link out of the template folder"):
        render(folder, "secret")
    assert "secret" not in {t.name for t in list_templates([folder])}


@pytest.mark.parametrize("name", ["../outside/secret.mjml.j2", "/etc/passwd", "partials/../../x",
                                  "./t.mjml.j2", "a\\\\b", "c:/x"])
def test_template_names_that_leave_the_folder_are_refused(folder: Path, name: str) -> None:
    fails(folder, "{% include '" + name + "' %}", "refused: only relative names")


def test_a_symlink_inside_the_folder_is_fine(folder: Path) -> None:
    write(folder, "parts/real.mjml.j2", "<p>shared part</p>")
    os.symlink(folder / "parts/real.mjml.j2", folder / "alias.mjml.j2")
    write(folder, "t.mjml.j2", WRAP.format("{% include 'alias.mjml.j2' %}"))
    assert "shared part" in render(folder).text


MJ_WRAP = "{{# x #}}\n<mjml><mj-body>{}</mj-body></mjml>\n"


def test_mj_include_of_itself_is_refused_not_a_crash(folder: Path) -> None:
    # MRML follows includes without a limit: this overflowed its stack (a segfault)
    write(folder, "self.mjml", '<mj-wrapper><mj-include path="self.mjml" /></mj-wrapper>\n')
    write(folder, "t.mjml.j2", MJ_WRAP.format('<mj-include path="self.mjml" />'))
    with pytest.raises(mailkit.MjmlCompileError, match=r"over 100 mj-include loads .*Limits.max_mj_includes"):
        render(folder)


def test_mj_include_growing_as_two_to_the_n_is_refused(folder: Path) -> None:
    for i in range(30):
        write(folder, f"p{i}.mjml", f'<mj-wrapper><mj-include path="p{i + 1}.mjml" /><mj-include path="p{i + 1}.mjml" /></mj-wrapper>\n')
    write(folder, "p30.mjml", "<mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>\n")
    write(folder, "t.mjml.j2", MJ_WRAP.format('<mj-include path="p0.mjml" />'))
    start = time.monotonic()
    with pytest.raises(mailkit.MjmlCompileError, match=r"Limits\.max_mj_includes"):
        render(folder)
    assert time.monotonic() - start < 1.8


def test_mj_include_through_a_symlink_is_refused(folder: Path, outside: Path) -> None:
    os.symlink(outside / "secret.mjml.j2", folder / "leak.mjml")
    write(folder, "t.mjml.j2", MJ_WRAP.format('<mj-include path="leak.mjml" />'))
    with pytest.raises(mailkit.MjmlCompileError, match="leaves the template folder"):
        render(folder)


# ---------------------------------------------------------------- in-band markers in content


def _with(field: str, value: str) -> dict:
    data = copy.deepcopy(BASE)
    data["articles"][0][field] = value
    return data


def _rules_and_underlines(text: str) -> int:
    return sum(1 for line in text.splitlines() if len(line) >= 5 and set(line) in ({"-"}, {"="}))


@pytest.mark.parametrize("value", [
    "@@mailkit-rule@@", "before @@mailkit-rule@@ after", "@@mailkit-h2@@Spoofed heading", "@@mailkit-h1@@",
    "* * *", "---", "___", "mk0123456789abcdef0123rule", "mk0123456789abcdef0123h2 Spoofed",
])
def test_marker_strings_in_content_stay_text(value: str) -> None:
    baseline = mailkit.render("breaking", BASE).text
    email = mailkit.render("breaking", _with("dek", value))
    assert value in email.text.splitlines()
    # no rule and no heading the baseline does not have
    assert _rules_and_underlines(email.text) == _rules_and_underlines(baseline)


def test_marker_strings_in_a_body_stay_text() -> None:
    body = "<p>@@mailkit-rule@@</p><p>@@mailkit-h2@@Not a heading</p><p>a \\ b c</p><p>* * *</p>"
    email = mailkit.render("breaking", _with("body", body))
    for line in ("@@mailkit-rule@@", "@@mailkit-h2@@Not a heading", "a \\ b", "* * *"):
        assert line in email.text


def test_marker_strings_in_a_template_stay_text(folder: Path) -> None:
    write(folder, "t.mjml.j2", WRAP.format("<p>@@mailkit-rule@@ x</p><p>@@mailkit-h2@@Y</p><p>a \\ b \\. c</p><hr>"))
    text = render(folder).text
    assert "@@mailkit-rule@@ x" in text and "@@mailkit-h2@@Y" in text and "a \\ b \\. c" in text
    assert "-" * 40 in text  # a real <hr> is a rule


# ---------------------------------------------------------------- recipient placeholders

READER = mailkit.Recipient(email="ana@example.org", first_name="Ana", unsubscribe_url="https://example.org/u/1",
                           preferences_url="https://example.org/p/1", link_params={"rid": "42"})
FIELDS = {
    "recipient.first_name": "Ana",
    "recipient.email": "ana@example.org",
    'recipient.first_name_or("there")': "Ana",
    "unsubscribe_url": "https://example.org/u/1",
    "preferences_url": "https://example.org/p/1",
}
PAIRS = list(itertools.product(FIELDS, repeat=2))


def _pairs_template() -> str:
    rows = []
    for i, (a, b) in enumerate(PAIRS):
        rows.append(f'<p>[{i}:{{{{ {a} }}}}{{{{ {b} }}}}q]</p>'
                    f'<p><a href="https://news.example/s/{i}/{{{{ {a} }}}}{{{{ {b} }}}}" title="{{{{ {a} }}}}{{{{ {b} }}}}">'
                    f"link {i}</a></p>")
    return WRAP.format("\n".join(rows))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[mailkit.RenderedEmail, mailkit.RenderedEmail]:
    folder = tmp_path_factory.mktemp("pairs")
    write(folder, "pairs.mjml.j2", _pairs_template())
    prepared = mailkit.prepare("pairs", SEED, mailkit.RenderOptions(template_dirs=(folder,)))
    return prepared.personalize(READER), mailkit.render("pairs", SEED, mailkit.RenderOptions(template_dirs=(folder,)),
                                                         recipient=READER)


@pytest.mark.parametrize("i", range(len(PAIRS)), ids=[f"{a}+{b}" for a, b in PAIRS])
def test_two_recipient_fields_side_by_side(pairs: tuple[mailkit.RenderedEmail, mailkit.RenderedEmail], i: int) -> None:
    email, full = pairs
    assert (email.html, email.text) == (full.html, full.text)
    a, b = PAIRS[i]
    both = FIELDS[a] + FIELDS[b]
    root = lxml.html.fromstring(email.html)
    assert root.xpath(f"string(//p[starts-with(., '[{i}:')])") == f"[{i}:{both}q]"
    link = root.xpath(f"//a[text()='link {i}']")[0]
    assert link.get("title") == both
    # the link parameters follow the two values, as "?rid=42"
    assert link.get("href") == f"https://news.example/s/{i}/{both}?rid=42"
    assert f"[{i}:{both}q]" in email.text
    assert f"https://news.example/s/{i}/{both}?rid=42" in email.text


def test_two_recipient_fields_side_by_side_in_a_text_template(tmp_path: Path) -> None:
    write(tmp_path, "pairs.mjml.j2", _pairs_template())
    write(tmp_path, "pairs.txt.j2", "\n".join(f"[{i}:{{{{ {a} }}}}{{{{ {b} }}}}q]" for i, (a, b) in enumerate(PAIRS))
          + "\n")
    options = mailkit.RenderOptions(template_dirs=(tmp_path,))
    email = mailkit.prepare("pairs", SEED, options).personalize(READER)
    assert email.text == mailkit.render("pairs", SEED, options, recipient=READER).text
    assert email.text.splitlines() == [f"[{i}:{FIELDS[a]}{FIELDS[b]}q]" for i, (a, b) in enumerate(PAIRS)]


def test_a_long_text_line_of_placeholders_wraps_per_recipient(tmp_path: Path) -> None:
    # lines holding a placeholder are laid out per recipient, under a marker of their own
    write(tmp_path, "t.mjml.j2", WRAP.format("<p>" + " ".join(["{{ recipient.email }}{{ recipient.first_name }}"] * 8)
                                            + "</p>"))
    email = render(tmp_path, recipient=READER)
    assert "ana@example.orgAna ana@example.orgAna" in email.text.replace("\n", " ")
    assert max(len(line) for line in email.text.splitlines() if "ana@" in line) <= 78


def test_templates_cannot_read_the_nonce(tmp_path: Path) -> None:
    fails(tmp_path, "{{ 'mk' ~ recipient.nonce() ~ 'xline0q' }}", "not safely callable")


@pytest.mark.parametrize("expr", [
    "recipient.email | upper", "recipient.first_name | title", "(recipient.email | string)[:17] ~ 'xline0q'",
    "(recipient.email | string).replace('email', 'fallback7')",
    "recipient.first_name_or('a') ~ recipient.first_name_or('b') ~ (recipient.email | string).replace('email', 'fallback01')",
])
def test_a_changed_placeholder_is_a_template_error(tmp_path: Path, expr: str) -> None:
    fails(tmp_path, "{{ " + expr + " }}", "recipient field was changed", line=None)


_EXAMPLES = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(st.sampled_from(sorted(FIELDS)),
                                 st.sampled_from(["q", "qq", "x", "mk", "0", "fallback0q", "emailq", "linkparamsq"])),
                       min_size=1, max_size=8))
def test_placeholders_among_any_text_fill_in_exactly(tmp_path: Path, pieces: list[str]) -> None:
    # fields and literal text that looks like the inside of a placeholder, in any order
    template = "".join(f"{{{{ {p} }}}}" if p in FIELDS else p for p in pieces)
    expected = "".join(FIELDS.get(p, p) for p in pieces)
    name = f"p{next(_EXAMPLES)}"
    write(tmp_path, f"{name}.mjml.j2", WRAP.format(f"<p>[{template}]</p>"))
    options = mailkit.RenderOptions(template_dirs=(tmp_path,))
    email = mailkit.prepare(name, SEED, options).personalize(READER)
    assert lxml.html.fromstring(email.html).xpath("string(//p[starts-with(., '[')])") == f"[{expected}]"
    assert f"[{expected}]" in email.text.replace("\n", " ") or len(expected) > 70
