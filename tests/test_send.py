"""Sending and files written: TLS before a login, a deadline for the whole exchange, --from, sets of files."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import FIXTURES, SEED

import mailkit
from mailkit import _cli as cli
from mailkit._cli import main
from mailkit._send import is_loopback, send

NO_SENDER = FIXTURES / "breaking-minimal-no-image.yaml"


def free_port() -> int:
    # aiosmtpd's Controller connects to its own port to check it started: it needs a real port, not 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Sink, int]]:
    sink = Sink()

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        sink.logins.append(auth_data.login.decode())
        return AuthResult(success=True)

    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


LOGIN = {"MAILKIT_SMTP_USER": "editor", "MAILKIT_SMTP_PASSWORD": "s3cret"}


def test_login_without_tls_is_refused_before_connecting(smtp_server) -> None:  # type: ignore[no-untyped-def]
    sink, port = smtp_server
    code, _, err = run("send", "breaking", str(SEED), "--to", "e@example.org", "--smtp", f"127.0.0.1:{port}",
                       env=LOGIN)
    assert code == 1 and "refusing to send the SMTP password" in err and "--starttls" in err, err
    assert sink.connections == 0 and sink.logins == [] and sink.received == []


def test_login_without_tls_to_loopback_with_the_flag(smtp_server) -> None:  # type: ignore[no-untyped-def]
    sink, port = smtp_server
    code, _, err = run("send", "breaking", str(SEED), "--to", "e@example.org", "--smtp", f"127.0.0.1:{port}",
                       "--insecure-login", env=LOGIN)
    assert code == 0, err
    assert sink.logins == ["editor"] and len(sink.received) == 1


@pytest.mark.parametrize("host", ["192.0.2.10", "mail.example.org", "127.0.0.1.example.org"])
def test_insecure_login_flag_is_for_loopback_only(host: str) -> None:
    email = mailkit.render("breaking", SEED)
    with pytest.raises(mailkit.SendError, match="refusing to send the SMTP password"):
        send(email, to="e@example.org", host=host, port=25, user="u", password="p", insecure_loopback_login=True)


def test_loopback_hosts() -> None:
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.8.9.1", "::1", "[::1]", "LOCALHOST."]))
    assert not any(map(is_loopback, ["10.0.0.1", "example.org", "0.0.0.0"]))


def test_half_a_login_is_an_error() -> None:
    with pytest.raises(mailkit.SendError, match="both a user and a password"):
        send(mailkit.render("breaking", SEED), to="e@example.org", host="127.0.0.1", user="u", starttls=True)


@pytest.fixture
def trickling_server() -> Iterator[int]:
    """A server on 127.0.0.1 that answers with a greeting one byte a second, for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                while not stop.is_set():
                    try:
                        conn.sendall(b"2")
                    except OSError:
                        break
                    stop.wait(1.0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_the_timeout_bounds_the_whole_exchange(trickling_server: int) -> None:
    started = time.monotonic()
    with pytest.raises(mailkit.SendError, match=r"no complete exchange within 2 s"):
        send(mailkit.render("breaking", SEED), to="e@example.org", host="127.0.0.1", port=trickling_server,
             timeout=2.0)
    assert time.monotonic() - started < 4


def test_from_gives_a_sender_to_a_fixture_without_one(smtp_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import email
    from email import policy

    code, _, err = run("render", "breaking", str(NO_SENDER), "--eml", "-o", str(tmp_path))
    assert code == 1 and "From: the newsletter has no sender" in err
    code, _, err = run("render", "breaking", str(NO_SENDER), "--eml", "--from", "desk@exämple.org",
                       "--from-name", "The Desk", "-o", str(tmp_path))
    assert code == 0, err
    msg = email.message_from_bytes((tmp_path / "breaking--breaking-minimal-no-image.eml").read_bytes(),
                                   policy=policy.default)
    assert msg["From"] == "The Desk <desk@xn--exmple-cua.org>"
    sink, port = smtp_server
    code, _, err = run("send", "breaking", str(NO_SENDER), "--to", "e@example.org", "--from", "desk@example.org",
                       "--smtp", f"127.0.0.1:{port}")
    assert code == 0, err
    assert sink.received[0][0] == "desk@example.org"
    code, _, err = run("render", "breaking", str(SEED), "--eml", "--from", "josé@example.org", "-o", str(tmp_path))
    assert code == 1 and err.startswith("mailkit: error: --from: address: ") and "SMTPUTF8" in err, err


# -- a set of files, replaced together ----------------------------------------------------


STEM = "breaking--breaking-china-cyberspying"


def old_set(out: Path) -> dict[str, bytes]:
    code, _, err = run("render", "breaking", str(SEED), "--eml", "-o", str(out))
    assert code == 0, err
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(files) == [f"{STEM}{s}" for s in (".eml", ".html", ".mjml", ".txt")]
    return files


def new_fixture(tmp_path: Path) -> Path:
    changed = tmp_path / "breaking-china-cyberspying.yaml"  # same stem, other content
    changed.write_text(SEED.read_text(encoding="utf-8").replace("China Summons", "Beijing Summons"), encoding="utf-8")
    return changed


def test_disk_full_mid_set_leaves_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    before = old_set(out)
    real = cli._write_temp
    calls = []

    def full(directory: Path, name: str, data: str | bytes) -> str:
        calls.append(name)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(directory, name, data)

    monkeypatch.setattr(cli, "_write_temp", full)
    code, _, err = run("render", "breaking", str(new_fixture(tmp_path)), "--eml", "-o", str(out))
    assert code == 1 and "No space left on device" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp file left either


def test_failure_mid_rename_puts_the_old_set_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    out = tmp_path / "out"
    before = old_set(out)
    real = os.replace
    calls = []

    def interrupted(src: str, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(cli.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli.write_outputs(mailkit.render("breaking", new_fixture(tmp_path)), out, STEM, eml="reader@example.com")
    monkeypatch.setattr(cli.os, "replace", real)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_set_without_eml_removes_the_old_eml(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old_set(out)
    code, _, err = run("render", "breaking", str(new_fixture(tmp_path)), "-o", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == [f"{STEM}{s}" for s in (".html", ".mjml", ".txt")]
    assert b"Beijing Summons" in (out / f"{STEM}.html").read_bytes()


def test_a_lone_cr_cannot_end_the_data_early(smtp_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # "<CR>.<CR><LF>" ends SMTP DATA on some servers (SMTP smuggling): what arrives must be what was sent
    import email
    from email import policy

    import yaml

    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["editor_note"] = "before\r.\r\nMAIL FROM:<x@evil.example>\r\nafter"
    fixture = tmp_path / "smuggle.yaml"
    fixture.write_text(yaml.safe_dump(data), encoding="utf-8")
    sink, port = smtp_server
    code, _, err = run("send", "digest", str(fixture), "--to", "e@example.org", "--smtp", f"127.0.0.1:{port}")
    assert code == 0, err
    (_, _, content), = sink.received
    assert b"\r.\r" not in content and b"\n.\r" not in content.replace(b"\r\n.\r\n", b"")
    text = email.message_from_bytes(content, policy=policy.default).get_body(("plain",)).get_content()
    assert "MAIL FROM:<x@evil.example>" in text  # body text, intact
