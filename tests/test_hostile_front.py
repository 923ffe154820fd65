"""Hostile and broken input at mailkit's front doors, each with its expected outcome.

The same spirit as tests/test_hostile_input.py, for what reaches mailkit
before a fixture does: models built directly, render options, the command
line and the preview server. Every case either works safely or fails with a
named MailkitError subclass whose message names the field, option or request.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import pickle
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import SEED

import mailkit
from mailkit._cli import main

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
    Build("article-lone-surrogate",
          lambda: mailkit.Article(**{**ARTICLE, "headline": "ab\ud800"}),
          mailkit.UnsafeInputError, r"^Article: headline: lone surrogate U\+D800 at position 2"),
    Build("recipient-bad-link-param-key",
          lambda: mailkit.Recipient(email="a@example.org", link_params={"bad key!": "x"}),
          mailkit.InvalidFixtureError, r"^Recipient: link_params\.bad key! \(key\): "),
    Build("recipient-invalid-json", lambda: mailkit.Recipient.model_validate_json("{not json"),
          mailkit.InvalidFixtureError, r"^Recipient: Invalid JSON"),
    Build("delete-from-frozen", lambda: mailkit.Recipient(email="a@example.org").__delattr__("email"),
          mailkit.InvalidFixtureError, r"^Recipient: email: models are frozen"),
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
    (["new-template", "x", "--root", "/proc/no-such-folder"], r"/proc/no-such-folder.*: No such file or directory"),
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


# --- the preview server ---------------------------------------------------------------
# started in-process on a free port; requests written by hand on raw sockets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SECRET = "TOP-SECRET-OUTSIDE-THE-FOLDER"


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "seed.yaml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    # a broken fixture beside it, and a symlink to a fixture outside the folder
    (fixtures / "broken.yaml").write_text(SEED.read_text(encoding="utf-8").replace(
        "headline:", "headlin:", 1), encoding="utf-8")
    outside = tmp_path / "secret.yaml"
    outside.write_text(SEED.read_text(encoding="utf-8").replace("China Summons Envoy", SECRET), encoding="utf-8")
    (fixtures / "linked.yaml").symlink_to(outside)
    from mailkit._preview import PreviewServer, serve

    httpd = serve(PreviewServer((), [fixtures]), port=free_port(), max_connections=4, header_timeout=1.0)
    try:
        yield httpd.server_address[1], tmp_path
    finally:
        httpd.shutdown()
        httpd.server_close()


def exchange(port: int, request: bytes, timeout: float = 10) -> bytes:
    """Send ``request`` and read the whole response (the server closes after one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def get(port: int, target: str, host: str | None = "", method: str = "GET", extra: str = "") -> tuple[int, str, str]:
    host_line = "" if host is None else f"Host: {host or f'127.0.0.1:{port}'}\r\n"
    raw = exchange(port, f"{method} {target} HTTP/1.1\r\n{host_line}{extra}Connection: close\r\n\r\n".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body.decode("utf-8", "replace")


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1:1", "localhost",
                                  "127.0.0.1:{port}.evil.example", "127.0.0.2:{port}", "0.0.0.0:{port}", None])
def test_preview_refuses_foreign_hosts(preview: tuple[int, Path], host: str | None) -> None:
    # DNS rebinding: evil.example resolves to 127.0.0.1, the browser still sends its own name
    port, _ = preview
    for target in ("/", "/api/pairs", "/raw/breaking/seed.yaml.html", "/version"):
        status, _, body = get(port, target, None if host is None else host.format(port=port))
        assert status == 403, (host, target)
        assert "China Summons" not in body and "seed.yaml" not in body


def test_preview_refuses_two_host_headers(preview: tuple[int, Path]) -> None:
    port, _ = preview
    status, _, _ = get(port, "/", extra="Host: evil.example\r\n")
    assert status == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "[::1]:{port}"])
def test_preview_answers_loopback_names(preview: tuple[int, Path], host: str) -> None:
    port, _ = preview
    status, _, body = get(port, "/", host.format(port=port))
    assert status == 200 and "seed.yaml" in body


@pytest.mark.parametrize("target", ["http://evil.example:{port}/", "http://127.0.0.1:{port}/", "//evil.example/",
                                    "*", "evil"])
def test_preview_refuses_other_request_targets(preview: tuple[int, Path], target: str) -> None:
    port, _ = preview
    status, _, body = get(port, target.format(port=port))
    # http.server itself turns a leading "//" into "/" (CPython gh-87389): not found, then
    assert status == (404 if target.startswith("//") else 400) and "seed.yaml" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"])
def test_preview_refuses_methods_but_get_and_head(preview: tuple[int, Path], method: str) -> None:
    port, _ = preview
    status, head, _ = get(port, "/", method=method, extra="Content-Length: 5\r\n")
    assert status == 405 and "Allow: GET, HEAD" in head


def test_preview_head_has_headers_and_no_body(preview: tuple[int, Path]) -> None:
    port, _ = preview
    status, head, body = get(port, "/", method="HEAD")
    assert status == 200 and "Content-Length: " in head and body == ""


@pytest.mark.parametrize("target", [
    "/render/breaking/..%2fsecret.yaml", "/raw/breaking/..%2fsecret.yaml.html", "/raw/breaking/%2e%2e%2fsecret.yaml",
    "/render/breaking/..%252fsecret.yaml", "/raw/breaking/..%5csecret.yaml", "/render/..%2f..%2fbreaking/seed.yaml",
    "/raw/breaking/linked.yaml", "/render/breaking/linked.yaml", "/raw/breaking/%2ftmp%2fsecret.yaml",
    "/raw/..%2fbreaking/seed.yaml", "/raw/breaking/seed.yaml%00.html", "/render/../secret.yaml",
])
def test_preview_reaches_no_file_outside_its_folders(preview: tuple[int, Path], target: str) -> None:
    port, _ = preview
    status, _, body = get(port, target)
    assert status == 404, target
    assert SECRET not in body


def test_preview_lists_a_broken_fixture_with_its_error_and_hides_symlinks_out(preview: tuple[int, Path]) -> None:
    port, _ = preview
    status, _, body = get(port, "/")
    assert status == 200
    assert "/render/breaking/seed.yaml" in body, "one broken fixture does not empty the index"
    assert "broken.yaml" in body and "headlin: unknown field" in body
    assert "linked.yaml" not in body and SECRET not in body
    status, _, data = get(port, "/api/pairs")
    listing = json.loads(data)
    assert ["breaking", "seed.yaml"] in listing["pairs"]
    assert any("broken.yaml" in e and "headlin" in e for e in listing["errors"])
    assert all("linked" not in f for _, f in listing["pairs"])


def test_preview_security_headers(preview: tuple[int, Path]) -> None:
    port, _ = preview
    for target in ("/", "/render/breaking/seed.yaml", "/raw/breaking/seed.yaml.html", "/version", "/nope",
                   "/render/breaking/nope.yaml"):
        _, head, _ = get(port, target)
        headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in head.split("\r\n")[1:])}
        assert headers["x-content-type-options"] == "nosniff", target
        assert headers["referrer-policy"] == "no-referrer", target
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "unsafe-eval" not in csp, target
        if target.startswith("/raw/"):
            # the email: no script at all, sandboxed, but its images and styles show
            assert "script-src" not in csp and "sandbox" in csp and "allow-scripts" not in csp
            assert "img-src https: http:" in csp and "style-src 'unsafe-inline'" in csp
        elif "text/html" in headers["content-type"]:
            # preview pages: only the reload script, by its hash
            assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'; ", csp) and "frame-ancestors 'none'" in csp
    _, _, page = get(port, "/render/breaking/seed.yaml")
    assert page.count("<iframe") == 3 and page.count("sandbox='allow-popups allow-popups-to-escape-sandbox'") == 3


def test_preview_reload_script_matches_its_hash() -> None:
    from mailkit import _preview as preview

    script = preview._RELOAD.removeprefix("<script>").removesuffix("</script>")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in preview.PAGE_CSP


def _threads() -> int:
    return threading.active_count()


def test_preview_bounds_connections_and_times_out_idle_ones(preview: tuple[int, Path]) -> None:
    port, _ = preview
    before = _threads()
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(12)]
    try:
        time.sleep(0.3)
        # 4 connections get a thread each; the other 8 are told at once and closed
        assert _threads() <= before + 4
        busy = 0
        for s in idle:
            s.setblocking(False)
            try:
                data = s.recv(200)
            except BlockingIOError:
                continue
            busy += data.startswith(b"HTTP/1.0 503")
        assert busy == 8
        # the idle ones are closed after the header timeout (1 s here), freeing their slots
        deadline = time.monotonic() + 3
        for s in idle:
            s.setblocking(True)
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                while s.recv(200):
                    pass
            except ConnectionResetError:
                pass
        assert time.monotonic() < deadline
    finally:
        for s in idle:
            s.close()
    time.sleep(0.3)
    assert _threads() <= before
    assert get(port, "/version")[0] == 200


def test_preview_cuts_off_a_slowloris(preview: tuple[int, Path]) -> None:
    # headers trickled a byte at a time: each read is quick, the request never ends
    port, _ = preview
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        closed = False
        for _ in range(40):
            try:
                s.sendall(b"X")
                s.setblocking(False)
                try:
                    closed = s.recv(100) == b""
                except BlockingIOError:
                    pass
                s.setblocking(True)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            if closed:
                break
            time.sleep(0.1)
    assert closed and time.monotonic() - start < 2.5
    assert get(port, "/version")[0] == 200
