"""The fixed cost of a small render (issue #17, session 9): the render's glue and the
compose stage's machinery do less per render, and give the same bytes (the snapshot
tests hold every byte of every template x fixture; these hold the shortcuts to the
long way they replace)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.runtime
import jinja2.sandbox
import pydantic
import pytest

import mailkit
import mailkit._personalize
from mailkit._media import Watched
from mailkit._personalize import PreparedEmail

FIXTURES = Path(__file__).parent.parent / "fixtures"
BREAKING = FIXTURES / "breaking-china-cyberspying.yaml"
DIGEST = FIXTURES / "digest-morning-briefing.yaml"


# ---------------------------------------------------------------- the render's glue


def test_a_render_without_a_reader_fills_the_prepared_email_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # the deliverability checks read the newsletter's own email (no reader); a render
    # without a reader returns that one, with the warnings, not a second fill of a copy
    calls: list[object] = []
    personalize = PreparedEmail.personalize

    def counted(self: PreparedEmail, recipient: mailkit.Recipient | None = None) -> mailkit.RenderedEmail:
        calls.append(recipient)
        return personalize(self, recipient)

    renderer = mailkit.Renderer()
    renderer.render("breaking", BREAKING)
    monkeypatch.setattr(PreparedEmail, "personalize", counted)
    renderer.render("breaking", BREAKING)
    assert calls == [None]
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana")
    renderer.render("breaking", BREAKING, reader)
    assert calls == [None, None, reader]


@pytest.mark.parametrize(("template", "fixture", "options"), [
    ("breaking", BREAKING, {}),
    ("digest", DIGEST, {}),
    ("digest", DIGEST, {"strict": False, "max_body_chars": 200, "theme": "harbor-ledger"}),
])
def test_a_render_without_a_reader_is_the_prepared_email_for_no_reader(template: str, fixture: Path,
                                                                       options: dict[str, object]) -> None:
    renderer = mailkit.Renderer(**options)  # type: ignore[arg-type]
    email = renderer.render(template, fixture)
    prepared = renderer.prepare(template, fixture)
    long_way = prepared.personalize(None)
    assert email == long_way
    assert email.warnings == prepared.warnings == long_way.warnings
    assert [w.code for w in email.warnings] == [w.code for w in long_way.warnings]
    assert email.mjml == long_way.mjml
    assert email.html_parts is not None and long_way.html_parts is not None
    assert email.html_parts[1] == long_way.html_parts[1]
    # a reader's email is the prepared email's, with the warnings
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana", link_params={"rid": "7"})
    assert renderer.render(template, fixture, reader) == prepared.personalize(reader)


# ---------------------------------------------------------------- macro calls


CALLS = """{# macros called every way a template calls them #}
{% macro box(x, y="d", z=none) -%}[{{ x }}|{{ y }}|{{ z }}|{{ caller() if caller is defined else "-" }}]{%- endmacro %}
{% macro wrap(v) -%}<{{ v }}:{{ caller() }}>{%- endmacro %}
{% macro wrap2(v, caller=none) -%}<{{ v }}:{{ caller() if caller else "no" }}>{%- endmacro %}
{% macro empty() -%}(){%- endmacro %}
{% macro rest(a) -%}{{ a }}{{ varargs | join(",") }}{{ kwargs | dictsort | join(",") }}{%- endmacro %}
{% macro uses_caller(a) -%}{{ a }}{{ caller }}{%- endmacro %}
{{ box(1) }}{{ box(1, 2) }}{{ box(1, 2, 3) }}{{ box(1, z=3) }}{{ box(x="<b>") }}{{ empty() }}
{% call box("c") %}<i>{{ name }}</i>{% endcall %}{% call wrap("w") %}in{% endcall %}
{% call(n) wrap2("x") %}{{ n }}{% endcall %}{{ wrap2("y") }}{{ rest(1, 2, 3) }}{{ rest(1, k=2) }}
{% for i in range(2) %}{{ box(i) }}{% call wrap(loop.index) %}{{ i }}{% endcall %}{% endfor %}
{% set t %}{{ box("block") }}{% endset %}{{ t }}{{ uses_caller(1) }}
{% call box(1, z=2) %}kw{% endcall %}{{ box(y=5, x=4) }}{{ wrap2("k", caller=none) }}{{ box(1, 2, z=3) }}
"""


@pytest.mark.parametrize("autoescape", [True, False])
def test_macros_are_called_as_jinja_calls_them(autoescape: bool) -> None:
    from mailkit._sandbox import BoundedSandbox

    settings = {"autoescape": autoescape, "trim_blocks": True, "lstrip_blocks": True}
    stock = jinja2.sandbox.ImmutableSandboxedEnvironment(**settings).from_string(CALLS).render(name="<n>")
    assert BoundedSandbox(**settings).from_string(CALLS).render(name="<n>") == stock
    assert "[1|d|None|-][1|2|None|-][1|2|3|-][1|d|3|-]" in stock


@pytest.mark.parametrize("source", ["{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}",
                                    "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=1) }}",
                                    "{% macro m(a) %}{{ a }}{% endmacro %}{% call m(1) %}x{% endcall %}",
                                    "{% macro m(a) %}{{ caller() }}{% endmacro %}{{ m(1) }}",
                                    "{% macro m(a, b=1) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}",
                                    "{% macro m(a, b=1) %}{{ a }}{% endmacro %}{{ m(1, caller=2) }}",
                                    "{% macro m(a, b=1) %}{{ a }}{% endmacro %}{{ m(1, 2, 3) }}"])
def test_a_wrong_macro_call_fails_as_jinjas_does(source: str) -> None:
    from mailkit._sandbox import BoundedSandbox

    with pytest.raises(Exception) as stock:
        jinja2.sandbox.ImmutableSandboxedEnvironment(autoescape=True).from_string(source).render()
    with pytest.raises(type(stock.value)) as ours:
        BoundedSandbox(autoescape=True).from_string(source).render()
    assert str(ours.value) == str(stock.value)


def test_a_macro_called_with_its_own_arguments_skips_jinjas_macro_call(monkeypatch: pytest.MonkeyPatch) -> None:
    # Macro.__call__ and _invoke: two Python frames a call; only a call with keywords needs them
    seen: list[dict[str, object]] = []
    call = jinja2.runtime.Macro.__call__

    @jinja2.pass_eval_context
    def recorded(self: jinja2.runtime.Macro, *args: object, **kwargs: object) -> object:
        seen.append(kwargs)
        return call(self, *args, **kwargs)

    renderer = mailkit.Renderer()
    expected = renderer.render("breaking", BREAKING).mjml
    monkeypatch.setattr(jinja2.runtime.Macro, "__call__", recorded)
    assert renderer.render("breaking", BREAKING).mjml == expected
    assert not seen  # ui.image(a.image, v=v) too: a keyword it takes


# ---------------------------------------------------------------- labels


def test_a_catalogs_gettext_is_made_once() -> None:
    # each read made a closure and marked it pass_eval_context (about ten reads a render)
    from mailkit._i18n import labels
    from mailkit._paths import template_dirs

    here = labels("fr", template_dirs(()))
    assert here.gettext is here.gettext and here.ngettext is here.ngettext
    assert here == labels("fr", template_dirs(())) and hash(here) == hash(labels("fr", template_dirs(())))
    env = jinja2.Environment(autoescape=True)
    assert env.from_string("{{ _('Read the full story') }}").render(_=here.gettext) == "Lire l’article complet"
    assert env.from_string("{{ ngettext('%(num)s story', '%(num)s stories', 2) }}").render(ngettext=here.ngettext) \
        == here.ngettext(jinja2.nodes.EvalContext(env), "%(num)s story", "%(num)s stories", 2)


MESSAGES = ["By %(names)s", "%(name)s reported from %(place)s.", "100%% %(x)s", "no placeholder", "a < b & “c” %(x)s",
            "%(n)d items", "%(x)r", "%(x)s and %(n)d", "50%", "%(x)s%%%(x)s", "%(missing)s"]


@pytest.mark.parametrize("message", MESSAGES)
@pytest.mark.parametrize("value", ["Ana", "<b>&amp;</b>", 3, 1234, "‮x"])
def test_a_message_is_formatted_as_markups_percent_formats_it(message: str, value: object) -> None:
    from markupsafe import Markup

    from mailkit._i18n import labels
    from mailkit._paths import template_dirs
    from mailkit._sanitize import encode_for_mrml

    here = labels("en", template_dirs(()))
    variables = {"names": value, "name": value, "place": Markup("<i>Rome</i>"), "x": value, "n": 7}

    def long_way() -> object:
        values = {k: here._value(v, True) for k, v in variables.items()}
        return Markup(encode_for_mrml(message)) % values

    try:
        expected = long_way()
    except Exception as err:  # noqa: BLE001 - the same error either way
        with pytest.raises(type(err), match=None):
            here._format(message, True, variables)
        return
    for _ in range(2):  # the second time from the memo
        got = here._format(message, True, variables)
        assert got == expected and type(got) is Markup


def test_a_message_with_name_placeholders_is_formatted_without_markups_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    # Markup % wraps each value in a helper and escapes it (a Markup, to itself): 2.8 -> 1.4 us a message
    from markupsafe import Markup

    from mailkit._i18n import labels
    from mailkit._paths import template_dirs

    here = labels("en", template_dirs(()))
    used: list[object] = []
    percent = Markup.__mod__

    def counted(self: Markup, arg: object) -> Markup:
        used.append(arg)
        return percent(self, arg)

    monkeypatch.setattr(Markup, "__mod__", counted)
    assert here._format("By %(names)s", True, {"names": "<Ana>"}) == "By &lt;Ana&gt;"
    assert not used
    assert here._format("%(n)d items", True, {"n": 3}) == "3 items"
    assert used


# ---------------------------------------------------------------- voices


@pytest.mark.parametrize(("lang", "doc_lang", "doc_dir"), [
    ("en", "en", "ltr"), ("EN", "en", "ltr"), ("ar", "en", "ltr"), ("en", "ar", "rtl"), ("he", "ar", "rtl"),
    ("x-klingon", "en", "ltr"), ("zh-Hant-TW", "en", "ltr"), ("fa-u-nu-latn", "en", "ltr"), ("ar", "ar", "rtl")])
def test_a_voice_is_made_once_for_its_languages(lang: str, doc_lang: str, doc_dir: str) -> None:
    from mailkit._media import voice_of
    from mailkit._models import Link

    story = Link(title="t", url="https://example.org/a", language=lang)
    voice = voice_of(story, doc_lang, doc_dir)
    assert voice_of(story, doc_lang, doc_dir) is voice  # failed before: a new one each call
    assert voice_of(None, doc_lang, doc_dir) == voice_of(Link(title="u", url="https://example.org/b"), doc_lang, doc_dir)
    if lang.lower() == doc_lang.lower():
        assert (voice.lang, voice.dir, voice.attrs, voice.image_class) == (doc_lang, doc_dir, "", "")
    else:
        assert voice.lang == lang and f'lang="{lang}" dir="{voice.dir}"' in voice.attrs


# ---------------------------------------------------------------- the sandbox's size checks


def test_a_size_check_reads_the_limit_without_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    import mailkit._sandbox

    renderer = mailkit.Renderer(limits=mailkit.Limits(max_template_output=400_000))
    expected = renderer.render("breaking", BREAKING).mjml
    calls: list[int] = []
    limits = mailkit._sandbox._limits
    monkeypatch.setattr(mailkit._sandbox, "_limits", lambda: calls.append(1) or limits())
    assert renderer.render("breaking", BREAKING).mjml == expected
    assert not calls
    # and the renderer's own limit is the one checked
    small = mailkit.Renderer(limits=mailkit.Limits(max_template_output=2_000))
    with pytest.raises(mailkit.TemplateError, match="over the limit of 2,000"):
        small.render("breaking", BREAKING)


def test_a_languages_list_locale_is_made_once() -> None:
    from mailkit._i18n import _list_locale, labels
    from mailkit._paths import template_dirs

    assert _list_locale("en") is _list_locale("en")  # failed before: a Locale each byline
    assert str(_list_locale("en")) == "en_GB" and str(_list_locale("en-US")) == "en_GB" and str(_list_locale("fr")) == "fr"
    assert labels("en", template_dirs(())).names(["A", "<B>", "C"]) == \
        '<span dir="auto">A</span>, <span dir="auto">&lt;B&gt;</span> and <span dir="auto">C</span>'


# ---------------------------------------------------------------- one look a render, without an error made


def test_a_render_asks_for_its_text_template_without_a_failed_stat(monkeypatch: pytest.MonkeyPatch) -> None:
    # a stat of a missing file raises FileNotFoundError (made and caught in Python): the
    # .txt.j2 that nearly no template has is asked for with os.access first
    import os

    renderer = mailkit.Renderer()
    renderer.render("breaking", BREAKING)
    stats: list[str] = []
    real = os.stat

    def recorded(path: object, *args: object, **kwargs: object) -> os.stat_result:
        stats.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", recorded)
    renderer.render("breaking", BREAKING)
    assert stats and not [p for p in stats if p.endswith(".txt.j2")], stats


def test_a_text_template_added_or_removed_between_renders_is_seen_by_the_next(tmp_path: Path) -> None:
    (tmp_path / "breaking.txt.j2").mkdir()  # a folder of that name is not a text template
    renderer = mailkit.Renderer(template_dirs=(tmp_path,))
    assert "BREAKING" not in renderer.render("breaking", BREAKING).text.splitlines()[0]
    (tmp_path / "breaking.txt.j2").rmdir()
    (tmp_path / "breaking.txt.j2").write_text("BREAKING: {{ article.headline }}\n", encoding="utf-8")
    assert renderer.render("breaking", BREAKING).text.startswith("BREAKING: ")
    (tmp_path / "breaking.txt.j2").unlink()
    assert not renderer.render("breaking", BREAKING).text.startswith("BREAKING: ")
    assert mailkit._compose.text_template_exists("breaking", (tmp_path,)) is False  # type: ignore[attr-defined]


def test_the_budget_check_of_loops_and_macros_is_tick_itself() -> None:
    from mailkit._sandbox import BoundedSandbox, tick

    assert BoundedSandbox().mailkit_tick is tick  # failed before: a method calling it


def test_jinjas_generate_is_the_one_render_bounded_copies() -> None:
    # render_bounded draws the root function's stream and rewrites an error as
    # Template.generate does for a synchronous environment: a change upstream must be copied
    import hashlib
    import inspect

    source = inspect.getsource(jinja2.Template.generate)
    assert "ctx = self.new_context(dict(*args, **kwargs))" in source
    assert "yield from self.root_render_func(ctx)" in source
    assert "yield self.environment.handle_exception()" in source
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "6bde5fbd6be1904f", source


def test_a_render_draws_the_templates_stream_without_generate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    renderer = mailkit.Renderer()
    expected = renderer.render("breaking", BREAKING).mjml

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("Template.generate")

    monkeypatch.setattr(jinja2.Template, "generate", refused)
    assert renderer.render("breaking", BREAKING).mjml == expected
    # an error still names its template and line, a limit too
    (tmp_path / "bad.mjml.j2").write_text("{# x #}\n<mjml><mj-body>\n{{ article.nope }}\n</mj-body></mjml>\n",
                                          encoding="utf-8")
    with pytest.raises(mailkit.TemplateError, match="nope") as info:
        mailkit.Renderer(template_dirs=(tmp_path,)).render("bad", BREAKING)
    assert info.value.line == 3
    (tmp_path / "long.mjml.j2").write_text(
        "{# x #}\n<mjml><mj-body>\n{% for i in range(900) %}<mj-raw>{{ article.headline }}</mj-raw>\n{% endfor %}"
        "</mj-body></mjml>\n", encoding="utf-8")
    small = mailkit.Renderer(template_dirs=(tmp_path,), limits=mailkit.Limits(max_template_output=5_000))
    with pytest.raises(mailkit.TemplateError, match="over the limit of 5,000") as info:
        small.render("long", BREAKING)
    assert info.value.line == 3


# ---------------------------------------------------------------- getitem on objects without __getitem__


def test_jinjas_sandboxed_getitem_is_the_one_the_override_copies() -> None:
    import hashlib
    import inspect

    source = inspect.getsource(jinja2.sandbox.SandboxedEnvironment.getitem)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "b0c023de9d0c5dda", source


class _Plain:
    name = "plain"
    _private = "no"

    def method(self) -> str:
        return "m"


class _Dynamic:
    def __getattr__(self, name: str) -> str:
        if name == "gone":
            raise AttributeError(name)
        return f"<{name}>"


class _Items:
    def __getitem__(self, key: object) -> str:
        if key == "missing":
            raise KeyError(key)
        return f"[{key}]"


def _objects() -> list[object]:
    from mailkit._fixtures import load_edition
    from mailkit._media import watch_edition

    edition = load_edition(BREAKING)
    watched = watch_edition(edition)
    return [edition.lead, edition.lead.authors[0], watched.articles[0], watched.articles[0].authors[0], _Plain(),
            _Dynamic(), _Items(), {"name": "d"}, ["a"], "text", 3, None, _Plain, list, type]


@pytest.mark.parametrize("argument", ["name", "headline", "format", "method", "_private", "gone", "missing", "__class__",
                                      "mro", "model_dump", 0, "0"])
def test_getitem_gives_what_jinjas_immutable_sandbox_gives(argument: object) -> None:
    from markupsafe import Markup

    from mailkit._sandbox import BoundedSandbox

    ours, stock = BoundedSandbox(), jinja2.sandbox.ImmutableSandboxedEnvironment()
    for obj in _objects():
        mine, theirs = ours.getitem(obj, argument), stock.getitem(obj, argument)
        if argument == "model_dump" and isinstance(mine, jinja2.Undefined) and not isinstance(theirs, jinja2.Undefined):
            # pydantic's BaseModel machinery is refused on models, a difference
            # on purpose (tests/test_hostile_inject11.py)
            assert isinstance(mine, jinja2.Undefined) and isinstance(obj, (pydantic.BaseModel, Watched)), obj
            continue
        assert type(mine) is type(theirs), (obj, argument)
        if isinstance(theirs, jinja2.Undefined):
            assert (mine._undefined_name, mine._undefined_obj) == (theirs._undefined_name, theirs._undefined_obj)
            with pytest.raises(Exception) as stock_error:
                str(theirs) if isinstance(theirs, jinja2.StrictUndefined) else theirs.missing_attribute
            with pytest.raises(type(stock_error.value)):
                str(mine) if isinstance(mine, jinja2.StrictUndefined) else mine.missing_attribute
        elif callable(theirs):
            assert getattr(mine, "__name__", None) == getattr(theirs, "__name__", None), (obj, argument)
        else:
            assert mine == theirs, (obj, argument)
    # filters that read attributes through getitem
    template = "{{ xs | map(attribute='name') | join(',') }}|{{ xs | selectattr('name') | list | length }}"
    xs = [_Plain(), {"name": "d"}]
    assert ours.from_string(template).render(xs=xs) == stock.from_string(template).render(xs=xs)
    assert isinstance(Markup, type)


def test_a_story_field_read_by_a_filter_makes_no_error_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # map(attribute="name") over a story's authors: obj["name"] raised TypeError for each
    import pydantic

    from mailkit._media import Watched

    renderer = mailkit.Renderer()
    expected = renderer.render("breaking", BREAKING).mjml
    subscripted: list[object] = []
    getitem = jinja2.sandbox.SandboxedEnvironment.getitem

    def recorded(self: jinja2.sandbox.SandboxedEnvironment, obj: object, argument: object) -> object:
        subscripted.append(obj)
        return getitem(self, obj, argument)

    monkeypatch.setattr(jinja2.sandbox.SandboxedEnvironment, "getitem", recorded)
    assert renderer.render("breaking", BREAKING).mjml == expected
    assert not [o for o in subscripted if isinstance(o, Watched | pydantic.BaseModel)], subscripted


def test_jinjas_new_context_is_the_one_render_bounded_copies() -> None:
    import hashlib
    import inspect

    source = inspect.getsource(jinja2.runtime.new_context)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "4578768842aedb44", source
    assert "return ChainMap(d, self.globals)" in inspect.getsource(jinja2.Environment.make_globals)


def test_a_renders_context_is_the_one_jinja_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    import collections

    from mailkit._sandbox import _new_context

    env = mailkit.Renderer(globals={"site_name": "Example"})._templates.environment()
    template = env.get_template("breaking.mjml.j2")
    context = {"lang": "en", "article": object(), "site_name": "shadowed"}
    ours, jinjas = _new_context(template, context), template.new_context(dict(context))
    assert ours.parent == jinjas.parent and list(ours.parent) == list(jinjas.parent)
    assert ours.globals_keys == jinjas.globals_keys and ours.name == jinjas.name and ours.blocks == jinjas.blocks
    assert type(ours) is type(jinjas) and ours.environment is jinjas.environment
    with pytest.raises(TypeError):
        template.new_context(dict({1: "x"}))
    with pytest.raises(TypeError):
        _new_context(template, {1: "x"})
    # failed before: dict() of the globals' ChainMap looked each name up in an empty map first
    missed: list[object] = []
    getitem = collections.ChainMap.__getitem__

    def recorded(self: collections.ChainMap[str, object], key: str) -> object:
        missed.extend(key for m in self.maps if key not in m)
        return getitem(self, key)

    monkeypatch.setattr(collections.ChainMap, "__getitem__", recorded)
    mailkit.render("breaking", BREAKING)
    assert not missed


def test_a_render_makes_no_error_in_mailkits_own_steps() -> None:
    # each error made and caught is work, and more of it right after other work; the
    # ones left come from Jinja's loops (StopIteration), context managers and the
    # other stages (premailer's generators)
    import sys
    from types import FrameType

    renderer = mailkit.Renderer()
    renderer.render("breaking", BREAKING)
    raised: list[tuple[str, str, str]] = []

    def trace(frame: FrameType, event: str, arg: object) -> object:
        if event == "exception" and isinstance(arg, tuple):
            raised.append((frame.f_code.co_filename.rsplit("/", 1)[-1], frame.f_code.co_name, arg[0].__name__))
        return trace

    sys.settrace(trace)
    try:
        renderer.render("breaking", BREAKING)
    finally:
        sys.settrace(None)
    ours = {"_compose.py", "_sandbox.py", "_render.py", "_i18n.py", "_media.py", "runtime.py", "sandbox.py",
            "__init__.py"}
    assert not [r for r in raised if r[0] in ours and r[2] != "StopIteration"], raised
