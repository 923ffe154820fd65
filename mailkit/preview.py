"""``mailkit preview``: a local preview server for template authors.

Stdlib only (http.server), bound to 127.0.0.1. The index lists every template x
fixture; a render page shows the email at desktop and phone widths, in dark
mode, as plain text, as MJML and as headers, with its size against Gmail's clip
(as sent), its warnings and, when SpamAssassin is installed, its local spam
score and the rules that fired. The page polls ``/version`` (a fingerprint of every template,
partial, theme and fixture file) and reloads itself when a file changes; a
render error is shown on the page with its file and line, and the server runs on.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .checks import GMAIL_CLIP_BYTES, clip_size
from .errors import MailkitError
from .models import Recipient
from .paths import FIXTURES_DIR, template_dirs
from .render import RenderOptions, render
from .rendered import RenderedEmail

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
}})();
</script>"""

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

    def pairs(self) -> tuple[list[tuple[str, Path]], list[str]]:
        from .fixtures import fixture_pairs

        errors: list[str] = []  # a broken fixture is listed as an error, the others as pairs
        try:
            return fixture_pairs(self.template_folders, self.fixture_folders, errors=errors), errors
        except MailkitError as err:
            errors.append(str(err))
            return [], errors

    def fixture(self, name: str) -> Path | None:
        for folder in self.fixture_folders:
            path = Path(folder) / name
            if path.is_file() and path.resolve().parent == Path(folder).resolve():
                return path
        return None

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
        pairs, errors = self.pairs()
        rows = "".join(
            f"<tr><td>{html.escape(t)}</td><td><a class='render-link' href='/render/{quote(t)}/{quote(f.name)}'>"
            f"{html.escape(f.name)}</a></td>{self._summary(t, f)}<td>{html.escape(str(f.parent))}</td></tr>"
            for t, f in pairs
        )
        problems = "".join(f"<div class='error'>{html.escape(e)}</div>" for e in errors)
        return _page("mailkit preview", f"<h1>Templates x fixtures</h1>{problems}"
                     "<table id='pairs'><tr><th>template</th><th>fixture</th><th>subject</th><th>HTML size</th>"
                     f"<th>warnings</th><th>folder</th></tr>{rows}</table>", version)

    def render_page(self, template: str, fixture_name: str) -> tuple[int, bytes]:
        title = f"{template} x {fixture_name}"
        version = self.version()
        fixture = self.fixture(fixture_name)
        if fixture is None:
            return 404, _page(title, f"<div class='error'>no fixture named {html.escape(fixture_name)}</div>")
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
        warnings = "".join(f"<li class='warn'>{html.escape(w)}</li>" for w in email.warnings) or "<li class='ok'>none</li>"
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
<p id='spam'>Spam score (SpamAssassin): scoring…</p>
<script>/* SpamAssassin takes a second or two: the page does not wait for it */
fetch({json.dumps(f"/spam/{quote(template)}/{quote(fixture_name)}")}).then(r => r.text())
  .then(t => {{ document.getElementById('spam').textContent = t; }});</script>
<div class='frames'>
  <div class='frame'><p>Desktop, 800 px</p><iframe id='desktop' title='desktop' src='{raw}.html' width='800' height='1400'></iframe></div>
  <div class='frame'><p>Phone, 375 px</p><iframe id='phone' title='phone' src='{raw}.html' width='375' height='1400'></iframe></div>
  <div class='frame'><p>Dark mode, 375 px</p><iframe id='dark' title='dark' src='{raw}.html?dark=1' width='375' height='1400'></iframe></div>
</div>
<h2>Plain text</h2><pre id='text'>{html.escape(email.text)}</pre>
<h2>Headers</h2><pre id='headers'>{html.escape(headers)}</pre>
<h2>MJML</h2><pre id='mjml'>{html.escape(email.mjml)}</pre>"""
        return 200, _page(title, body, version)

    def spam(self, template: str, fixture_name: str) -> tuple[int, bytes]:
        """The render's SpamAssassin line, as plain text (the render page fetches it)."""
        fixture = self.fixture(fixture_name)
        if fixture is None:
            return 404, b"no such fixture"
        try:
            return 200, _spam_line(self.render(template, fixture)).encode("utf-8")
        except MailkitError as err:
            return 200, f"Spam score: not available ({err})".encode()

    def raw(self, template: str, fixture_name: str, dark: bool) -> tuple[int, bytes]:
        fixture = self.fixture(fixture_name)
        if fixture is None:
            return 404, b"no such fixture"
        try:
            email = self.render(template, fixture)
        except MailkitError as err:
            return 200, _page("error", f"<div class='error'>{html.escape(str(err))}</div>")
        return 200, (_dark(email.html) if dark else email.html).encode("utf-8")


@functools.lru_cache(maxsize=64)
def _spam_of(message: bytes) -> str:
    from .checks import spam_check
    from .spam import spam_reports

    reports = spam_reports([message])
    result = spam_check(reports[0] if reports else None)
    return f"Spam score (SpamAssassin): {'' if result.ok else 'FAIL '}{result.detail}"


def _spam_line(email: RenderedEmail) -> str:
    """SpamAssassin's local score of the message, cached by its bytes (a run takes about a second)."""
    from .spam import spam_message

    try:
        return _spam_of(spam_message(email))
    except MailkitError as err:
        return f"Spam score: not available ({err})"


_RENDER = re.compile(r"^/(render|raw|spam)/([^/]+)/([^/]+?)(\.html)?$")


def _handler(server: PreviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet: one line per error only
            pass

        def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            try:
                if url.path == "/":
                    self.send(200, server.index())
                elif url.path == "/version":
                    self.send(200, server.version().encode(), "text/plain")
                elif url.path == "/api/pairs":
                    pairs, errors = server.pairs()
                    self.send(200, json.dumps({"pairs": [[t, f.name] for t, f in pairs], "errors": errors}).encode(),
                              "application/json")
                elif m := _RENDER.match(url.path):
                    kind, template, fixture = m.group(1), unquote(m.group(2)), unquote(m.group(3))
                    if kind == "render":
                        self.send(*server.render_page(template, fixture))
                    elif kind == "spam":
                        self.send(*server.spam(template, fixture), "text/plain; charset=utf-8")
                    else:
                        self.send(*server.raw(template, fixture, "dark" in parse_qs(url.query)))
                else:
                    self.send(404, _page("not found", "<div class='error'>not found</div>"))
            except Exception as err:  # noqa: BLE001 - the server must outlive whatever one request does
                self.send(500, _page("error", f"<div class='error'>{html.escape(type(err).__name__)}: "
                                              f"{html.escape(str(err))}</div>"))

    return Handler


def serve(server: PreviewServer, port: int = 8025, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start the preview server in a background thread and return it (``.shutdown()`` stops it)."""
    httpd = ThreadingHTTPServer((host, port), _handler(server))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd
