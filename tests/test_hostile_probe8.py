"""The eighth outside tester's catalogue: the README read as a contract, and every
message held to what a receiving server and a reference tool expect of it.

Each case is an input and its expected outcome: a message fit for the standards
(RFC 5322, RFC 2045, RFC 2047, RFC 8058), or a named MailkitError. Same spirit as
tests/test_hostile_input.py, through the public API.
"""

from __future__ import annotations

import base64
import importlib.abc
import importlib.machinery
import itertools
import re
import subprocess
import sys
import types
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_hostile_input import BASE, expand

import mailkit

ROOT = Path(__file__).parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.yaml"))
DATE = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
READER = mailkit.Recipient(email="ana@example.org", first_name="Ana")


def body_lines(raw: bytes) -> list[bytes]:
    """The lines of every part body (after each part's header block), CRLF split."""
    lines = []
    for part in raw.split(b"\r\n--")[1:]:
        _, _, body = part.partition(b"\r\n\r\n")
        lines += [line for line in body.split(b"\r\n") if not line.startswith(b"--")]
    return lines


# --- RFC 2045 6.7 (5): a quoted-printable line is at most 76 characters, its soft break's "=" included

def pairs() -> list[tuple[str, Path, str]]:
    out = []
    for fixture in FIXTURES:
        for template in yaml.safe_load(fixture.read_text(encoding="utf-8"))["templates"]:
            out += [(template, fixture, theme) for theme in ("nbc-news", "harbor-ledger")]
    return out


@pytest.mark.parametrize(("template", "fixture", "theme"), pairs(),
                         ids=lambda v: v.stem if isinstance(v, Path) else str(v))
def test_every_body_line_is_at_most_76_octets(template: str, fixture: Path, theme: str) -> None:
    # breaking-wire-embeds in harbor-ledger had a 77-octet line: a piece of the HTML
    # between recipient slots ended on a full 76-character line, and the soft break
    # added to join the next piece made it 77
    prepared = mailkit.prepare(template, fixture, {"theme": theme})
    email = prepared.personalize(READER)
    sender = None if email.edition.newsletter.sender else {"name": "Alerts", "address": "alerts@example.org"}
    for raw in (mailkit.message_bytes(email, sender=sender, date=DATE),
                email.to_message(sender=sender, date=DATE).as_bytes(),
                mailkit.BulkMessages(prepared, sender=sender).message(READER, date=DATE)):
        long = [line for line in body_lines(raw) if len(line) > 76]
        assert not long, long[:1]


def test_html_pieces_ending_on_a_full_line_stay_within_76() -> None:
    # the same through the public API, at every length around the limit: a story link
    # (a slot: a reader's link_params are added to it) ends its QP line at every column
    for width in range(0, 80):
        data = expand(BASE)
        data["articles"][0]["url"] = "https://www.nbcnews.com/news/" + "x" * width
        prepared = mailkit.prepare("breaking", data)
        raw = mailkit.BulkMessages(prepared).message(READER, date=DATE)
        assert max(map(len, body_lines(raw))) <= 76, width
        assert raw == mailkit.message_bytes(prepared.personalize(READER), date=DATE, message_id=_message_id(raw))


def _message_id(raw: bytes) -> str:
    line = next(line for line in raw.split(b"\r\n") if line.startswith(b"Message-ID: "))
    return line.split(b": ", 1)[1].decode()


# --- the sender given as the README's users write it -------------------------------------

def test_sender_as_an_address_string() -> None:
    # to= takes an address string; sender= took only a Sender and crashed with an
    # AttributeError ('str' object has no attribute 'address') on a string
    email = mailkit.render("breaking", BASE)
    for raw in (email.to_message(to="ana@example.org", sender="alerts@example.org").as_bytes(),
                mailkit.message_bytes(email, to="ana@example.org", sender="alerts@example.org")):
        assert b"\r\nFrom: " in raw and b"<alerts@example.org>" in raw


def test_sender_as_a_dict() -> None:
    email = mailkit.render("breaking", BASE)
    raw = email.to_message(to="ana@example.org", sender={"name": "Alerts", "address": "alerts@example.org"}).as_bytes()
    assert b"From: Alerts <alerts@example.org>" in raw


@pytest.mark.parametrize("sender", [42, "not an address", {"name": "x"}, ["alerts@example.org"]])
def test_a_bad_sender_is_a_header_error(sender: object) -> None:
    email = mailkit.render("breaking", BASE)
    with pytest.raises(mailkit.HeaderError, match="sender"):
        email.to_message(to="ana@example.org", sender=sender)  # type: ignore[arg-type]
    with pytest.raises(mailkit.HeaderError, match="sender"):
        mailkit.message_bytes(email, to="ana@example.org", sender=sender)


@pytest.mark.parametrize("to", [42, ["ana@example.org"], {"email": "ana@example.org"}])
def test_a_bad_to_is_a_header_error(to: object) -> None:
    # a wrong type was ignored: the message went to the email's own recipient, or failed
    # with "To: no recipient address"
    email = mailkit.render("breaking", BASE, recipient={"email": "bo@example.org"})
    with pytest.raises(mailkit.HeaderError, match="to"):
        email.to_message(to=to)  # type: ignore[arg-type]


def test_message_bytes_refuses_an_unknown_argument() -> None:
    # README: message_bytes(email) gives the same bytes as to_message().as_bytes();
    # to_message(sendr=...) is a TypeError, message_bytes(sendr=...) ignored it silently
    email = mailkit.render("breaking", BASE)
    with pytest.raises(TypeError):
        mailkit.message_bytes(email, to="ana@example.org", sendr="alerts@example.org")  # type: ignore[call-arg]


@pytest.mark.parametrize(("argument", "value"), [("date", "2026-11-28"), ("date", DATE.date()),
                                                 ("message_id", 5), ("message_id_domain", b"example.org")])
def test_a_message_argument_of_the_wrong_type_is_a_header_error(argument: str, value: object) -> None:
    # these crashed deep inside with AttributeError ('str' object has no attribute
    # 'timetuple') or TypeError (expected string or bytes-like object)
    email = mailkit.render("breaking", BASE)
    with pytest.raises(mailkit.HeaderError, match=argument):
        email.to_message(to="ana@example.org", **{argument: value})
    with pytest.raises(mailkit.HeaderError, match=argument):
        mailkit.message_bytes(email, to="ana@example.org", **{argument: value})
    with pytest.raises(mailkit.HeaderError, match=argument):
        prepared = mailkit.prepare("breaking", BASE)
        if argument == "message_id_domain":
            mailkit.BulkMessages(prepared, message_id_domain=value).message(READER)  # type: ignore[arg-type]
        else:
            mailkit.BulkMessages(prepared).message(READER, **{argument: value})


# --- the packaged templates' shipped code under an import hook -----------------------------

class _HookLoader(importlib.abc.Loader):
    """What an import hook's loader offers (pytest's AssertionRewritingHook, for one):
    create_module and exec_module, no get_code."""

    def __init__(self, wrapped: importlib.abc.Loader) -> None:
        self.wrapped = wrapped

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        self.wrapped.exec_module(module)


class _Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not name.startswith("mailkit._compiled."):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _HookLoader(spec.loader)
                return spec
        return None


def test_packaged_templates_render_under_an_import_hook() -> None:
    # pytest marks every module of a plugin's distribution for assertion rewriting: with
    # mailkit installed from its wheel, mailkit._compiled's loader is pytest's
    # AssertionRewritingHook, which has no get_code, and every packaged template failed
    # in a user's tests (`mailkit new-template`, then `python -m pytest`):
    # "TemplateError: storm-watch.mjml.j2, line 5: AttributeError: 'AssertionRewritingHook'
    # object has no attribute 'get_code'"
    hook = _Hook()
    sys.meta_path.insert(0, hook)
    try:
        renderer = mailkit.Renderer(globals={"probe8_fresh_environment": 1})
        email = renderer.render("breaking", BASE)
    finally:
        sys.meta_path.remove(hook)
    assert "China Summons Envoy" in email.subject


# --- RFC 2047 encoded words: whole characters, and whole grapheme clusters -----------------

def _encoded_texts(raw: bytes, header: str) -> list[str]:
    head = raw.split(b"\r\n\r\n")[0].decode("ascii").replace("\r\n ", " ")
    line = next(line for line in head.split("\r\n") if line.startswith(f"{header}: "))
    words = re.findall(r"=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=", line)
    assert all(len(f"=?utf-8?b?{w}?=") <= 75 for w in words)
    return [base64.b64decode(w).decode("utf-8") for w in words]  # each whole characters: decodes alone


def _splits_a_cluster(before: str, after: str) -> bool:
    first = after[0]
    return (unicodedata.category(first) in ("Mn", "Mc", "Me") or first == "\u200d" or before[-1] == "\u200d"
            or "\ufe00" <= first <= "\ufe0f" or "\U0001f3fb" <= first <= "\U0001f3ff"
            or ((len(before) - len(before.rstrip("".join(map(chr, range(0x1F1E6, 0x1F200)))))) % 2 == 1
            and "\U0001f1e6" <= first <= "\U0001f1ff"))


@pytest.mark.parametrize("text", [
    "👨‍👩‍👧‍👦" * 12,                                   # ZWJ family sequences, 25 bytes each
    "🇺🇦🇯🇵🇧🇷" * 8,                                    # flags: pairs of regional indicators
    "👋🏽 " * 20,                                       # skin tones
    "क्षत्रिय " * 12,                                  # Devanagari conjuncts and vowel signs
    "Tiếng Việt " * 10,                                # decomposed Vietnamese
])
def test_encoded_words_never_split_a_grapheme_cluster(text: str) -> None:
    # a reader that shows adjacent encoded words apart (Python 3.11's address parser,
    # CPython gh-128110, and mail clients that do not join them) would show half an emoji
    # or a bare combining mark; mailkit cut its words at code points
    data = expand(BASE)
    data["articles"][0]["headline"] = unicodedata.normalize("NFD", text.strip())[:200]
    data["newsletter"]["sender"]["name"] = text.strip()[:120]
    raw = mailkit.message_bytes(mailkit.render("breaking", data), to="ana@example.org", date=DATE)
    for header in ("Subject", "From"):
        words = _encoded_texts(raw, header)
        assert len(words) > 1
        for before, after in itertools.pairwise(words):
            assert not _splits_a_cluster(before, after), (header, before[-3:], after[:3])


def test_a_cluster_longer_than_an_encoded_word_is_cut_between_characters() -> None:
    # Zalgo text: one letter under 60 combining marks is 121 octets, more than a word holds
    data = expand(BASE)
    data["articles"][0]["headline"] = "Storm " + "a" + "\u0301" * 60 + " warning"
    email = mailkit.render("breaking", data)
    raw = mailkit.message_bytes(email, to="ana@example.org", date=DATE)
    assert "".join(_encoded_texts(raw, "Subject")) == email.subject


def test_render_eml_without_a_sender_says_how_to_give_one(tmp_path: Path) -> None:
    # the WordPress fixture has no sender: `render --eml` failed naming the fixture field
    # only, not the --from the command line takes
    result = subprocess.run([sys.executable, "-m", "mailkit", "render", "breaking",
                             str(ROOT / "fixtures" / "breaking-wordpress-gutenberg.yaml"), "-o", str(tmp_path), "--eml"],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 1
    assert "mailkit: error: From: the newsletter has no sender" in result.stderr and "--from ADDR" in result.stderr


@pytest.mark.parametrize("command", ["send", "deliver"])
@pytest.mark.parametrize("smtp", ["nohostport", "127.0.0.1:99999", ":25"])
def test_a_bad_smtp_is_a_usage_error_for_every_command(command: str, smtp: str, tmp_path: Path) -> None:
    # README (Command line): a bad --smtp is a usage error: click's usage line and exit 2.
    # send did that; deliver printed "mailkit: error: ..." and exited 1
    from click.testing import CliRunner

    from mailkit._cli import main

    recipients = tmp_path / "r.csv"
    recipients.write_text("email\nreader@example.com\n", encoding="utf-8")
    who = ["--to", "reader@example.com"] if command == "send" else ["--recipients", str(recipients)]
    result = CliRunner().invoke(main, [command, "breaking", str(ROOT / "fixtures" / "breaking-china-cyberspying.yaml"),
                                       *who, "--smtp", smtp], prog_name="mailkit")
    assert result.exit_code == 2, result.output
    assert "Usage: mailkit" in result.output and "'--smtp'" in result.output and "HOST:PORT" in result.output
