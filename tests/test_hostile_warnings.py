"""Hostile input against warnings as data: content that reads like a warning, and bad ``ignore`` options.

Each case is an input and its outcome: the checks judge a warning by its code,
never by words the content put into its message; an ``ignore`` that is not a
list of known codes is an OptionsError (a usage error on the command line) naming it.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED

import mailkit
from mailkit._checks import run_checks
from mailkit._cli import main

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _with_body(html: str) -> mailkit.RenderedEmail:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = html
    return mailkit.render("breaking", data)


def _check(email: mailkit.RenderedEmail, name: str) -> mailkit._checks.CheckResult:
    (found,) = [c for c in run_checks(email) if c.name == name]
    return found


def test_a_link_whose_url_says_preheader_does_not_fail_the_preheader_check() -> None:
    # "link is not https: http://.../preheader" once matched the preheader check's "preheader" in w
    email = _with_body('<p>Read <a href="http://example.com/preheader-tips">the guide</a>.</p>')
    assert [str(w) for w in email.warnings] == ["link is not https: http://example.com/preheader-tips"]
    assert _check(email, "preheader").ok
    assert not _check(email, "link schemes").ok


def test_a_dropped_url_still_fails_the_nothing_dropped_check() -> None:
    email = _with_body('<p><img src="javascript:alert(1)" alt="x"></p>')
    check = _check(email, "nothing dropped")
    assert not check.ok and "articles[0].body: dropped <img src='javascript:alert(1)'>" in check.detail


@pytest.mark.parametrize(("ignore", "message"), [
    ("not-a-code", "options.ignore: unknown warning code 'not-a-code'"),
    (("gmail-clip", "Gmail-Clip"), "options.ignore: unknown warning code 'Gmail-Clip'"),
    ((None,), "options.ignore: expected warning codes, not (None,)"),
    (42, "options.ignore: expected warning codes, not 42"),
    ({"gmail-clip": 1, 2: 3}, "options.ignore: expected warning codes, not {'gmail-clip': 1, 2: 3}"),
])
def test_a_bad_ignore_option_is_an_options_error(ignore: Any, message: str) -> None:
    with pytest.raises(mailkit.OptionsError) as caught:
        mailkit.render("breaking", SEED, {"strict": True, "ignore": ignore})
    assert str(caught.value).startswith(message)


def test_an_unknown_code_on_the_command_line_names_the_option() -> None:
    result = CliRunner().invoke(main, ["check", "--strict", "--ignore", "x" * 500, "breaking", str(SEED)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Invalid value for '--ignore': unknown warning code 'xxxx" in result.stderr
