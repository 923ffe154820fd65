"""Hostile and broken input at mailkit's front doors, each with its expected outcome.

The same spirit as tests/test_hostile_input.py, for what reaches mailkit
before a fixture does: models built directly, render options, the command
line and the preview server. Every case either works safely or fails with a
named MailkitError subclass whose message names the field, option or request.
"""

from __future__ import annotations

import copy
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED

import mailkit
from mailkit.cli import main

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))
ARTICLE = copy.deepcopy(BASE["articles"][0])


# --- models built directly --------------------------------------------------------


@dataclass
class Build:
    id: str
    build: Callable[[], object]
    error: type[mailkit.MailkitError]
    message: str  # regex the message must match: the model and the field path


def _edition(change: Callable[[dict[str, Any]], None] = lambda d: None) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    # a fixture may name its theme; a model is given the brand itself
    data["newsletter"]["brand"] = mailkit.load_theme(data["newsletter"]["brand"]).model_dump()
    change(data)
    return data


BUILDS = [
    Build("article-missing-fields", lambda: mailkit.Article(headline="Only a headline"),
          mailkit.InvalidFixtureError, r"^Article: 2 errors: url: required field missing; published_at: required"),
    Build("article-bidi-override", lambda: mailkit.Article(**{**ARTICLE, "headline": "Evil\u202eheadline"}),
          mailkit.UnsafeInputError, r"^Article: headline: bidi override U\+202E at position 4"),
    Build("article-javascript-url", lambda: mailkit.Article(**{**ARTICLE, "url": "javascript:alert(1)"}),
          mailkit.UnsafeInputError, r"^Article: url: "),
    Build("article-unknown-field", lambda: mailkit.Article(**{**ARTICLE, "headlin": "x"}),
          mailkit.InvalidFixtureError, r"^Article: headlin: unknown field \(a typo\?\)"),
    Build("recipient-bad-address", lambda: mailkit.Recipient(email="not an address"),
          mailkit.InvalidFixtureError, r"^Recipient: email: "),
    Build("recipient-escape-sequence", lambda: mailkit.Recipient(email="a@example.org", first_name="A\x1b[31mB"),
          mailkit.UnsafeInputError, r"^Recipient: first_name: "),
    Build("recipient-json", lambda: mailkit.Recipient.model_validate_json('{"email": 42}'),
          mailkit.InvalidFixtureError, r"^Recipient: email: "),
    Build("recipient-strings", lambda: mailkit.Recipient.model_validate_strings({"email": "x"}),
          mailkit.InvalidFixtureError, r"^Recipient: email: "),
    # nested errors keep their full paths (pydantic-core still validates the nested models)
    Build("edition-nested-path",
          lambda: mailkit.Edition.model_validate(_edition(lambda d: d["articles"][0]["image"].update(src="ftp://x/y.jpg"))),
          mailkit.UnsafeInputError, r"^Edition: articles\[0\]\.image\.src: "),
    Build("edition-many-paths",
          lambda: mailkit.Edition.model_validate(_edition(lambda d: (d["articles"][0].pop("url"),
                                                                      d["newsletter"]["footer"].pop("postal_address")))),
          mailkit.InvalidFixtureError, r"newsletter\.footer\.postal_address: required field missing.*"
                                       r"articles\[0\]\.url: required field missing"),
    Build("edition-not-a-mapping", lambda: mailkit.Edition.model_validate(["not", "a", "mapping"]),
          mailkit.InvalidFixtureError, r"^Edition: "),
    Build("assignment-to-frozen", lambda: setattr(mailkit.Recipient(email="a@example.org"), "email", "b@example.org"),
          mailkit.InvalidFixtureError, r"^Recipient: email: models are frozen"),
]


@pytest.mark.parametrize("case", BUILDS, ids=lambda c: c.id)
def test_models_built_directly_raise_mailkit_errors(case: Build) -> None:
    with pytest.raises(case.error, match=case.message) as info:
        case.build()
    err = info.value
    assert isinstance(err, ValueError), "callers catching ValueError (as for pydantic's error) still catch it"
    assert err.errors and all(isinstance(p, str) and isinstance(m, str) for p, m in err.errors)
    # pydantic's own error is kept as the cause
    import pydantic

    assert isinstance(err.__cause__, pydantic.ValidationError)


def test_valid_models_still_build_copy_and_pickle() -> None:
    article = mailkit.Article(**ARTICLE)
    assert article.headline.startswith("China Summons")
    assert pickle.loads(pickle.dumps(article)) == article
    assert article.model_copy(update={"headline": "Changed"}).headline == "Changed"
    edition = mailkit.Edition.model_validate(_edition())
    assert mailkit.render("breaking", edition).subject == mailkit.render("breaking", BASE).subject


# --- render options ----------------------------------------------------------------


OPTIONS = [
    ({"thme": "harbor-ledger"}, r"^options\.thme: unknown option \(options: template_dirs, theme, strict"),
    ({"theme": "nbc-newz"}, r"^options\.theme: no theme named 'nbc-newz' \(themes: harbor-ledger, nbc-news"),
    ({"theme": "../../etc/passwd"}, r"^options\.theme: no theme named"),
    ({"theme": 3}, r"^options\.theme: expected a theme name or file, not int"),
    ({"strict": "yes"}, r"^options\.strict: expected True or False"),
    ({"template_dirs": 3}, r"^options\.template_dirs: expected folder paths"),
    ({"text": {"widht": 60}}, r"^options\.text\.widht: unknown option \(options: width"),
    ({"link_tagging": {"campain": "x"}}, r"^options\.link_tagging\.campain: unknown option"),
    ({"inline": "no"}, r"^options\.inline: expected InlineOptions or a mapping, not str"),
    ("strict", r"^options: expected RenderOptions or a mapping, not str"),
]


@pytest.mark.parametrize(("options", "message"), OPTIONS, ids=[str(o) for o, _ in OPTIONS])
def test_bad_options_name_the_option(options: Any, message: str) -> None:
    with pytest.raises(mailkit.OptionsError, match=message):
        mailkit.render("breaking", SEED, options)


def test_options_as_a_mapping_equal_render_options() -> None:
    mapping = mailkit.render("breaking", SEED, {"theme": "harbor-ledger", "link_tagging": {"campaign": "c"}})
    typed = mailkit.render("breaking", SEED, mailkit.RenderOptions(
        theme="harbor-ledger", link_tagging=mailkit.LinkTagging(campaign="c")))
    assert mapping.html == typed.html
    # one folder given as a string is one folder, not a folder per letter
    assert mailkit.RenderOptions(template_dirs="templates").template_dirs == ("templates",)


def test_recipient_as_a_mapping() -> None:
    email = mailkit.render("breaking", SEED, recipient={"email": "ana@example.org", "first_name": "Ana"})
    assert email.html == mailkit.render("breaking", SEED, recipient=mailkit.Recipient(
        email="ana@example.org", first_name="Ana")).html
    with pytest.raises(mailkit.InvalidFixtureError, match=r"^recipient: email: "):
        mailkit.render("breaking", SEED, recipient={"email": "nope"})
    with pytest.raises(mailkit.OptionsError, match=r"^recipient: expected a Recipient"):
        mailkit.render("breaking", SEED, recipient="ana@example.org")  # type: ignore[arg-type]


# --- the command line ----------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


USAGE = [
    (["render", "breaking", str(SEED), "--theme", "nbc-newz"], r"Invalid value for '--theme': no theme named 'nbc-newz'"),
    (["render", "breaking"], r"Missing argument 'FIXTURE'"),
    (["render", "breaking", str(SEED), "--bogus"], r"No such option '--bogus'"),
    (["preview", "--port", "70000"], r"Invalid value for '--port'"),
    (["preview", "--theme", "nope"], r"Invalid value for '--theme'"),
    (["send", "breaking", str(SEED), "--to", "a@example.org", "--smtp", "nohost"], r"Invalid value for '--smtp'"),
    (["send", "breaking", str(SEED), "--to", "a@example.org", "--smtp", "h:99999"], r"Invalid value for '--smtp'"),
    (["check"], r"give TEMPLATE and FIXTURE, or --all"),
    (["check", "breaking", str(SEED), "--all"], r"give TEMPLATE and FIXTURE, or --all, not both"),
    (["templates", "--templates", "/no/such/folder"], r"Invalid value for '--templates'"),
    (["frobnicate"], r"No such command 'frobnicate'"),
]


@pytest.mark.parametrize(("args", "message"), USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_errors_exit_2_with_the_usage_line(args: list[str], message: str, tmp_path: Path) -> None:
    code, _, err = cli(*args, *(["-o", str(tmp_path)] if args[0] == "render" and len(args) > 2 else []))
    assert code == 2, err
    assert err.startswith("Usage: ") and "Try '" in err and re.search(r"Error: " + message, err), err
    assert "Traceback" not in err


FAILURES = [
    (["render", "nope", str(SEED)], r"no template named 'nope'"),
    (["render", "breaking", "missing.yaml"], r"missing\.yaml: cannot read"),
    (["check", "breaking", "missing.yaml"], r"missing\.yaml: cannot read"),
]


@pytest.mark.parametrize(("args", "message"), FAILURES, ids=[" ".join(a) for a, _ in FAILURES])
def test_other_errors_are_one_line_exit_1(args: list[str], message: str, tmp_path: Path) -> None:
    code, _, err = cli(*args, *(["-o", str(tmp_path)] if args[0] == "render" else []))
    assert code == 1, err
    assert err.startswith("mailkit: error: ") and err.count("\n") == 1 and re.search(message, err), err


def test_help_for_every_command() -> None:
    commands = sorted(main.commands)  # type: ignore[attr-defined]
    assert {"render", "templates", "check", "preview", "new-template", "send", "schema"} <= set(commands)
    for args in ([], *([c] for c in commands)):
        for flag in ("--help", "-h"):
            code, out, _ = cli(*args, flag)
            assert code == 0 and out.startswith("Usage: "), (args, out)
