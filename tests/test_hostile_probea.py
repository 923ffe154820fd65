"""The hostile catalogue of an outside tester of the template API (Renderer, warnings, CSS in <mj-style>).

Each case is one input with its expected outcome: it renders safely, or it
fails with a named ``MailkitError`` whose message names the field or the
template and line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from mailkit.cli import main

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
    return [c for c in text if not (c.isprintable() or c == "\n")]


def test_a_feed_value_in_a_cli_warning_line_cannot_drive_the_terminal(tmp_path: Path) -> None:
    # the image URL is quoted in the "no description" warning before the URL gate sees it:
    # a C1 CSI (U+009B) there reached the operator's terminal as it was
    feed = _feed(tmp_path, "https://example.org/i.jpg?\x9b2J\x1b]0;owned\x07\u2066")
    result = CliRunner().invoke(main, ["render", "breaking", str(feed), "--newsletter",
                                       str(FIXTURES / "feeds" / "newsletter-arabic.yaml"), "-o", str(tmp_path / "out")])
    assert "has no description" in result.stderr, result.output
    assert _shown(result.stderr) == [], result.stderr
    assert "\\x9b" in result.stderr  # shown as an escape, not dropped: the operator sees what was there


def test_an_error_line_cannot_drive_the_terminal(tmp_path: Path) -> None:
    # every entry skipped: the error line follows the warnings, each quoting the entry's title
    feed = _feed(tmp_path, "https://example.org/i.jpg", title="\u2066\u202eevil")
    result = CliRunner().invoke(main, ["render", "breaking", str(feed), "--newsletter",
                                       str(FIXTURES / "feeds" / "newsletter-arabic.yaml"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "mailkit: error:" in result.stderr
    assert _shown(result.stderr) == [], result.stderr


@pytest.mark.parametrize("char", ["\u2066", "\u200f", "\ufeff"])
def test_check_json_escapes_what_a_terminal_would_act_on(tmp_path: Path, char: str) -> None:
    # a body's element and attribute names are quoted in its warnings; text fields refuse
    # control characters, but not the bidi isolates and marks a headline may need
    import yaml

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
