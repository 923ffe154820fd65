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
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("mailkit-*.whl"))
    env_dir = tmp_path / "venv"
    # system site packages give the venv the dependencies without a download;
    # mailkit itself comes only from the wheel (--no-deps, and run outside the checkout).
    venv.create(env_dir, with_pip=True, system_site_packages=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True)
    out = tmp_path / "out"
    script = (
        "import mailkit, pathlib; from mailkit.paths import FIXTURES_DIR, TEMPLATES_DIR; "
        "assert 'site-packages' in str(TEMPLATES_DIR), TEMPLATES_DIR; "
        "e = mailkit.render('breaking', FIXTURES_DIR / 'breaking-china-cyberspying.yaml'); "
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
    fixture = subprocess.run([str(python), "-c", "from mailkit.paths import FIXTURES_DIR; print(FIXTURES_DIR)"],
                             cwd=tmp_path, capture_output=True, text=True, check=False).stdout.strip()
    result = subprocess.run([str(cli), "render", "digest", f"{fixture}/digest-morning-briefing.yaml", "-o", str(out)],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (out / "digest--digest-morning-briefing.html").stat().st_size > 10_000


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
