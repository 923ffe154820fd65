"""The mailkit command: render, templates, schema, errors as one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED

from mailkit._cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_render_writes_three_files_and_says_where(tmp_path: Path) -> None:
    code, out, _ = run("render", "breaking", str(SEED), "-o", str(tmp_path))
    assert code == 0
    for suffix in (".html", ".txt", ".mjml"):
        path = tmp_path / f"breaking--breaking-china-cyberspying{suffix}"
        assert path.is_file() and path.stat().st_size > 1000
        assert path.stat().st_mode & 0o044, "outputs are readable like any file"
        assert f"wrote {path}" in out
    assert "Subject:   China Summons Envoy" in out


def test_templates_lists_one_line_each() -> None:
    code, out, _ = run("templates")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(names) and {"breaking", "digest", "special-report"} <= set(names)


def test_help_everywhere() -> None:
    for args in ([], ["render"], ["templates"], ["schema"]):
        code, out, _ = run(*args, "--help")
        assert code == 0 and "Usage:" in out


def test_errors_are_one_line_and_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("newsletter: {}\narticles: []\n")
    for args in (["render", "nope", str(SEED)], ["render", "breaking", str(tmp_path / "missing.yaml")],
                 ["render", "breaking", str(bad), "-o", str(tmp_path / "out")]):
        code, out, err = run(*args)
        assert code == 1, args
        assert err.startswith("mailkit: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    # (the morning briefing now warns: its compact list leaves out a story's image)
    code, _, err = run("render", "digest", "fixtures/digest-single-story.yaml", "--strict", "-o", str(tmp_path))
    assert code == 0, err
    data = SEED.read_text().replace("subject", "subject") + "subject: " + "A very long subject line " * 5 + "\n"
    fixture = tmp_path / "long.yaml"
    fixture.write_text(data)
    code, _, err = run("render", "breaking", str(fixture), "--strict", "-o", str(tmp_path / "o"))
    assert code == 1 and "subject is" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args", [["templates"], ["schema"],
                                  ["render", "breaking", "fixtures/breaking-china-cyberspying.yaml", "-o", "{out}"]])
def test_a_reader_that_closes_the_output_ends_the_command_quietly(args: list[str], tmp_path: Path) -> None:
    """`mailkit templates | head -1`: the reader went away, which is no error to report.
    The command stops with 141 (a Unix tool killed by SIGPIPE) and writes nothing on stderr,
    not "mailkit: error: Broken pipe" (exit 1) nor Python's "Exception ignored" at exit;
    a render's files are all written first."""
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line: every write fails, no race
    try:
        done = subprocess.run([sys.executable, "-m", "mailkit", *(a.format(out=tmp_path) for a in args)],
                              stdout=write, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent, check=False)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
    if args[0] == "render":
        assert len(list(tmp_path.glob("breaking--*"))) == 3
