"""Hostile and broken inputs left open by earlier outside testers, each with its expected outcome.

Each case: a clear input, and either a safe result or a named MailkitError subclass
whose message names the field, option, template or file.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED

import mailkit
from mailkit._cli import main

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
# what a terminal acts on: C0/C1 controls, bidi embeddings/overrides/isolates, lone surrogates
_ACTED_ON = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def edition(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


# -- 1. control characters, bidi controls and lone surrogates in error messages ------------------

HOSTILE_NAMES = ["bad\x1b[31mred", "rtl\u202etxt.exe", "iso\u2066late", "lone\ud800sur", "c1\x9bcsi", "nl\nline"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_error_message_shows_what_a_terminal_acts_on_as_escapes(name: str, tmp_path: Path) -> None:
    calls = [
        lambda: mailkit.load_edition(f"/nonexistent/{name}.yaml"),
        lambda: mailkit.render(name, BASE),
        lambda: mailkit.Renderer(ignore=[name]),
        lambda: mailkit.load_edition({"newsletter": {"name": "x"}, name: 1}),
        lambda: mailkit.Renderer(link_tagging={name: "x"}),
    ]
    for call in calls:
        with pytest.raises(mailkit.MailkitError) as info:
            call()
        assert not _ACTED_ON.search(str(info.value)), str(info.value).encode("unicode_escape")


def test_every_mailkit_error_escapes_its_message_in_one_place() -> None:
    for kind in (mailkit.MailkitError, mailkit.OptionsError, mailkit.HeaderError, mailkit.InliningError,
                 mailkit.SendError, mailkit.TemplateNotFoundError):
        err = kind("file \x1b]0;owned\x07 \u202egnp.exe \ud800")
        assert not _ACTED_ON.search(str(err)), kind
        assert "\\x1b" in str(err) and "\\u202e" in str(err) and "\\ud800" in str(err)
    assert not _ACTED_ON.search(str(mailkit.TemplateError("bad", template="t\x1b[2J.mjml", line=3)))
    assert not _ACTED_ON.search(str(mailkit.InvalidFixtureError("f\x1b.yaml", [("a\u202e", "b\x07")])))


def test_the_cli_quotes_a_written_path_with_escapes(tmp_path: Path) -> None:
    out = tmp_path / "out\x1b[31m\u202e"
    result = CliRunner().invoke(main, ["render", "breaking", str(SEED), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    assert not _ACTED_ON.search(result.output.replace("\n", "")), result.output.encode("unicode_escape")


def test_a_yaml_fixture_whose_file_name_holds_esc_is_named_escaped_by_the_cli(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b[31mred.yaml"
    bad.write_text("foo: [", encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "breaking", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad\\x1b[31mred.yaml" in result.output
    assert "\x1b" not in result.output


# -- 2. an options error names its option path, however long the value -----------------------------

@pytest.mark.parametrize("tagging", [
    "x" * 100_000,
    {"x" * 100_000: "a"},
    {"source": "x" * 100_000},
    {"source": "a", "campaign": ["x"] * 100_000},
    {("k",) * 50_000: "a"},
], ids=["string", "key", "source", "campaign-list", "tuple-key"])
def test_a_huge_link_tagging_value_is_an_options_error_naming_the_option(tagging: Any) -> None:
    for make in (lambda: mailkit.Renderer(link_tagging=tagging),
                 lambda: mailkit.RenderOptions(link_tagging=tagging),
                 lambda: mailkit.render("breaking", BASE, options={"link_tagging": tagging})):
        with pytest.raises(mailkit.OptionsError) as info:
            make()
        message = str(info.value)
        assert "link_tagging" in message
        assert len(message) < 1_000, len(message)


def test_every_mailkit_error_message_is_bounded_and_keeps_its_start_and_end() -> None:
    err = mailkit.OptionsError("options.thing: " + "x" * 100_000 + " the end")
    assert len(str(err)) < 5_000
    assert str(err).startswith("options.thing: ") and str(err).endswith(" the end")


# -- 3. a template folder that does not exist ----------------------------------------------------

def test_a_template_folder_that_does_not_exist_is_an_options_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no\x1b[31mtemplates"
    for make in (lambda: mailkit.Renderer(template_dirs=[missing]),
                 lambda: mailkit.RenderOptions(template_dirs=[missing]),
                 lambda: mailkit.Renderer().with_options(template_dirs=[missing])):
        with pytest.raises(mailkit.OptionsError, match=r"template_dirs: .*no\\x1b\[31mtemplates.* no such folder"):
            make()


def test_a_template_folder_that_is_a_file_is_an_options_error(tmp_path: Path) -> None:
    a_file = tmp_path / "templates.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(mailkit.OptionsError, match=r"template_dirs: .*templates\.txt.* not a folder"):
        mailkit.Renderer(template_dirs=[a_file])


def test_a_template_folder_that_exists_is_taken(tmp_path: Path) -> None:
    assert mailkit.Renderer(template_dirs=[tmp_path]).render("breaking", BASE).subject
