"""The compose stage's shortcuts (issue #17): each does what the long way did, for less.

The sandbox's own getattr and call take shorter paths through the checks
Jinja's sandbox makes (pinned here against Jinja's source, so an upgrade that
moves them fails loudly); the css filter checks each distinct value once; a
render looks up each language's labels once. The output is the same: the
snapshot tests hold every byte.
"""

from __future__ import annotations

import hashlib
import inspect
import types
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import jinja2.sandbox
import pytest
from conftest import SEED
from markupsafe import Markup

import mailkit
import mailkit._media
import mailkit._render
import mailkit._sandbox
import mailkit._stylesheet
from mailkit._paths import template_dirs
from mailkit._sandbox import BoundedSandbox
from mailkit._sanitize import current_limits

DIGEST = Path(__file__).parent.parent / "fixtures" / "digest-morning-briefing.yaml"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- Jinja, pinned

def test_jinjas_sandboxed_getattr_is_the_one_the_override_copies() -> None:
    # BoundedSandbox.getattr is SandboxedEnvironment.getattr step for step: a
    # change upstream (a new check) must be copied, or the override dropped
    source = inspect.getsource(jinja2.sandbox.SandboxedEnvironment.getattr)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "d5022b42a9425c44", source
    # wrap_str_format wraps only a method (the override asks it about nothing else)
    wrap = inspect.getsource(jinja2.sandbox.SandboxedEnvironment.wrap_str_format)
    assert "value, (types.MethodType, types.BuiltinMethodType)" in wrap


def test_a_macro_takes_the_eval_context_as_jinjas_context_call_gives_it() -> None:
    # the call shortcut passes a Macro the eval context first, as Context.call does
    # for a callable marked pass_eval_context, and drops _loop_vars and _block_vars
    assert jinja2.utils._PassArg.from_obj(jinja2.runtime.Macro.__call__) is jinja2.utils._PassArg.eval_context
    source = inspect.getsource(jinja2.runtime.Context.call)
    assert "_PassArg.from_obj(__obj.__call__)" in source
    assert 'kwargs.pop("_block_vars", None)' in source and 'kwargs.pop("_loop_vars", None)' in source
    sandbox_call = inspect.getsource(jinja2.sandbox.SandboxedEnvironment.call)
    assert "is_safe_callable(__obj)" in sandbox_call and "__context.call(__obj, *args, **kwargs)" in sandbox_call


# ---------------------------------------------------------------- getattr: as Jinja's, memoised


class Item:
    title = "Headline"

    def method(self) -> str:
        return "m"


GETATTR_CASES: list[tuple[Any, str]] = [
    (Item(), "title"),
    (Item(), "method"),
    (Item(), "_private"),
    (Item(), "__class__"),
    (Item(), "missing"),
    ({"key": "value"}, "key"),  # no attribute: the item
    ({"key": "value"}, "get"),
    ({"key": "value"}, "missing"),
    ([1, 2], "append"),  # the immutable sandbox refuses it
    ([1, 2], "index"),
    ("text", "upper"),
    ("{0}", "format"),  # wrapped in the sandbox's formatter
    (Markup("<b>{0}</b>"), "format_map"),
    (lambda: 1, "__globals__"),
]


@pytest.mark.parametrize("obj, attr", GETATTR_CASES, ids=[f"{type(o).__name__}.{a}" for o, a in GETATTR_CASES])
def test_getattr_gives_what_jinjas_immutable_sandbox_gives(obj: Any, attr: str) -> None:
    ours, stock = BoundedSandbox(), jinja2.sandbox.ImmutableSandboxedEnvironment()
    for _ in range(2):  # the first time and with the verdict remembered
        got, want = ours.getattr(obj, attr), stock.getattr(obj, attr)
        assert type(got) is type(want)
        if isinstance(want, jinja2.Undefined):
            assert got._undefined_hint == want._undefined_hint
            assert got._undefined_exception is want._undefined_exception
        elif attr in ("format", "format_map"):
            assert getattr(got, "__wrapped__", None) == getattr(want, "__wrapped__", None)
        else:
            assert got == want


def test_format_reached_as_an_attribute_is_still_sandboxed() -> None:
    env = BoundedSandbox()
    for _ in range(2):  # the same twice: nothing remembered lets it through
        fmt = env.getattr("{0.__class__}", "format")
        assert fmt("x") == ""  # the sandbox's formatter: an unsafe field is undefined
        assert env.getattr("{0!r}", "format")("x") == "'x'"


def test_an_attribute_verdict_is_asked_once_per_type_and_name(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    # failed before: every attribute a template read went through is_safe_attribute
    asked: list[tuple[type, str]] = []
    stock = BoundedSandbox.is_safe_attribute

    def counted(self: BoundedSandbox, obj: Any, attr: str, value: Any) -> bool:
        asked.append((type(obj), attr))
        return stock(self, obj, attr, value)

    monkeypatch.setattr(BoundedSandbox, "is_safe_attribute", counted)
    write(tmp_path, "reads.mjml.j2", "{# x #}\n<mjml><mj-body><mj-section><mj-column><mj-text>"
          "{% for i in range(50) %}{{ article.headline }} {{ brand.name }}{% endfor %}"
          "</mj-text></mj-column></mj-section></mj-body></mjml>\n")
    renderer = mailkit.Renderer(template_dirs=(tmp_path,))
    renderer.render("reads", SEED)
    assert sorted(a for _, a in asked) == ["headline", "name"]
    renderer.render("reads", SEED)
    assert len(asked) == 2


# ---------------------------------------------------------------- call: macros straight in


def _context_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What Jinja's ``Context.call`` is asked to call from now on (the long way of a call), in order."""
    called: list[Any] = []
    stock = jinja2.runtime.Context.call

    def counted(__self: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        called.append(__obj)
        return stock(__self, __obj, *args, **kwargs)

    monkeypatch.setattr(jinja2.runtime.Context, "call", counted)
    return called


def test_a_macro_or_plain_function_call_skips_jinjas_context_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: every macro, caller() and context function went through
    # the sandbox's call and Context.call
    called = _context_calls(monkeypatch)
    email = mailkit.Renderer().render("digest", DIGEST)
    assert called  # gettext (it takes the eval context), bound methods: still the long way
    for obj in called:
        assert not isinstance(obj, jinja2.runtime.Macro)
        assert not (isinstance(obj, types.FunctionType) and not obj.__dict__), obj
    monkeypatch.undo()
    assert email.html == mailkit.Renderer().render("digest", DIGEST).html


def test_a_function_with_marks_goes_the_long_way() -> None:
    env = BoundedSandbox()

    def unsafe() -> str:
        return "x"

    unsafe.unsafe_callable = True  # type: ignore[attr-defined]

    @jinja2.pass_context
    def with_context(context: Any) -> str:
        return str(context.get("name"))

    def big() -> str:
        return "x" * (current_limits().max_template_output + 1)

    with pytest.raises(jinja2.sandbox.SecurityError, match="not safely callable"):
        env.from_string("{{ f() }}").render(f=unsafe)
    assert env.from_string("{% for i in [1] %}{{ f() }}{% endfor %}").render(f=with_context, name="n") == "n"
    with pytest.raises(jinja2.sandbox.SecurityError, match="a call's result"):  # a plain function's result is checked
        env.from_string("{{ f() }}").render(f=big)


MACROS = """{# macros called every way Jinja calls them #}
{% macro box(x, y="d") -%}[{{ x }}|{{ y }}|{{ caller() if caller is defined else "" }}|{{ varargs | length }}|{{ kwargs | length }}]{%- endmacro %}
{% macro plain(x) -%}({{ x }}){%- endmacro %}
<mjml><mj-body><mj-section><mj-column><mj-text>
{{ box(1) }}{{ box(1, y=2) }}{{ box(1, 2, 3) }}{{ box(x=1, z=4) }}
{% call box("c") %}<b>{{ article.headline }}</b>{% endcall %}
{% for i in range(2) %}{{ plain(i) }}{% call box(loop.index) %}{{ i }}{% endcall %}{% endfor %}
{% set t %}{{ plain("block") }}{% endset %}{{ t }}
</mj-text></mj-column></mj-section></mj-body></mjml>
"""


def test_macros_are_called_as_jinja_calls_them(tmp_path: Path) -> None:
    write(tmp_path, "macros.mjml.j2", MACROS)
    options = mailkit.RenderOptions(template_dirs=(tmp_path,))
    mjml = mailkit.render("macros", SEED, options).mjml
    headline = mailkit._fixtures.load_edition(SEED).articles[0].headline
    stock = jinja2.sandbox.ImmutableSandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                                         keep_trailing_newline=True)
    assert mjml == stock.from_string(MACROS).render(article={"headline": headline})
    assert "[1|d||0|0][1|2||0|0][1|2||1|0][1|d||0|1]" in mjml
    assert "(0)[1|d|0|0|0](1)[2|d|1|0|0](block)" in mjml


def test_a_macro_given_a_wrong_argument_is_a_template_error_naming_the_line(tmp_path: Path) -> None:
    write(tmp_path, "wrong.mjml.j2", "{# x #}\n{% macro m(a) %}{{ a }}{% endmacro %}\n<mjml><mj-body>\n{{ m(b=1) }}\n</mj-body></mjml>\n")
    with pytest.raises(mailkit.TemplateError, match="takes no keyword argument 'b'") as info:
        mailkit.render("wrong", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))
    assert info.value.line == 4


def test_a_macro_marked_unsafe_is_still_refused(tmp_path: Path) -> None:
    # the shortcut keeps the sandbox's is_safe_callable check
    env = BoundedSandbox()
    macro = env.from_string("{% macro m() %}x{% endmacro %}").module.m
    macro.unsafe_callable = True
    with pytest.raises(jinja2.sandbox.SecurityError, match="not safely callable"):
        env.from_string("{{ m() }}").render(m=macro)


def test_a_macro_of_another_environment_goes_the_long_way() -> None:
    # its output was joined by that environment's concat, which checks nothing: the result is checked here
    env = BoundedSandbox()
    size = current_limits().max_template_output + 1
    other = jinja2.Environment().from_string("{% macro big(n) %}{{ 'x' * n }}{% endmacro %}").module.big
    assert other._environment is not env  # the attribute the shortcut compares
    with pytest.raises(jinja2.sandbox.SecurityError, match="a call's result"):
        env.from_string("{{ big(n) }}").render(big=other, n=size)


def test_macro_recursion_and_steps_are_still_counted(tmp_path: Path) -> None:
    write(tmp_path, "deep.mjml.j2", "{# x #}\n{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}\n<mjml><mj-body>{{ m(0) }}</mj-body></mjml>\n")
    with pytest.raises(mailkit.MailkitError):
        mailkit.render("deep", SEED, mailkit.RenderOptions(template_dirs=(tmp_path,)))


# ---------------------------------------------------------------- css: each value checked once


def test_the_css_filter_checks_each_distinct_value_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: every {{ colors.x | css }} ran the checks again (40 a render)
    checked: list[str] = []
    stock = mailkit._stylesheet._check_css

    def counted(text: str) -> str:
        checked.append(text)
        return stock(text)

    monkeypatch.setattr(mailkit._stylesheet, "_check_css", counted)
    mailkit._stylesheet._checked_css.cache_clear()
    css = mailkit._stylesheet.css
    assert css('"Iowan Old Style", serif') == Markup("'Iowan Old Style', serif")
    assert css('"Iowan Old Style", serif') == Markup("'Iowan Old Style', serif")
    assert css(Markup("#c00")) == css("#c00") == Markup("#c00")
    assert checked == ['"Iowan Old Style", serif', "#c00"]


@pytest.mark.parametrize("value", ["red; } body { color: blue", "url(javascript:x)", "'open"])
def test_a_refused_css_value_is_refused_every_time(value: str) -> None:
    for _ in range(2):
        with pytest.raises(mailkit._stylesheet.UnsafeCssValue):
            mailkit._stylesheet.css(value)


def test_a_long_css_value_is_checked_not_remembered() -> None:
    mailkit._stylesheet._checked_css.cache_clear()
    stack = ", ".join(f"'Font {i}'" for i in range(40)) + ", serif"
    assert len(stack) > mailkit._stylesheet._MEMO_CHARS
    assert mailkit._stylesheet.css(stack) == Markup(stack)
    assert mailkit._stylesheet._checked_css.cache_info().currsize == 0


# ---------------------------------------------------------------- labels: once per language and render


def test_a_render_looks_up_each_languages_labels_once_in_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: each labels_in() in the partials looked for the catalog files again
    asked: list[str] = []
    stock = mailkit._render.labels

    def counted(lang: str, dirs: Any) -> Any:
        asked.append(lang)
        return stock(lang, dirs)

    monkeypatch.setattr(mailkit._render, "labels", counted)
    slots = mailkit._render.RecipientSlots("0")
    edition = mailkit._fixtures.load_edition(SEED)
    context = mailkit._render._context("breaking", edition, [], slots)
    assert asked == [edition.lang]
    assert context["labels_in"](edition.lang) is context["labels_in"](edition.lang)
    assert context["labels_in"]("ar").lang == "ar"
    assert context["labels_in"]("ar") is context["labels_in"]("ar")
    assert asked == [edition.lang, "ar"]


# ---------------------------------------------------------------- {{ }}: escape(finalize(value)) in one call


class Html:
    def __html__(self) -> str:
        return "<i>own</i>"


def test_a_print_is_one_call_in_an_escaping_template() -> None:
    # failed before: Jinja's escape(environment.finalize(value)) around every {{ }}
    env = mailkit._compose._environment(tuple(template_dirs(())))
    code = env.compile("{{ x }}{% autoescape false %}{{ y }}{% endautoescape %}", raw=True)
    assert "environment.mailkit_print(" in code
    assert code.count("escape(environment.finalize(") == 0
    assert "str(environment.finalize(" in code  # autoescape off: Jinja's own
    text = mailkit._compose._environment(tuple(template_dirs(())), text=True)
    assert "mailkit_print" not in text.compile("{{ x }}", raw=True)


@pytest.mark.parametrize("value", ["a < b & 'c'", Markup("<b>kept</b>"), None, 42, 1.5, Html(), ["x", "<y>"], "é\u200b\\"])
def test_a_print_gives_what_escape_of_finalize_gave(value: Any) -> None:
    source = "{{ v }}|{% autoescape false %}{{ v }}{% endautoescape %}|{{ v ~ '' }}"
    env = mailkit._compose._new_environment(tuple(template_dirs(())))
    stock = mailkit._compose._new_environment(tuple(template_dirs(())))
    stock.mailkit_print = None  # Jinja's own escape(environment.finalize(value))
    assert "mailkit_print" not in stock.compile(source, raw=True)
    got = mailkit._sandbox.render_bounded(env.from_string(source), {"v": value})
    assert got == mailkit._sandbox.render_bounded(stock.from_string(source), {"v": value})
    assert type(env.mailkit_print(value)) is Markup  # type: ignore[misc]


# ---------------------------------------------------------------- unshown fields: the same warnings, fewer steps


def _unshown_the_long_way(template: str, root: Any) -> list[str]:
    # the loop before issue #17, as it was: every group's present fields, then any() over them
    out = []
    for path, story in mailkit._media.watched_stories(root):
        if "headline" not in story._read:
            continue
        for group in mailkit._media._STORY_FIELDS:
            present = [f for f in group if mailkit._media._has(getattr(story._target, f))]
            if present and not any(f in story._read for f in present):
                out += [f"{path}.{f}" for f in present]
    return out


@pytest.mark.parametrize("seed", range(40))
def test_unshown_story_fields_reports_what_the_long_way_reported(seed: int) -> None:
    import random

    rng = random.Random(seed)
    edition = mailkit._fixtures.load_edition(DIGEST)
    root = mailkit._media.watch_edition(edition)
    fields = [f for group in mailkit._media._STORY_FIELDS for f in group]
    for _, story in mailkit._media.watched_stories(root):
        story._read.update(f for f in [*fields, "headline"] if rng.random() < 0.5)
    got = [w.field for w in mailkit._media.unshown_story_fields("digest", root)
           if w.code == "field-not-shown" and not w.field.endswith((".caption", ".credit"))]
    assert got == _unshown_the_long_way("digest", root)


# ---------------------------------------------------------------- compile: folders resolved only for an mj-include


def test_a_compile_without_mj_include_resolves_no_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: every compile resolved every template folder (a lstat per part of its path)
    from mailkit._compile import CompileOptions, compile_mjml

    resolved: list[Path] = []
    stock = Path.resolve

    def counted(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return stock(self, strict)

    monkeypatch.setattr(Path, "resolve", counted)
    html = compile_mjml("<mjml><mj-body><mj-text>x</mj-text></mj-body></mjml>", CompileOptions())
    assert ">x<" in html
    assert resolved == []


def test_an_mj_include_still_loads_inside_the_folders_only(tmp_path: Path) -> None:
    from mailkit._compile import CompileOptions, compile_mjml

    (tmp_path / "part.mjml").write_text("<mj-text>included</mj-text>", encoding="utf-8")
    source = '<mjml><mj-body><mj-column><mj-include path="{}" /></mj-column></mj-body></mjml>'
    assert "included" in compile_mjml(source.format("part.mjml"), CompileOptions(extra_dirs=(tmp_path,)))
    with pytest.raises(mailkit.MjmlCompileError, match="leaves the template folder"):
        compile_mjml(source.format("../part.mjml"), CompileOptions(extra_dirs=(tmp_path / "sub",)))


# ---------------------------------------------------------------- catalogs: one stat a candidate


def test_catalog_files_are_found_with_one_stat_each(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # failed before: is_file() and then stat() again for the time (and Path joins) per catalog
    import os

    import mailkit._i18n

    packaged = template_dirs(())[-1]
    own = tmp_path / "locales" / "fr" / "LC_MESSAGES"
    own.mkdir(parents=True)
    (own / "messages.mo").write_bytes((packaged / "locales" / "fr" / "LC_MESSAGES" / "messages.mo").read_bytes())
    (tmp_path / "locales" / "de").mkdir()  # a folder without a catalog: skipped
    stats: list[str] = []
    stock = os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        stats.append(str(path))
        return stock(path, *args, **kwargs)

    mailkit._i18n.catalog_locales("fr")  # Babel's own locale data read first
    monkeypatch.setattr(os, "stat", counted)
    found = mailkit._i18n._catalog_files("fr", [tmp_path, packaged])
    assert len(stats) == len(set(stats)) == 2
    assert mailkit._i18n._catalog_files("de", [tmp_path]) == ()
    monkeypatch.undo()
    assert [p for p, _ in found] == [str(own / "messages.mo"), str(packaged / "locales" / "fr" / "LC_MESSAGES" / "messages.mo")]
    assert [t for _, t in found] == [Path(p).stat().st_mtime for p, _ in found]
    assert mailkit._i18n.labels("fr", [tmp_path, packaged]).gettext.__name__ == "gettext"


# ---------------------------------------------------------------- watched stories: a field read again is a plain attribute


def test_a_field_read_again_does_not_go_through_getattr(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: every read of a story field called Watched.__getattr__ (the fields lived in a dict beside it)
    calls: list[str] = []
    stock = mailkit._media.Watched.__getattr__

    def counted(self: Any, name: str) -> Any:
        calls.append(name)
        return stock(self, name)

    monkeypatch.setattr(mailkit._media.Watched, "__getattr__", counted)
    edition = mailkit._fixtures.load_edition(DIGEST)
    root = mailkit._media.watch_edition(edition)
    story = root.sections[0].articles[0]
    assert [story.headline, story.headline, story.image, story.image] == [
        edition.sections[0].articles[0].headline] * 2 + [story._children["image"]] * 2
    assert calls == ["headline", "image"]  # sections and articles were watched up front
    assert {"headline", "image"} <= story._read
    assert isinstance(story.image, mailkit._media.Watched)
    assert story.image._path == "sections[0].articles[0].image"
    assert [p for p, _ in mailkit._media.watched_stories(root)][:2] == ["articles[0]", "sections[0].articles[0]"]


# ---------------------------------------------------------------- compile's own passes: found where they can match


def _restyled_the_long_way(html: str) -> str:
    from mailkit._compile import _MRML_PREVIEW, PREVIEW_STYLE

    return _MRML_PREVIEW.sub(lambda m: f'{m.group(1)}{PREVIEW_STYLE}"', html, count=1)


@pytest.mark.parametrize("html", [
    "", "<html><body></body></html>", '<style>a{}</style><body>\n <div style="{p}">x</div><div style="{p}">y</div>',
    '<bodyx><body class="a">  <div style="{p}">', '<p><body></p><body><div style="{p}">', '<body><div style="{p}x">',
    '<BODY><div style="{p}">',
])
def test_the_preview_is_restyled_as_the_long_way_did(html: str) -> None:
    from mailkit._compile import MRML_PREVIEW_STYLE, _restyle_preview

    html = html.replace("{p}", MRML_PREVIEW_STYLE)
    assert _restyle_preview(html) == _restyled_the_long_way(html)


def test_voice_images_leaves_html_without_a_marker_as_it_is() -> None:
    from mailkit._compile import voice_images

    html = '<td class="mk-img"><table><tr><td><img src="x" /></td></tr></table></td>'
    assert voice_images(html) is html
    marked = html.replace('"mk-img"', '"mk-img mk-voice--fr--ltr"')
    assert voice_images(marked) == '<td class="mk-img"><table><tr><td><img lang="fr" dir="ltr" src="x" /></td></tr></table></td>'


# ------------------------------------------- the template's CPU clock, read once the wall says it may be due

def test_a_render_reads_the_cpu_clock_once_per_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU clock is a system call (about 1 us); a breaking alert read it 45 times (every
    loop step, macro call and template load). A thread spends no more CPU than passes on the
    wall, so until the budget's seconds have passed on the wall it is read at the start only."""
    renderer = mailkit.Renderer()
    renderer.render("breaking", SEED)  # compiled
    reads = []
    real = mailkit._sandbox._clock
    monkeypatch.setattr(mailkit._sandbox, "_clock", lambda: reads.append(1) or real())
    renderer.render("breaking", SEED)
    renderer.render("digest", SEED.parent / "digest-morning-briefing.yaml")
    assert len(reads) == 2


def test_once_the_wall_says_it_may_be_due_the_cpu_clock_decides(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A wall clock that has run on (a loaded machine, a suspended VM) makes the render read the CPU
    clock, which stops a template only when the template spent the time."""
    real = mailkit._sandbox._wall
    jumps = iter(range(1, 10**7))
    reads = []
    cpu = mailkit._sandbox._clock
    monkeypatch.setattr(mailkit._sandbox, "_wall", lambda: real() + 10 * next(jumps))  # ten seconds at every look
    monkeypatch.setattr(mailkit._sandbox, "_clock", lambda: reads.append(1) or cpu())
    assert mailkit.Renderer().render("digest", SEED.parent / "digest-morning-briefing.yaml").subject
    assert len(reads) > 10  # every check asked the CPU clock
    (tmp_path / "t.mjml.j2").write_text(
        "<mjml><mj-body><mj-section><mj-column><mj-text>{% for i in range(20000) %}{% for c in 'abcdefghij' %}"
        "{{ c | upper | center(9) | trim }}{% endfor %}{% endfor %}"
        "</mj-text></mj-column></mj-section></mj-body></mjml>", encoding="utf-8")
    with pytest.raises(mailkit.TemplateError, match=r"ran for over 0\.02 s"):
        mailkit.Renderer(template_dirs=tmp_path, limits={"max_template_seconds": 0.02,
                                                         "max_template_steps": 10**7}).render("t", SEED)


# ---------------------------------------------------------------- issue #17, fixed cost: prints, labels, css


def test_a_print_in_a_render_is_encoded_text_without_finalize() -> None:
    # failed before (no ``encode``): each str printed went through finalize, which
    # made a Markup, and counted() checked it again; now encode(value) in one call
    finalized: list[Any] = []

    def spy(value: Any) -> Any:
        finalized.append(value)
        return mailkit._compose._finalize(value)

    printed = mailkit._sandbox.counting(spy, autoescape=True, escaping=True, encode=mailkit._sanitize.encode_for_mrml)
    env = mailkit._compose._new_environment(tuple(template_dirs(())))
    env.mailkit_print = printed
    source = "{{ s }}|{{ m }}|{{ n }}|{{ f }}|{{ b }}|{% set t %}{{ s }}{% endset %}{{ t }}|{{ h }}"
    values = {"s": "a < b & 'c' é", "m": Markup("<b>kept</b>"), "n": 552, "f": 1.5, "b": True, "h": Html()}
    got = mailkit._sandbox.render_bounded(env.from_string(source), values)
    stock = mailkit._compose._new_environment(tuple(template_dirs(())))
    stock.mailkit_print = None  # Jinja's own escape(environment.finalize(value))
    assert got == mailkit._sandbox.render_bounded(stock.from_string(source), values)
    assert finalized == ["True", Markup("<i>own</i>")]  # only what is neither str, Markup nor number
    # outside a render (no budget): finalize's Markup, as Jinja's escape gives it
    assert type(printed("x")) is Markup and printed(7) == Markup("7")


def test_what_a_render_prints_is_still_counted_to_its_limit(tmp_path: Path) -> None:
    write(tmp_path, "loud.mjml.j2", "{% set s = 'x' * 900 %}{% for i in range(200) %}{% set t %}{{ s }}{{ i }}"
          "{% endset %}{% endfor %}<mjml><mj-body></mj-body></mjml>")
    renderer = mailkit.Renderer(template_dirs=(tmp_path,), limits={"max_template_output": 20_000})
    with pytest.raises(mailkit.TemplateError, match=r"printed over .* in all") as err:
        renderer.render("loud", SEED)
    assert err.value.template == "loud.mjml.j2" and err.value.line == 1


def test_a_label_is_translated_and_formatted_once_per_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: gettext looked the message up and %-formatted a Markup at every _()
    labels = mailkit._i18n.labels("de", tuple(template_dirs(())))
    asked: list[str] = []
    stock = labels.translations.gettext
    monkeypatch.setattr(labels.translations, "gettext", lambda m: asked.append(m) or stock(m))
    labels._labels.clear()
    env = mailkit._compose._new_environment(tuple(template_dirs(())))
    template = env.from_string('{{ _("Read the full story") }}|{{ _("Read the full story") }}|{{ _("50%% off") }}'
                               '|{{ _("Hello %(name)s", name="<b>") }}|{{ _("Hello %(name)s", name="<i>") }}')
    first = template.render(_=labels.gettext)
    assert first == template.render(_=labels.gettext)
    assert first.startswith(f"{stock('Read the full story')}|{stock('Read the full story')}|50% off|")
    assert "&lt;b&gt;" in first and "&lt;i&gt;" in first  # values: escaped at every call, never remembered
    assert asked.count("Read the full story") == 1 and asked.count("50%% off") == 1
    assert asked.count("Hello %(name)s") == 4
    text = mailkit._compose._new_environment(tuple(template_dirs(())), text=True)
    assert text.from_string('{{ _("A & B") }}').render(_=labels.gettext) == "A & B"  # the text part: not escaped
    assert env.from_string('{{ _("A & B") }}').render(_=labels.gettext) == "A &amp; B"
    for i in range(600):  # bounded: a template may pass any text to _()
        labels.gettext(jinja2.nodes.EvalContext(env), f"message {i}")
    assert len(labels._labels) <= 512


def test_gettext_is_called_straight_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: _() went through the sandbox's call and Context.call (1 us each, ~15 a render)
    called = _context_calls(monkeypatch)
    email = mailkit.Renderer().render("breaking", SEED)
    assert not [f for f in called if isinstance(f, types.FunctionType) and f.__name__ in ("gettext", "ngettext")]
    monkeypatch.undo()
    assert email.html == mailkit.Renderer().render("breaking", SEED).html
    # what the shortcut copies: Context.call gives a pass_eval_context callable the eval
    # context first and turns a StopIteration into an undefined value
    source = inspect.getsource(jinja2.runtime.Context.call)
    assert "args = (__self.eval_ctx,) + args" in source and "except StopIteration" in source
    assert mailkit._sandbox._EVAL_CONTEXT_ONLY == jinja2.pass_eval_context(lambda c: c).__dict__


def test_a_pass_eval_context_function_is_called_as_jinja_calls_it() -> None:
    env = BoundedSandbox(autoescape=True)

    @jinja2.pass_eval_context
    def echo(eval_ctx: Any, x: Any = "", **kw: Any) -> str:
        return f"{eval_ctx.autoescape}:{x}:{'+'.join(sorted(kw))}"

    @jinja2.pass_eval_context
    def stops(eval_ctx: Any) -> str:
        raise StopIteration

    @jinja2.pass_eval_context
    def big(eval_ctx: Any) -> str:
        return "x" * (current_limits().max_template_output + 1)

    source = "{{ f(1) }}{% for i in [1] %}{{ f(i, k=2) }}{% endfor %}{% set b %}{{ f() }}{% endset %}{{ b }}"
    assert env.from_string(source).render(f=echo) == "True:1:True:1:kTrue::"
    assert env.from_string("{{ f() is undefined }}").render(f=stops) == "True"
    with pytest.raises(jinja2.sandbox.SecurityError, match="a call's result"):
        env.from_string("{{ f() }}").render(f=big)


def test_the_css_filter_is_called_without_a_wrapper_and_keeps_its_markup() -> None:
    # failed before: css was wrapped like any filter (its result's size checked) and
    # made a new Markup at each of its ~40 prints
    env = mailkit._compose._new_environment(tuple(template_dirs(())))
    assert env.filters["css"] is mailkit._stylesheet.css
    assert env.filters["upper"] is not jinja2.filters.do_upper  # every other filter: checked after
    assert mailkit._stylesheet.css("#c00") is mailkit._stylesheet.css("#c00")
    assert mailkit._stylesheet.css('"Iowan Old Style", serif') == "'Iowan Old Style', serif"
    with pytest.raises(mailkit._stylesheet.UnsafeCssValue):
        mailkit._stylesheet.css("red; background: url(x)")


# ---------------------------------------------------------------- issue #17: each template file looked at once a render


def _stats_by_file(monkeypatch: pytest.MonkeyPatch, suffix: str = ".j2") -> dict[str, int]:
    import os

    asked: dict[str, int] = {}
    stock = os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        name = os.fspath(path)
        if name.endswith(suffix):
            asked[name] = asked.get(name, 0) + 1
        return stock(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted)
    return asked


def test_a_render_checks_each_template_file_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # failed before: the partials were checked twice (the layout and the template import
    # them), the template three times (found twice, loaded), names_used() checked all again
    write(tmp_path, "brief.mjml.j2", '{% extends "layouts/base.mjml.j2" %}\n{% import "partials/components.mjml.j2" as ui with context %}'
          '{% block content %}{% include "list.mjml.j2" %}{% include "list.mjml.j2" %}{% endblock %}\n')
    write(tmp_path, "list.mjml.j2", "<mj-section><mj-column><mj-text>{{ article.headline }}</mj-text></mj-column></mj-section>\n")
    renderer = mailkit.Renderer(template_dirs=(tmp_path,))
    for template in ("brief", "breaking"):
        first = renderer.render(template, SEED)
        asked = _stats_by_file(monkeypatch)
        again = renderer.render(template, SEED)
        monkeypatch.undo()
        assert again.html == first.html
        assert asked and max(asked.values()) == 1, asked
        # outside a render, each ask is a look (a long-lived environment in a caller's own code)
        env = renderer._templates.environment()
        asked = _stats_by_file(monkeypatch)
        env.get_template("partials/components.mjml.j2")
        env.get_template("partials/components.mjml.j2")
        monkeypatch.undo()
        assert list(asked.values()) == [2]


def test_a_template_edited_between_renders_is_read_by_the_next(tmp_path: Path) -> None:
    import os

    write(tmp_path, "brief.mjml.j2", '{% extends "layouts/base.mjml.j2" %}{% block content %}{% include "list.mjml.j2" %}{% endblock %}\n')
    renderer = mailkit.Renderer(template_dirs=(tmp_path,))  # one renderer, its templates kept
    for n, word in enumerate(("first", "second", "third")):
        write(tmp_path, "list.mjml.j2", f"<mj-section><mj-column><mj-text>{word}</mj-text></mj-column></mj-section>\n")
        os.utime(tmp_path / "list.mjml.j2", (1, 4_000_000_000 + n))  # a new mtime, however fast the test
        for email in (renderer.render("brief", SEED), renderer.prepare("brief", SEED).personalize(None),
                      mailkit.render("brief", SEED, {"template_dirs": (tmp_path,)})):
            assert word in email.mjml


def test_one_look_a_render_is_per_render_thread_and_task() -> None:
    import threading

    from mailkit._sandbox import checked_once, seen_in_render

    assert seen_in_render() is None
    with checked_once() as outer:
        assert seen_in_render() is outer
        with checked_once() as inner:  # nested: the outer render's
            assert inner is outer
        assert seen_in_render() is outer
        elsewhere: list[Any] = []
        thread = threading.Thread(target=lambda: elsewhere.append(seen_in_render()))
        thread.start()
        thread.join()
        assert elsewhere == [None]
    assert seen_in_render() is None
    with pytest.raises(mailkit.TemplateNotFoundError), checked_once():  # a failed look is not kept
        mailkit.Renderer().render("no-such-template", SEED)
    assert seen_in_render() is None


def test_a_catalog_file_is_looked_at_once_a_render(monkeypatch: pytest.MonkeyPatch) -> None:
    # failed before: the labels and the no-catalog warning each looked (2 stats a render in German)
    data = mailkit.load_edition(SEED).model_dump(mode="json")
    data["language"] = "de"
    renderer = mailkit.Renderer()
    first = renderer.render("breaking", data)
    asked = _stats_by_file(monkeypatch, ".mo")
    again = renderer.render("breaking", data)
    monkeypatch.undo()
    assert again.html == first.html
    assert asked and max(asked.values()) == 1, asked


def test_fonts_without_a_script_to_add_are_the_themes_own() -> None:
    # failed before: a copy of the theme's fonts for every render, the same stacks in it
    edition = mailkit.load_edition(SEED)
    assert mailkit._render._fonts(edition, mailkit._render._languages(edition)) is edition.newsletter.brand.fonts
    arabic = edition.model_copy(update={"language": "ar"})
    fonts = mailkit._render._fonts(arabic, mailkit._render._languages(arabic))
    assert fonts is not edition.newsletter.brand.fonts and "Noto" in fonts.body + fonts.headline
    assert fonts.web_fonts == edition.newsletter.brand.fonts.web_fonts


def test_the_text_stages_labels_are_filled_in_once_per_catalog() -> None:
    # failed before: two dataclasses.replace and two labels formatted every render
    renderer = mailkit.Renderer()
    dirs = tuple(template_dirs(()))
    english, german = mailkit._i18n.labels("en", dirs), mailkit._i18n.labels("de", dirs)
    made = renderer._text_options(english)
    assert renderer._text_options(english) is made
    assert made.links_heading == english.text("Links:") and made.button_label == "%(label)s:"
    assert renderer._text_options(german).links_heading == german.text("Links:") != made.links_heading
    own = mailkit.Renderer(text={"links_heading": "Sources:"})._text_options(german)
    assert own.links_heading == "Sources:" and own.button_label == german.text("%(label)s:", label="%(label)s")
