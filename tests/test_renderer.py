"""mailkit.Renderer: settings, limits and caches owned by one object; render() through it.

Bad arguments (each a clear input and the OptionsError it gives) are in
tests/test_hostile_renderer.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT, SEED

import mailkit
from mailkit._render import CONTEXT_NAMES, _context, renderer_for

DIGEST = FIXTURES / "digest-morning-briefing.yaml"


def same(a: mailkit.RenderedEmail, b: mailkit.RenderedEmail) -> bool:
    return (a.subject, a.preheader, a.mjml, a.html, a.text, a.warnings) == (
        b.subject, b.preheader, b.mjml, b.html, b.text, b.warnings)


# ---------------------------------------------------------------- render() is a Renderer


def test_a_renderer_renders_what_render_does() -> None:
    renderer = mailkit.Renderer(theme="harbor-ledger", link_tagging={"campaign": "c"}, max_body_chars=2_000)
    options = mailkit.RenderOptions(theme="harbor-ledger", link_tagging=mailkit.LinkTagging(campaign="c"),
                                    max_body_chars=2_000)
    for template, fixture in (("breaking", SEED), ("digest", DIGEST)):
        assert same(renderer.render(template, fixture), mailkit.render(template, fixture, options))
        assert same(mailkit.Renderer().render(template, fixture), mailkit.render(template, fixture))
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana", link_params={"rid": "42"})
    assert same(renderer.prepare("breaking", SEED).personalize(reader), renderer.render("breaking", SEED, reader))
    assert same(renderer.render("breaking", SEED, {"email": "ana@example.org", "first_name": "Ana",
                                                   "link_params": {"rid": "42"}}),
                mailkit.render("breaking", SEED, options, reader))


def test_from_options_and_with_options() -> None:
    options = mailkit.RenderOptions(theme="harbor-ledger", template_dirs=("templates",))
    renderer = mailkit.Renderer.from_options(options)
    assert renderer.options == mailkit.RenderOptions(theme="harbor-ledger", template_dirs=(ROOT / "templates",))
    assert mailkit.Renderer.from_options({"theme": "harbor-ledger"}).options.theme == "harbor-ledger"
    other = renderer.with_options(theme="nbc-news", strict=True)
    assert (other.options.theme, other.options.strict, renderer.options.theme) == ("nbc-news", True, "harbor-ledger")
    # the same folders, filters and globals: the compiled templates are shared, like Jinja's overlays
    assert other._templates is renderer._templates
    with_filter = renderer.with_options(filters={"shout": str.upper})
    assert with_filter._templates is not renderer._templates
    assert "shout" not in renderer._templates.environment().filters
    assert [t.name for t in renderer.list_templates()] == [t.name for t in mailkit.list_templates()]


def test_render_keeps_a_renderer_per_options() -> None:
    # equal options (a new RenderOptions or dict each call) find the same renderer: nothing is compiled again
    first = renderer_for(mailkit.RenderOptions(theme="harbor-ledger"))
    assert renderer_for({"theme": "harbor-ledger"}) is first
    assert renderer_for(mailkit.RenderOptions(theme="harbor-ledger")) is first
    assert renderer_for(mailkit.RenderOptions()) is renderer_for(None)
    # and renderers of the same folders share their compiled templates
    assert renderer_for({"theme": "nbc-news"})._templates is first._templates
    mailkit.render("breaking", SEED, {"theme": "harbor-ledger"})
    env = first._templates.environment()
    template = env.get_template("breaking.mjml.j2")
    mailkit.render("breaking", SEED, mailkit.RenderOptions(theme="harbor-ledger"))
    assert env.get_template("breaking.mjml.j2") is template


def test_render_follows_a_relative_folder_after_a_chdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # render() re-reads "mine" against the working directory, as it always has; a Renderer
    # resolved it when it was made
    for name, band in (("a", "FROM A"), ("b", "FROM B")):
        (tmp_path / name / "mine").mkdir(parents=True)
        (tmp_path / name / "mine" / "t.mjml.j2").write_text(CUSTOM.replace("motto | shout", repr(band)))
    monkeypatch.chdir(tmp_path / "a")
    fixed = mailkit.Renderer(template_dirs="mine")
    assert "FROM A" in mailkit.render("t", SEED, {"template_dirs": "mine"}).html
    monkeypatch.chdir(tmp_path / "b")
    assert "FROM B" in mailkit.render("t", SEED, {"template_dirs": "mine"}).html
    assert "FROM A" in fixed.render("t", SEED).html


def test_the_context_names_are_the_contexts() -> None:
    # the names an author's global may not take are every name a template's context holds
    from mailkit._slots import RecipientSlots, new_nonce

    edition = mailkit.load_edition(SEED)
    assert set(_context("breaking", edition, [], RecipientSlots(new_nonce()))) == CONTEXT_NAMES


# ---------------------------------------------------------------- filters and globals


CUSTOM = """{#- A storm alert with the author's own filter and global -#}
{% extends "layouts/base.mjml.j2" %}
{% import "partials/components.mjml.j2" as ui with context %}
{% block band %}{{ ui.band(motto | shout) }}{% endblock %}
{% block content %}
{{ ui.story(article, _("BREAKING NEWS"), _("Read the full story")) }}
{% endblock %}
"""


def test_filters_and_globals_reach_the_renderers_templates_only(tmp_path: Path) -> None:
    (tmp_path / "t.mjml.j2").write_text(CUSTOM)
    renderer = mailkit.Renderer(template_dirs=tmp_path, filters={"shout": lambda s: s.upper() + "!"},
                                globals={"motto": "stay <safe>"})
    email = renderer.render("t", SEED)
    # a global is content like any other: escaped for MJML
    assert "STAY &lt;SAFE&gt;!" in email.html and "STAY <SAFE>" not in email.html
    assert renderer.filters.keys() == {"shout"} and renderer.globals == {"motto": "stay <safe>"}
    with pytest.raises(TypeError):
        renderer.globals["motto"] = "changed"  # type: ignore[index]
    # the same folder without them: the template fails, naming itself and the line
    with pytest.raises(mailkit.TemplateError, match=r"^t\.mjml\.j2, line 4: No filter named 'shout'"):
        mailkit.render("t", SEED, {"template_dirs": (tmp_path,)})
    with pytest.raises(mailkit.TemplateError, match=r"^t\.mjml\.j2, line 4: 'motto' is undefined"):
        mailkit.Renderer(template_dirs=tmp_path, filters={"shout": lambda s: str(s).upper()}).render("t", SEED)


def test_an_authors_filter_is_bounded_and_its_errors_named(tmp_path: Path) -> None:
    (tmp_path / "t.mjml.j2").write_text(CUSTOM)
    big = mailkit.Renderer(template_dirs=tmp_path, filters={"shout": lambda s: s * 10**7}, globals={"motto": "ab"})
    with pytest.raises(mailkit.TemplateError, match=r"t\.mjml\.j2, line 4: the shout filter's result would be"):
        big.render("t", SEED)

    def broken(value: str) -> str:
        raise KeyError(value)

    with pytest.raises(mailkit.TemplateError, match=r"t\.mjml\.j2, line 4: KeyError: 'ab'") as info:
        mailkit.Renderer(template_dirs=tmp_path, filters={"shout": broken}, globals={"motto": "ab"}).render("t", SEED)
    assert isinstance(info.value.__cause__, KeyError)


# ---------------------------------------------------------------- themes


def test_a_renderer_loads_its_theme_once_and_again_when_it_changes(tmp_path: Path) -> None:
    theme = yaml.safe_load((ROOT / "templates" / "themes" / "harbor-ledger.yaml").read_text())
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(theme))
    renderer = mailkit.Renderer(theme=path)
    first = renderer.render("breaking", SEED)
    assert len(renderer._themes) == 1
    assert same(renderer.render("breaking", SEED), first)
    theme["colors"]["accent"] = "#123456"
    path.write_text(yaml.safe_dump(theme) + "\n# changed\n")  # another size: seen even within the mtime's tick
    assert "#123456" in renderer.render("breaking", SEED).html and "#123456" not in first.html


# ---------------------------------------------------------------- limits


def _long_body(n: int) -> dict[str, Any]:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["body"] = "<p>Long read.</p>" * n
    return data


def test_a_renderers_limits_apply_to_its_renders_only() -> None:
    data = _long_body(1_000)  # a 17 KB body
    small = mailkit.Renderer(limits=mailkit.Limits(max_body_bytes=10_000))
    with pytest.raises(mailkit.LimitExceededError, match=r"articles\[0\]\.body: body is 17000 bytes, over the limit of 10000"):
        small.render("breaking", data)
    assert mailkit.render("breaking", data).subject  # the default renderer still accepts it
    assert mailkit.Renderer().render("breaking", data).subject
    assert mailkit._sanitize.current_limits() is mailkit.LIMITS  # nothing left behind


def test_limits_reach_every_stage_of_a_renderers_render(tmp_path: Path) -> None:
    digest = yaml.safe_load(DIGEST.read_text(encoding="utf-8"))
    few = mailkit.Renderer(limits={"max_stories": 3})
    with pytest.raises(mailkit.InvalidFixtureError, match=r"stories, over the limit of 3"):
        few.render("digest", digest)  # the models' validation
    with pytest.raises(mailkit.LimitExceededError, match=r"digest-morning-briefing\.yaml: file larger than 1,000 bytes"):
        mailkit.Renderer(limits={"max_file_bytes": 1_000}).render("digest", DIGEST)  # the fixture reader
    with pytest.raises(mailkit.InvalidFixtureError, match=r"over the limit of 20"):
        mailkit.Renderer(limits={"max_field_chars": 20}).render("breaking", SEED)
    (tmp_path / "inc.mjml").write_text("<mj-text>x</mj-text>")
    (tmp_path / "t.mjml.j2").write_text(
        "<mjml><mj-body><mj-section><mj-column>" + '<mj-include path="inc.mjml" />' * 3
        + "</mj-column></mj-section></mj-body></mjml>")
    with pytest.raises(mailkit.MjmlCompileError, match=r"over 2 mj-include loads"):
        mailkit.Renderer(template_dirs=tmp_path, limits={"max_mj_includes": 2}).render("t", SEED)
    mailkit.render("t", SEED, {"template_dirs": (tmp_path,)})
    assert mailkit.render("digest", digest).subject


def test_limits_hold_per_thread_while_renders_interleave() -> None:
    data = _long_body(1_000)
    small = mailkit.Renderer(limits=mailkit.Limits(max_body_bytes=10_000))
    rounds = 12
    barrier = threading.Barrier(2)
    outcomes: dict[str, list[str]] = {"small": [], "default": []}

    def run(name: str, render: Any) -> None:
        for _ in range(rounds):
            barrier.wait()  # both renders of a round start together
            try:
                render("breaking", data)
                outcomes[name].append("rendered")
            except mailkit.LimitExceededError:
                outcomes[name].append("refused")

    threads = [threading.Thread(target=run, args=("small", small.render)),
               threading.Thread(target=run, args=("default", mailkit.render))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == {"small": ["refused"] * rounds, "default": ["rendered"] * rounds}


# ---------------------------------------------------------------- no renderer changes another's output


def make_renderer(name: str, folder: Path) -> tuple[mailkit.Renderer, str, Path]:
    """A renderer of each kind the isolation test mixes, with the template and fixture it renders."""
    if name == "themed":
        return mailkit.Renderer(theme="harbor-ledger", link_tagging={"campaign": "morning"},
                                limits={"max_body_bytes": 250_000}), "digest", DIGEST
    if name == "author":
        return mailkit.Renderer(template_dirs=folder, filters={"shout": str.upper}, globals={"motto": "stay safe"},
                                max_body_chars=1_500, limits={"max_template_steps": 5_000}), "breaking", SEED
    if name == "css-inline":
        return mailkit.Renderer(inliner="css-inline", theme="nbc-news"), "digest", DIGEST
    return renderer_for(None), "breaking", SEED  # "default": what mailkit.render() uses


def render_digest(name: str, folder: Path, made: tuple[mailkit.Renderer, str, Path] | None = None) -> str:
    renderer, template, fixture = made or make_renderer(name, folder)
    email = renderer.render(template, fixture)
    parts = [email.subject, email.preheader, email.mjml, email.html, email.text, *email.warnings]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _alone(name: str, folder: Path) -> str:
    code = ("import sys; sys.path.insert(0, 'tests'); import test_renderer as t; from pathlib import Path; "
            "print(t.render_digest(sys.argv[1], Path(sys.argv[2])))")
    out = subprocess.run([sys.executable, "-c", code, name, str(folder)], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=300)
    return out.stdout.strip()


def test_renderers_in_one_process_give_what_each_gives_alone(tmp_path: Path) -> None:
    # premailer's first use sets cssutils' preferences for the process, caches are per folders ...:
    # any state one renderer leaves behind would show as other bytes from the next
    (tmp_path / "breaking.mjml.j2").write_text(CUSTOM)  # "author" has its own breaking template
    names = ["themed", "author", "default"]
    try:
        import css_inline  # noqa: F401

        names.append("css-inline")
    except ImportError:
        pass
    alone = {name: _alone(name, tmp_path) for name in names}
    assert len(set(alone.values())) == len(names)
    made = {name: make_renderer(name, tmp_path) for name in names}
    for order in (names, names[::-1], names[1:] + names[:1]):
        for name in order:
            assert render_digest(name, tmp_path, made[name]) == alone[name], name
    # and a renderer made after the others have rendered
    assert render_digest("author", tmp_path) == alone["author"]


def test_the_readmes_renderer_example_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):]
    start = section.index("```python\n") + len("```python\n")
    code = section[start:section.index("\n```", start)]
    try:
        import css_inline  # noqa: F401
    except ImportError:  # mailkit[fast] is not installed here: the same example with premailer
        code = code.replace('inliner="css-inline"', 'inliner="premailer"')
    # its my_templates folder is the reader's own: an empty one here (a folder that is not
    # there is an OptionsError), beside the repository's fixtures
    (tmp_path / "my_templates").mkdir()
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    assert namespace["email"].subject == "Morning Briefing: China hits back over cyberspying charges"
    assert namespace["renderer"].globals == {"site_name": "Example News"}


def test_every_limit_is_read_through_the_limits_in_force() -> None:
    # the whole class: a module that read mailkit.LIMITS (an attribute, a default argument
    # fixed at import, a fallback) would ignore a renderer's limits; sanitize defines them
    # and current_limits() is the one way to read them
    import re

    allowed = ("from ._sanitize import",  # importing the name is not reading it
               "Limits | Mapping[str, Any] = LIMITS",  # Renderer's default argument: it puts it in force
               "replace(LIMITS, max_data_values",  # feeds' own fixed limits, derived from the defaults
               "`mailkit.LIMITS`")  # prose (the template reference page), not a read
    offenders = [f"{path.name}:{n}: {line.strip()}" for path in sorted((ROOT / "mailkit").glob("*.py"))
                 if path.name not in ("_sanitize.py", "__init__.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\bLIMITS\b", line) and not any(a in line for a in allowed)]
    assert offenders == []
