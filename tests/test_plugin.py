"""The pytest plugin, the scaffold and the example project, run as a template author would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mailkit._cli import main

ROOT = Path(__file__).resolve().parent.parent


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)


def test_example_project_passes() -> None:
    result = pytest_in(ROOT / "examples" / "newsroom-templates")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_new_template_scaffold_to_snapshots_that_catch_changes(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new-template", "storm-watch", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    template = tmp_path / "templates" / "storm-watch.mjml.j2"
    assert template.is_file() and (tmp_path / "fixtures" / "storm-watch-example.yaml").is_file()

    first = pytest_in(tmp_path)
    assert first.returncode == 1 and "File not found in data directory, created" in first.stdout
    snapshots = tmp_path / "tests" / "test_storm_watch"
    assert sorted(p.suffix for p in snapshots.iterdir()) == [".html", ".mjml", ".txt", ".yml"]
    assert pytest_in(tmp_path).returncode == 0

    template.write_text(template.read_text().replace('_("Read the full story")', '"Keep reading"'))
    changed = pytest_in(tmp_path)
    assert changed.returncode == 1 and "Keep reading" in changed.stdout
    assert pytest_in(tmp_path, "--force-regen").returncode == 1
    assert pytest_in(tmp_path).returncode == 0


def test_scaffold_never_overwrites(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["new-template", "x", "--root", str(tmp_path)]).exit_code == 0
    again = CliRunner().invoke(main, ["new-template", "x", "--root", str(tmp_path)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    bad = CliRunner().invoke(main, ["new-template", "Bad Name", "--root", str(tmp_path)])
    assert bad.exit_code == 1
