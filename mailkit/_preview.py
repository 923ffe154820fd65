"""``mailkit preview``: a local preview server for template authors.

Stdlib only (http.server), bound to 127.0.0.1. The index lists every template x
fixture; a render page shows the email at desktop and phone widths, in dark
mode, as plain text, as MJML and as headers, with its size against Gmail's clip
(as sent), its warnings and, when SpamAssassin is installed, its local spam
score and the rules that fired. The page polls ``/version`` (a fingerprint of every template,
partial, theme and fixture file) and reloads itself when a file changes; a
render error is shown on the page with its file and line, and the server runs on.

It is a local dev server, and pages on other sites can reach it through the
reader's browser, so it answers only what a person at this machine asks:

- only ``Host: 127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT`` (a page
  on any site could otherwise read fixture content through DNS rebinding),
  only origin-form request targets (``/path``), only GET and HEAD;
- only the templates mailkit lists and the fixture files inside the fixture
  folders (a symlink out of a folder is neither listed nor served), looked
  up by name in those lists, so no URL reaches another file;
- at most ``max_connections`` connections at once (others get 503 at once,
  without a thread); a connection that has not sent its request line and
  headers within ``header_timeout`` seconds (idle or slowloris) is closed;
- every response says ``X-Content-Type-Options: nosniff`` and
  ``Referrer-Policy: no-referrer``, with a Content-Security-Policy: preview
  pages run only their own reload script; the rendered email is shown
  sandboxed, with no script at all.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import re
import socket
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from ._checks import GMAIL_CLIP_BYTES, clip_size, spam_check
from ._compose import fixture_pairs, list_templates
from ._errors import MailkitError
from ._fixtures import fixture_files
from ._message import RenderedEmail
from ._models import Recipient
from ._paths import FIXTURES_DIR, template_dirs
from ._render import RenderOptions, render
from ._spam import spam_message, spam_reports
from ._warning import warning_code

__all__ = ["PreviewServer", "serve"]

_POLL_MS = 300
_RELOAD = f"""<script>
(function () {{
  // the files' version when the server built this page: a change made before
  // the first poll still reloads it
  let seen = document.documentElement.dataset.version || null;
  async function poll() {{
    try {{
      const r = await fetch('/version', {{cache: 'no-store'}});
      const v = await r.text();
      if (seen === null) seen = v; else if (v !== seen) {{ location.reload(); return; }}
    }} catch (e) {{}}
    setTimeout(poll, {_POLL_MS});
  }}
  poll();
  // a render page's SpamAssassin line takes a second or two: the page does not wait for it
  const spam = document.getElementById('spam');
  if (spam && spam.dataset.src) {{
    fetch(spam.dataset.src, {{cache: 'no-store'}}).then(r => r.text()).then(t => {{ spam.textContent = t; }});
  }}
}})();
</script>"""

# the reload script is the only script a preview page may run: the CSP names its hash
_RELOAD_HASH = base64.b64encode(hashlib.sha256(
    _RELOAD.removeprefix("<script>").removesuffix("</script>").encode()).digest()).decode()
PAGE_CSP = (f"default-src 'none'; script-src 'sha256-{_RELOAD_HASH}'; style-src 'unsafe-inline'; "
            "connect-src 'self'; frame-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")
# the email as a mail client would show it: remote images and web fonts, no
# script, in a sandbox (links may open in a new tab)
_EMAIL_SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
EMAIL_CSP = ("default-src 'none'; img-src https: http: data: cid:; style-src 'unsafe-inline' https:; "
             f"font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
             f"sandbox {_EMAIL_SANDBOX}")
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"

_STYLE = """<style>
body { font: 15px/1.5 -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #1a1a1a; background: #f4f4f4; }
header { background: #1a1a1a; color: #fff; padding: 12px 20px; } header a { color: #fff; }
main { padding: 20px; } h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 24px 0 8px; }
table { border-collapse: collapse; background: #fff; } td, th { border: 1px solid #ddd; padding: 6px 10px; text-align: left; }
.frames { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.frame { background: #fff; border: 1px solid #ccc; } .frame p { margin: 0; padding: 4px 8px; font-size: 13px; background: #eee; }
iframe { border: 0; display: block; background: #fff; }
pre { background: #fff; border: 1px solid #ddd; padding: 12px; overflow: auto; max-height: 600px; white-space: pre-wrap; }
.error { background: #fde8e8; border: 1px solid #c4161c; color: #8a0f14; padding: 12px 16px; white-space: pre-wrap; }
.ok { color: #1f7a1f; } .warn { color: #8a5a00; }
</style>"""


def _page(title: str, body: str, version: str = "") -> bytes:
    return (f"<!doctype html><html lang='en' data-version='{html.escape(version)}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"{_STYLE}</head><body><header><a href='/'>mailkit preview</a></header><main>{body}</main>"
            f"{_RELOAD}</body></html>").encode()


def _dark(document: str) -> str:
    # force the dark-mode styles: the same rules, without the media query's condition
    return document.replace("@media (prefers-color-scheme: dark)", "@media all")


class PreviewServer:
    """Renders on request from the template and fixture folders; knows when any file changed."""

    def __init__(self, template_folders: Iterable[str | Path] = (), fixture_folders: Iterable[str | Path] = (),
                 theme: str | None = None) -> None:
        self.template_folders = tuple(Path(p) for p in template_folders)
        self.fixture_folders = (*(Path(p) for p in fixture_folders), FIXTURES_DIR)
        self.theme = theme

    def watched(self) -> list[Path]:
        files: list[Path] = []
        for folder in (*template_dirs(self.template_folders), *self.fixture_folders):
            files += [p for p in Path(folder).rglob("*") if p.is_file() and "node_modules" not in p.parts]
        return sorted(files)

    def version(self) -> str:
        digest = hashlib.sha256()
        for path in self.watched():
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
        return digest.hexdigest()[:16]

    def fixture_files(self) -> list[Path]:
        """The fixture files the preview shows: inside their folders, symlinks out of a folder left out."""
        files = []
        for folder in self.fixture_folders:
            root = Path(folder).resolve()
            files += [p for p in fixture_files(folder) if p.is_file() and p.resolve().parent == root]
        return files

    def catalogue(self) -> tuple[list[tuple[str, Path]], list[tuple[Path, str]], list[str]]:
        """(template, fixture) pairs, fixtures that failed to load with their error, and other problems.

        One broken fixture is listed with its error; the others are shown as usual.
        """
        broken: list[tuple[Path, MailkitError]] = []
        try:
            pairs = fixture_pairs(self.template_folders, files=self.fixture_files(), broken=broken)
        except MailkitError as err:  # the template folders' (a fixture's own is in broken)
            return [], [], [str(err)]
        return pairs, [(path, f"{type(err).__name__}: {err}") for path, err in broken], []

    def pairs(self) -> tuple[list[tuple[str, Path]], list[str]]:
        """(template, fixture) pairs and the errors (a broken fixture's, or the template folders')."""
        pairs, broken, problems = self.catalogue()
        return pairs, problems + [message for _, message in broken]

    def fixture(self, name: str) -> Path | None:
        """The listed fixture file called ``name`` (the first folder's), else ``None``: nothing else is reachable."""
        return next((p for p in self.fixture_files() if p.name == name), None)

    def template_exists(self, name: str) -> bool:
        """Whether ``name`` is one of the listed templates."""
        try:
            return name in {t.name for t in list_templates(self.template_folders)}
        except MailkitError:
            return False

    def render(self, template: str, fixture: Path) -> RenderedEmail:
        return render(template, fixture, RenderOptions(template_dirs=self.template_folders, theme=self.theme))

    # --- pages -------------------------------------------------------------------

    def _summary(self, template: str, fixture: Path) -> str:
        # the index row's subject, size and warnings: what an editor scans for
        try:
            email = self.render(template, fixture)
        except MailkitError as err:
            return f"<td colspan='3' class='error'>{html.escape(type(err).__name__)}: {html.escape(str(err))}</td>"
        pct = max(clip_size(email)) / GMAIL_CLIP_BYTES * 100
        n = len(email.warnings)
        warned = (f"<td class='warn' title='{html.escape(chr(10).join(email.warnings))}'>{n} warning{'s' * (n != 1)}</td>"
                  if n else "<td class='ok'>none</td>")
        return f"<td dir='auto'>{html.escape(email.subject)}</td><td>{pct:.0f}% of clip</td>{warned}"

    def index(self) -> bytes:
        version = self.version()  # before reading anything, so no later change is missed
        pairs, broken, errors = self.catalogue()
        rows = "".join(
            f"<tr><td>{html.escape(t)}</td><td><a class='render-link' href='/render/{quote(t)}/{quote(f.name)}'>"
            f"{html.escape(f.name)}</a></td>{self._summary(t, f)}<td>{html.escape(str(f.parent))}</td></tr>"
            for t, f in pairs
        )
        # a fixture that does not load gets its own row with its error; the others render as usual
        rows += "".join(
            f"<tr class='broken'><td></td><td>{html.escape(f.name)}</td><td colspan='3' class='error'>"
            f"{html.escape(message)}</td><td>{html.escape(str(f.parent))}</td></tr>"
            for f, message in broken
        )
        problems = "".join(f"<div class='error'>{html.escape(e)}</div>" for e in errors)
        return _page("mailkit preview", f"<h1>Templates x fixtures</h1>{problems}"
                     "<table id='pairs'><tr><th>template</th><th>fixture</th><th>subject</th><th>HTML size</th>"
                     f"<th>warnings</th><th>folder</th></tr>{rows}</table>", version)

    def render_page(self, template: str, fixture_name: str) -> tuple[int, bytes]:
        title = f"{template} x {fixture_name}"
        version = self.version()
        fixture = self.fixture(fixture_name)
        if fixture is None or not self.template_exists(template):
            return 404, _page(title, f"<div class='error'>no template {html.escape(template)!r} or no fixture "
                                     f"{html.escape(fixture_name)!r} in the preview's folders</div>")
        try:
            email = self.render(template, fixture)
        except MailkitError as err:
            # the error, with its file and line, on the page; the server runs on
            return 200, _page(title, f"<h1>{html.escape(title)}</h1><div class='error' id='render-error'>"
                                     f"{html.escape(type(err).__name__)}: {html.escape(str(err))}</div>", version)
        raw = f"/raw/{quote(template)}/{quote(fixture_name)}"
        decoded, size = clip_size(email)
        size = max(decoded, size)
        pct = size / GMAIL_CLIP_BYTES * 100
        # the code beside each: what --ignore and RenderOptions.ignore take
        warnings = "".join(f"<li class='warn'><code>{html.escape(warning_code(w) or '')}</code> {html.escape(w)}</li>"
                           for w in email.warnings) or "<li class='ok'>none</li>"
        try:
            headers = "\n".join(f"{k}: {v}" for k, v in email.to_message(
                to=Recipient(email="reader@example.com", first_name="Reader"),
                date=datetime(2014, 5, 20, 13, 15, tzinfo=UTC)).items())
        except MailkitError as err:
            headers = f"(no message: {err})"
        body = f"""
<h1 id='subject' dir='auto'>{html.escape(email.subject)}</h1>
<p>Preheader: <em dir='auto'>{html.escape(email.preheader)}</em></p>
<p id='size'>HTML {size:,} bytes as sent ({decoded:,} decoded): {pct:.0f}% of Gmail's clip limit ({GMAIL_CLIP_BYTES:,} bytes)</p>
<h2>Warnings</h2><ul id='warnings'>{warnings}</ul>
<p id='spam' data-src='{html.escape(f"/spam/{quote(template)}/{quote(fixture_name)}")}'>Spam score (SpamAssassin): scoring…</p>
<div class='frames'>
  <div class='frame'><p>Desktop, 800 px</p><iframe id='desktop' title='desktop' sandbox='{_EMAIL_SANDBOX}' src='{raw}.html' width='800' height='1400'></iframe></div>
  <div class='frame'><p>Phone, 375 px</p><iframe id='phone' title='phone' sandbox='{_EMAIL_SANDBOX}' src='{raw}.html' width='375' height='1400'></iframe></div>
  <div class='frame'><p>Dark mode, 375 px</p><iframe id='dark' title='dark' sandbox='{_EMAIL_SANDBOX}' src='{raw}.html?dark=1' width='375' height='1400'></iframe></div>
</div>
<h2>Plain text</h2><pre id='text'>{html.escape(email.text)}</pre>
<h2>Headers</h2><pre id='headers'>{html.escape(headers)}</pre>
<h2>MJML</h2><pre id='mjml'>{html.escape(email.mjml)}</pre>"""
        return 200, _page(title, body, version)

    def spam(self, template: str, fixture_name: str) -> tuple[int, bytes]:
        """The render's SpamAssassin line, as plain text (the render page fetches it)."""
        fixture = self.fixture(fixture_name)
        if fixture is None or not self.template_exists(template):
            return 404, b"no such template or fixture"
        try:
            return 200, _spam_line(self.render(template, fixture)).encode("utf-8")
        except MailkitError as err:
            return 200, f"Spam score: not available ({err})".encode()

    def raw(self, template: str, fixture_name: str, dark: bool) -> tuple[int, bytes]:
        fixture = self.fixture(fixture_name)
        if fixture is None or not self.template_exists(template):
            return 404, b"no such template or fixture"
        try:
            email = self.render(template, fixture)
        except MailkitError as err:
            return 200, _page("error", f"<div class='error'>{html.escape(str(err))}</div>")
        return 200, (_dark(email.html) if dark else email.html).encode("utf-8")


@functools.lru_cache(maxsize=64)
def _spam_of(message: bytes) -> str:
    reports = spam_reports([message])
    result = spam_check(reports[0] if reports else None)
    return f"Spam score (SpamAssassin): {'' if result.ok else 'FAIL '}{result.detail}"


def _spam_line(email: RenderedEmail) -> str:
    """SpamAssassin's local score of the message, cached by its bytes (a run takes about a second)."""
    try:
        return _spam_of(spam_message(email))
    except MailkitError as err:
        return f"Spam score: not available ({err})"


_RENDER = re.compile(r"^/(render|raw|spam)/([^/]+)/([^/]+?)(\.html)?$")
_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_BUSY = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n"
         b"Connection: close\r\nRetry-After: 1\r\n\r\ntoo many connections")


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a bound on connections and a deadline for each request's headers."""

    daemon_threads = True
    # a full listen backlog makes the kernel drop new connections for a second
    # (SYN retries); beyond max_connections they are refused at once anyway
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 max_connections: int, header_timeout: float) -> None:
        self.header_timeout = header_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self._deadlines: dict[socket.socket, float] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        super().__init__(address, handler)
        threading.Thread(target=self._reap, name="mailkit-preview-reaper", daemon=True).start()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            # every slot is taken: say so and close, without a thread (the
            # bytes fit in an empty socket buffer, so this never blocks)
            try:
                request.setblocking(False)
                request.send(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        with self._lock:
            self._deadlines[request] = time.monotonic() + self.header_timeout
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done(request)

    def _done(self, request: socket.socket) -> None:
        with self._lock:
            self._deadlines.pop(request, None)
        self._slots.release()

    def headers_read(self, request: socket.socket) -> bool:
        """The request's headers are in: stop its clock. False if it had already run out."""
        with self._lock:
            return self._deadlines.pop(request, None) is not None

    def _reap(self) -> None:
        # one thread for every connection's deadline: a socket timeout alone
        # bounds each recv, not a request trickled in a byte at a time
        while not self._closed.wait(min(0.25, self.header_timeout / 4)):
            now = time.monotonic()
            with self._lock:
                late = [s for s, deadline in self._deadlines.items() if deadline < now]
                for s in late:
                    del self._deadlines[s]
            for s in late:
                try:
                    s.shutdown(socket.SHUT_RDWR)  # wakes the handler's blocked read with end of file
                except OSError:
                    pass

    def server_close(self) -> None:
        self._closed.set()
        super().server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (or was cut off) is not worth a traceback on the console


def _handler(server: PreviewServer, header_timeout: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server: _HTTPServer
        timeout = header_timeout  # each read and write, on top of the headers' deadline
        csp = OTHER_CSP
        head = False

        def log_message(self, format: str, *args: object) -> None:  # quiet: one line per error only
            pass

        def end_headers(self) -> None:
            # on every response, http.server's own errors included
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Content-Security-Policy", self.csp)
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
            super().end_headers()

        def parse_request(self) -> bool:
            # the one gate every request passes, before any method is dispatched
            if not super().parse_request():
                return False
            if not self.server.headers_read(self.connection):
                self.close_connection = True
                return False
            if not self.path.startswith("/") or self.path.startswith("//"):
                self.send_error(400, "only origin-form request targets (/path)")
                return False
            port = self.server.server_address[1]
            hosts = self.headers.get_all("Host") or []
            if len(hosts) != 1 or hosts[0].strip().lower() not in {f"{h}:{port}" for h in _ALLOWED_HOSTS}:
                # DNS rebinding: a page on another site that resolves its name to
                # 127.0.0.1 still sends its own name here
                self.send_error(403, f"Host must be 127.0.0.1:{port}, localhost:{port} or [::1]:{port}")
                return False
            if self.command not in ("GET", "HEAD"):
                self.send_response(405)
                self.send_header("Allow", "GET, HEAD")
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.close_connection = True
                return False
            return True

        def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                 csp: str = OTHER_CSP) -> None:
            self.csp = csp
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not self.head:
                self.wfile.write(body)

        def page(self, status: int, body: bytes) -> None:
            self.send(status, body, csp=PAGE_CSP)

        def do_HEAD(self) -> None:
            self.head = True
            self.do_GET()

        def do_GET(self) -> None:
            # split by hand: urlsplit reads "//host/..." as a host
            path, _, query = self.path.partition("?")
            try:
                if path == "/":
                    self.page(200, server.index())
                elif path == "/version":
                    self.send(200, server.version().encode(), "text/plain")
                elif path == "/api/pairs":
                    pairs, errors = server.pairs()
                    self.send(200, json.dumps({"pairs": [[t, f.name] for t, f in pairs], "errors": errors}).encode(),
                              "application/json")
                elif m := _RENDER.match(path):
                    kind, template, fixture = m.group(1), unquote(m.group(2)), unquote(m.group(3))
                    if kind == "render":
                        self.page(*server.render_page(template, fixture))
                    elif kind == "spam":
                        self.send(*server.spam(template, fixture), "text/plain; charset=utf-8")
                    else:
                        status, body = server.raw(template, fixture, "dark" in parse_qs(query))
                        self.send(status, body, csp=EMAIL_CSP)
                else:
                    self.page(404, _page("not found", "<div class='error'>not found</div>"))
            except Exception as err:  # noqa: BLE001 - the server must outlive whatever one request does
                self.page(500, _page("error", f"<div class='error'>{html.escape(type(err).__name__)}: "
                                              f"{html.escape(str(err))}</div>"))

    return Handler


def serve(server: PreviewServer, port: int = 8025, host: str = "127.0.0.1", *,
          max_connections: int = 32, header_timeout: float = 10.0) -> ThreadingHTTPServer:
    """Start the preview server in a background thread and return it (``.shutdown()`` stops it).

    At most ``max_connections`` at once; a request's line and headers must
    arrive within ``header_timeout`` seconds.
    """
    httpd = _HTTPServer((host, port), _handler(server, header_timeout), max_connections=max_connections,
                        header_timeout=header_timeout)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd
