"""The packaged templates' code ships compiled (mailkit._precompiled, mailkit/_compiled/).

It must be exactly the code compiling the template now would give, be used
only when it is, and change nothing a render does: not the output, not the
template and line an error names, not what ``names_used`` reports.

``python -m pytest tests/test_precompiled.py --force-regen`` writes the
generated files again after a packaged template changed (the first test
fails while they are stale).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import CodeType

import jinja2
import pytest

import mailkit
from mailkit import _precompiled
from mailkit._compose import Templates, precompiled_files
from mailkit._paths import FIXTURES_DIR, TEMPLATES_DIR

ROOT = Path(__file__).resolve().parent.parent
COMPILED = ROOT / "mailkit" / "_compiled"
PACKAGED = sorted(p.relative_to(TEMPLATES_DIR).as_posix() for p in TEMPLATES_DIR.rglob("*.mjml.j2"))


def test_the_shipped_code_is_what_jinja_generates_now(request: pytest.FixtureRequest) -> None:
    expected = precompiled_files()
    assert set(expected) == {"__init__.py", *(_precompiled.module_name(n) + ".py" for n in PACKAGED)}
    if request.config.getoption("force_regen", default=False):
        for stale in COMPILED.glob("*.py"):
            if stale.name not in expected:
                stale.unlink()
        COMPILED.mkdir(exist_ok=True)
        for name, text in expected.items():
            (COMPILED / name).write_text(text, encoding="utf-8")
    found = {p.name: p.read_text(encoding="utf-8") for p in COMPILED.glob("*.py")}
    stale = sorted(n for n in expected.keys() | found.keys() if expected.get(n) != found.get(n))
    assert not stale, (f"mailkit/_compiled/ is not what the packaged templates compile to now ({', '.join(stale)}): "
                       "run `python -m pytest tests/test_precompiled.py --force-regen` and commit it")


def _compiled_from_source(env: jinja2.Environment, name: str) -> tuple[CodeType, str, str]:
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return env.compile(source, name, filename), filename, source


@pytest.mark.parametrize("name", PACKAGED)
def test_the_shipped_code_is_the_code_compiling_gives(name: str) -> None:
    """Code objects compare equal field by field (bytecode, constants and nested
    functions, names, line table, file name): the template behaves the same,
    and its errors map to the same template lines."""
    env = Templates((TEMPLATES_DIR,)).environment()
    code, filename, source = _compiled_from_source(env, name)
    shipped = _precompiled.packaged_code(env, name, filename, source)
    assert shipped is not None
    assert shipped == code
    assert shipped.co_filename == filename and filename.endswith(".j2")


def test_templates_load_from_the_shipped_code_and_note_what_they_use(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or real(self, source, name, *a, **k))
    templates = Templates((TEMPLATES_DIR,))
    for template in ("breaking", "digest", "special-report"):
        assert templates.names_used(template)
    assert compiled == []
    # what the generator would have noted, without parsing anything again
    fresh = Templates((TEMPLATES_DIR,))
    monkeypatch.setattr(_precompiled, "_index", lambda: None)
    for template in ("breaking", "digest", "special-report"):
        assert fresh.names_used(template) == templates.names_used(template)
    assert sorted(set(compiled)) == PACKAGED


def test_a_render_from_shipped_code_is_byte_identical_to_one_compiled_from_source(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fixtures = {"breaking": "breaking-china-cyberspying.yaml", "digest": "digest-morning-briefing.yaml",
                "special-report": "special-report-election-night.yaml"}
    shipped = {t: mailkit.Renderer().render(t, FIXTURES_DIR / f) for t, f in fixtures.items()}
    monkeypatch.setattr(_precompiled, "_index", lambda: None)
    for template, email in shipped.items():
        again = mailkit.Renderer().render(template, FIXTURES_DIR / fixtures[template])
        assert (again.html, again.text, again.mjml, again.subject) == (email.html, email.text, email.mjml, email.subject)


def test_only_exactly_matching_code_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = Templates((TEMPLATES_DIR,)).environment()
    name = "breaking.mjml.j2"
    _code, filename, source = _compiled_from_source(env, name)
    assert _precompiled.packaged_code(env, name, filename, source) is not None
    # an edited template (one character)
    assert _precompiled.packaged_code(env, name, filename, source + " ") is None
    # the same text in a caller's folder: an override, compiled from its own file
    own = tmp_path / name
    shutil.copy(filename, own)
    assert _precompiled.packaged_code(env, name, str(own), source) is None
    # a template the index does not know
    assert _precompiled.packaged_code(env, "storm-watch.mjml.j2", str(TEMPLATES_DIR / "storm-watch.mjml.j2"),
                                      source) is None
    # an environment with other settings (the text templates' one escapes nothing)
    text_env = Templates((TEMPLATES_DIR,)).environment(text=True)
    assert _precompiled.packaged_code(text_env, name, filename, source) is None
    # another Jinja generated it
    monkeypatch.setattr(jinja2, "__version__", "3.2.0")
    assert _precompiled.packaged_code(env, name, filename, source) is None


def test_a_change_to_how_mailkit_generates_code_makes_the_shipped_code_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped code was generated by the sandbox's code generator as its source was then:
    edited since (a new check compiled into every print, say), the packaged templates compile
    from source until the code is generated again, rather than run without the check."""
    from mailkit import _sandbox, _stylesheet

    env = Templates((TEMPLATES_DIR,)).environment()
    name = "breaking.mjml.j2"
    _code, filename, source = _compiled_from_source(env, name)
    assert _precompiled.packaged_code(env, name, filename, source) is not None
    real = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = real(path)
        return data + b"\n# edited\n" if path.name == f"{module.__name__.rpartition('.')[2]}.py" else data

    for module in (_sandbox, _stylesheet):
        monkeypatch.setattr(Path, "read_bytes", edited)
        _precompiled._modules_digest.cache_clear()
        try:
            assert _precompiled.packaged_code(env, name, filename, source) is None, module
        finally:
            monkeypatch.undo()
            _precompiled._modules_digest.cache_clear()
    assert _precompiled.packaged_code(env, name, filename, source) is not None


def test_an_edited_packaged_template_compiles_from_its_text(tmp_path: Path) -> None:
    """A checkout whose template changed since the code was generated renders the
    change (the test above then fails until it is generated again)."""
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    base = folder / "layouts" / "base.mjml.j2"
    base.write_text(base.read_text(encoding="utf-8").replace("<mj-body", "<mj-body css-class=\"mk-edited\"", 1),
                    encoding="utf-8")
    probe = (
        "import sys, pathlib, mailkit, mailkit._paths as p, mailkit._precompiled as pc\n"
        f"p.TEMPLATES_DIR = pc.TEMPLATES_DIR = pathlib.Path({str(folder)!r})\n"
        "import mailkit._compose as c; c.TEMPLATES_DIR = p.TEMPLATES_DIR\n"
        "from mailkit._compose import Templates\n"
        "t = Templates((p.TEMPLATES_DIR,))\n"
        "env = t.environment()\n"
        "print(env.get_template('breaking.mjml.j2').filename)\n"
        "src = env.loader.get_source(env, 'layouts/base.mjml.j2')\n"
        "print(pc.packaged_code(env, 'layouts/base.mjml.j2', src[1], src[0]) is None)\n"
        "print(pc.packaged_code(env, 'breaking.mjml.j2', *env.loader.get_source(env, 'breaking.mjml.j2')[1::-1]) is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines() == [str(folder / "breaking.mjml.j2"), "True", "False"], out


def test_template_errors_name_the_same_template_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A runtime error inside shipped code names the template file and line it would compiled from source."""

    def failure() -> str:
        templates = Templates((TEMPLATES_DIR,))
        with pytest.raises(mailkit.MailkitError) as info:
            templates.compose("breaking", {"article": object(), "lang": "en"})
        return str(info.value)

    shipped = failure()
    monkeypatch.setattr(_precompiled, "_index", lambda: None)
    assert failure() == shipped
    assert ".mjml.j2" in shipped and "line" in shipped, shipped
