"""The wheel ships the templates and fixtures and renders outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

import mailkit

ROOT = Path(__file__).resolve().parent.parent


def test_public_names_are_complete_and_sorted() -> None:
    import types

    public = {n for n, v in vars(mailkit).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public - {"annotations"} <= set(mailkit.__all__)
    assert mailkit.__all__ == sorted(mailkit.__all__)
    assert all(hasattr(mailkit, n) for n in mailkit.__all__)
    assert (ROOT / "mailkit" / "py.typed").exists()


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_renders(tmp_path: Path) -> None:
    # the build backend comes from [test] (hatchling), not from a download
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    wheel = next(dist.glob("mailkit-*.whl"))
    env_dir = tmp_path / "venv"
    # no system site packages: from inside a venv they would be the base
    # Python's, not this one's. The wheel's own metadata must bring every
    # dependency (from PyPI, at the versions the snapshots were made with),
    # and the [pytest] extra the plugin's snapshot fixtures.
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                              "-c", str(ROOT / "constraints.txt"), f"{wheel}[pytest]"],
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stdout + install.stderr
    out = tmp_path / "out"
    script = (
        "import mailkit, pathlib, jinja2; from mailkit._paths import FIXTURES_DIR, TEMPLATES_DIR; "
        "assert 'site-packages' in str(TEMPLATES_DIR), TEMPLATES_DIR; "
        # the packaged templates' code ships compiled (mailkit._precompiled): none is compiled here
        "compiled = []; real = jinja2.Environment.compile; "
        "jinja2.Environment.compile = lambda self, source, name=None, *a, **k: compiled.append(name) or real(self, source, name, *a, **k); "
        "e = mailkit.render('breaking', FIXTURES_DIR / 'breaking-china-cyberspying.yaml'); "
        "assert compiled == [], compiled; "
        "print(e.subject); "
        # the compiled catalogs ship too: a French edition has French labels
        "e = mailkit.render('breaking', {**__import__('yaml').safe_load((FIXTURES_DIR / "
        "'breaking-china-cyberspying.yaml').read_text()), 'language': 'fr'}); "
        "assert 'ALERTE INFO' in e.text and not e.warnings, e.warnings"
    )
    result = subprocess.run([str(python), "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "China Summons Envoy" in result.stdout
    cli = env_dir / "bin" / "mailkit"
    fixture = subprocess.run([str(python), "-c", "from mailkit._paths import FIXTURES_DIR; print(FIXTURES_DIR)"],
                             cwd=tmp_path, capture_output=True, text=True, check=False).stdout.strip()
    result = subprocess.run([str(cli), "render", "digest", f"{fixture}/digest-morning-briefing.yaml", "-o", str(out)],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (out / "digest--digest-morning-briefing.html").stat().st_size > 10_000
    # mailkit[pytest] is enough for the plugin: its fixtures resolve, pytest-regressions' included
    # and a packaged template renders under pytest: pytest rewrites every module of a plugin's
    # distribution, so mailkit._compiled's loader is its AssertionRewritingHook (no get_code)
    (tmp_path / "test_it.py").write_text(
        "import mailkit\nfrom mailkit._paths import FIXTURES_DIR\n\n"
        "def test_it(mailkit_snapshot, file_regression):\n"
        "    assert mailkit.render('breaking', FIXTURES_DIR / 'breaking-china-cyberspying.yaml').subject\n")
    plugin = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_it.py"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert plugin.returncode == 0, plugin.stdout + plugin.stderr


def test_extras_and_constraints() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    # the plugin's snapshot fixtures need pytest-regressions: mailkit[pytest] brings it
    assert any(r.startswith("pytest-regressions") for r in extras["pytest"])
    assert set(extras["pytest"]) <= set(extras["test"])
    # --no-isolation builds need the backend in the test environment
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    assert all(any(r.split(">")[0] == b.split(">")[0] for r in extras["test"]) for b in backend)
    pins = [line.split("==")[0] for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert "hatchling" in pins


@pytest.mark.slow
def test_the_package_type_checks() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "mailkit"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_code_is_lint_clean() -> None:
    # the rules are in pyproject.toml; ruff is pinned in constraints.txt, as a
    # new ruff version brings new rules
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "mailkit", "tests", "bench", "examples"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
