"""The ``mailkit`` command: render, list templates, print the fixture schema.

Two kinds of error, never a traceback:

- a usage error (unknown command or option, missing argument, an option value
  that cannot be right: an unknown ``--theme``, a missing ``--templates``
  folder, a bad ``--smtp`` or ``--port``) prints click's usage line, a hint
  and ``Error: ...``, and exits 2;
- anything else (a :class:`~mailkit.MailkitError`, a file that cannot
  be written) prints one line, ``mailkit: error: ...``, and exits 1.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import select
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import click

from ._compose import list_templates
from ._embeds import html_integer
from ._errors import HeaderError, InvalidFixtureError, MailkitError
from ._errors import printable as _printable
from ._errors import shown_as_escape as _shown_as_escape
from ._fixtures import edition_schema, find_theme, no_theme_message, theme_names, theme_schema
from ._message import RenderedEmail
from ._models import Sender
from ._reader import is_feed_file
from ._render import RenderOptions, render

__all__ = ["main", "run"]


class _Failed(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        _echo(f"mailkit: error: {self.message}", err=True)


_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _write_temp(directory: Path, name: str, data: str | bytes) -> str:
    # a temporary file beside the target, written in full and flushed to disk
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _backup(path: Path) -> str | None:
    # a second name for the old file (a hard link: no copy), to put it back on failure
    if not path.exists():
        return None
    while True:
        backup = str(path.parent / f".{path.name}.{os.urandom(4).hex()}.old")
        try:
            os.link(path, backup)
        except FileExistsError:  # pragma: no cover - 32 random bits taken
            continue
        return backup


def write_set(directory: Path, files: dict[str, str | bytes], family: tuple[str, ...] = ()) -> list[Path]:
    """Replace a set of files in ``directory`` together: a reader sees the old set or the new one.

    Every file is first written in full under a temporary name; only then are
    they renamed into place, and any old member of ``family`` the new set does
    not have (a ``.eml`` from an earlier ``--eml`` run) is removed. An error
    at any point (disk full, permissions, Ctrl-C) leaves the old set as it
    was: a failure during the renames puts the old files back. What no program
    can promise: a crash of the machine, or SIGKILL, in the microseconds
    between the first rename and the last.
    """
    temps: dict[Path, str] = {}
    backups: dict[Path, str | None] = {}
    done: list[Path] = []
    targets = [directory / name for name in files]
    stale = [directory / name for name in family if name not in files and (directory / name).exists()]
    try:
        for path, data in zip(targets, files.values(), strict=True):
            temps[path] = _write_temp(directory, path.name, data)
        for path in [*targets, *stale]:
            backups[path] = _backup(path)
        for path in stale:
            path.unlink()
            done.append(path)
        for path in targets:
            os.replace(temps[path], path)
            del temps[path]
            done.append(path)
    except BaseException:
        for path in reversed(done):  # put the old set back
            backup = backups.get(path)
            if backup is not None:
                os.replace(backup, path)
                backups[path] = None
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        for leftover in [*temps.values(), *(b for b in backups.values() if b)]:
            Path(leftover).unlink(missing_ok=True)
    return targets


_SUFFIXES = (".html", ".txt", ".mjml", ".eml")


def write_outputs(email: RenderedEmail, out_dir: Path, stem: str, *, eml: str | None = None,
                  sender: Sender | None = None) -> list[Path]:
    """Write ``STEM.html``, ``STEM.txt``, ``STEM.mjml`` (and ``STEM.eml``) into ``out_dir``, as one set.

    The files replace any earlier set together (see :func:`write_set`); an
    earlier ``STEM.eml`` is removed when this set has none.
    """
    outputs: dict[str, str | bytes] = {f"{stem}.html": email.html, f"{stem}.txt": email.text,
                                       f"{stem}.mjml": email.mjml}
    if eml:
        from ._message import message_bytes

        outputs[f"{stem}.eml"] = message_bytes(email, to=eml, sender=sender)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_set(out_dir, outputs, tuple(f"{stem}{suffix}" for suffix in _SUFFIXES))


def sender_option(email: RenderedEmail, address: str | None, name: str | None) -> Sender | None:
    """The sender ``--from``/``--from-name`` ask for (other fields from the fixture's); None: the fixture's."""
    if address is None and name is None:
        return None
    base = email.edition.newsletter.sender
    fields: dict[str, Any] = base.model_dump(exclude_none=True) if base else {}
    if address is not None:
        fields["address"] = address
    fields["name"] = name if name is not None else fields.get("name", email.edition.newsletter.name)
    if "address" not in fields:
        raise HeaderError("--from-name: the fixture has no sender: give --from ADDR too")
    try:
        return Sender.model_validate(fields)
    except InvalidFixtureError as err:  # the models raise it (pydantic's error is its cause)
        problems = "; ".join(f"{path}: {msg}" if path else msg for path, msg in err.errors)
        raise HeaderError(f"--from: {problems}") from err


def _check_theme(theme: str | None, template_dirs: tuple[Path, ...]) -> None:
    # a theme that does not exist is the option's fault, not the fixture's
    # (render() itself would say "options.theme: ...")
    if theme is not None and find_theme(theme, template_dirs) is None:
        raise click.BadParameter(no_theme_message(theme, template_dirs), param_hint="'--theme'")


template_dirs_option = click.option(
    "--templates", "template_dirs", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="An extra template folder; its templates override the packaged ones. Repeatable.",
)


newsletter_option = click.option(
    "--newsletter", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="For a feed or ninjs file: the newsletter (name, url, brand, footer) it goes out under, as YAML.",
)


def _echo(text: str, *, err: bool = False) -> None:
    """``click.echo`` for a line that quotes content (a warning, an error, a subject, a server's reply).

    Every line the CLI writes from a fixture, feed, template or server goes through here (or
    :func:`_json_text`): a control character or bidi control in it is written as an escape.
    """
    click.echo("\n".join(_printable(line) for line in text.split("\n")), err=err)


def _json_text(data: Any) -> str:
    """``data`` as JSON (UTF-8, indented) with each character a terminal would act on as a ``\\u`` escape.

    ``json.dumps`` escapes C0 controls only: DEL, C1 (U+009B is CSI) and the bidi controls
    would reach a terminal as they are; escaped, the JSON reads back the same.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # outside its strings JSON holds only printable characters and line breaks; every
    # character _shown_as_escape picks is in the BMP, so one \uXXXX escape each
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and _shown_as_escape(c) else c for c in text)


def _echo_warning(message: str) -> None:
    _echo(f"warning: {message}", err=True)


def _check_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    # an unknown code is the option's fault: a usage error naming it, before any render
    from ._warning import WARNING_CODES, unknown_codes

    if unknown := unknown_codes(codes):
        raise click.BadParameter(f"unknown warning code {unknown[0]!r} (codes: {', '.join(WARNING_CODES)})",
                                 param_hint="'--ignore'")
    return codes


ignore_option = click.option(
    "--ignore", "ignore", multiple=True, metavar="CODE",
    help="A warning code (see README, 'Warning codes') --strict lets through. Repeatable.",
)


class _Commands(click.Group):
    """Every command's MailkitError or OSError becomes one line and exit 1, even where a
    command does not catch it itself (the commands catch what they can say better)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            _finished[:] = [ctx.invoked_subcommand or ""]
            return result
        except MailkitError as err:
            raise _Failed(str(err)) from err
        except OSError as err:
            if isinstance(err, BrokenPipeError) and _stdout_gone():
                # what reads the output closed it (`mailkit templates | head -1`): stop quietly
                # with 141, as a Unix tool killed by SIGPIPE does (a shell with pipefail sees
                # it). SIGPIPE itself stays ignored, as Python sets it: a server closing an
                # SMTP connection is an error to report, not a signal that kills the process.
                _quiet_stdout()
                raise click.exceptions.Exit(141) from err
            where = f"{err.filename}: " if err.filename else ""
            raise _Failed(f"{where}{err.strerror or err}") from err


def _quiet_stdout() -> None:
    # the interpreter flushes stdout once more as it ends: into nothing now, or it would
    # print "Exception ignored ... BrokenPipeError" (Python's documented recipe,
    # https://docs.python.org/3/library/signal.html#note-on-sigpipe)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    finally:
        os.close(devnull)


def _stdout_gone() -> bool:
    """Whether the reader of stdout has closed it (a pipe whose other end is gone polls as an error)."""
    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
    except (OSError, ValueError, AttributeError):  # no stdout, or no poll() on this system
        return False
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _fd, events in poller.poll(0))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mailkit")
def main() -> None:
    """mailkit: turn news articles into email people want to open."""


@main.command("render")
@click.argument("template")
@click.argument("fixture", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the .html, .txt and .mjml files.")
@click.option("--theme", help=f"A theme name ({', '.join(theme_names())}) or a theme file.")
@template_dirs_option
@click.option("--eml", is_flag=True, help="Also write a ready-to-send .eml message.")
@click.option("--to", "to", default="reader@example.com", show_default=True, help="The .eml message's recipient.")
@click.option("--from", "from_address", metavar="ADDR", help="The .eml message's sender (default: the fixture's).")
@click.option("--from-name", metavar="NAME", help="The sender's name (default: the fixture's, else the newsletter's).")
@click.option("--strict", is_flag=True, help="Fail on any warning (deliverability, content not shown ...).")
@ignore_option
@click.option("--max-body-chars", type=click.IntRange(min=1), default=None, metavar="N",
              help="Cut each body after the last paragraph within N characters, with a 'Continue reading' link.")
@newsletter_option
@click.option("--inliner", type=click.Choice(["premailer", "css-inline"]), default="premailer", show_default=True,
              help="The CSS inlining engine; css-inline is faster and needs mailkit[fast].")
def render_command(template: str, fixture: Path, out_dir: Path, theme: str | None,
                   template_dirs: tuple[Path, ...], eml: bool, to: str, from_address: str | None,
                   from_name: str | None, strict: bool, ignore: tuple[str, ...], max_body_chars: int | None,
                   newsletter: Path | None, inliner: Any) -> None:
    """Render FIXTURE with TEMPLATE and write the files.

    FIXTURE is an edition (.yaml, .json or .toml), or an RSS, Atom, JSON Feed
    or IPTC ninjs file (told apart by content) rendered under --newsletter.
    The files replace an earlier set together: a reader sees the old set or the new one.
    """
    _check_theme(theme, template_dirs)
    _check_codes(ignore)

    try:
        source: Path | Any = fixture
        if is_feed_file(fixture):  # the feed importer loads only for a feed
            from ._editions import read_edition_source

            source = read_edition_source(fixture, newsletter=newsletter, on_warning=_echo_warning)
        email = render(template, source, RenderOptions(template_dirs=template_dirs, theme=theme, strict=strict,
                                                       ignore=ignore, max_body_chars=max_body_chars,
                                                       inliner=inliner))
        stem = f"{template}--{fixture.stem}" + (f"--{Path(theme).stem}" if theme else "")
        sender = sender_option(email, from_address, from_name)
        paths = write_outputs(email, out_dir, stem, eml=to if eml else None, sender=sender)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    except OSError as err:
        raise _Failed(f"cannot write to {out_dir}: {err.strerror or err}") from err
    _echo(f"Subject:   {email.subject}")
    _echo(f"Preheader: {email.preheader}")
    for warning in email.warnings:
        _echo_warning(warning)
    for path in paths:
        _echo(f"wrote {path}")


@main.command("import")
@click.argument("feed", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--newsletter", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The newsletter (name, url, brand, footer) the edition goes out under, as YAML.")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The edition file to write (YAML).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
              help="Leave out stories published before this time (in the newsletter's time zone).")
@click.option("--limit", type=click.IntRange(1, 60), help="The newest N stories.")
@click.option("--template", "templates", multiple=True, default=("digest",), show_default=True,
              help="A template the edition is meant for. Repeatable.")
def import_command(feed: Path, newsletter: Path, out: Path, since: Any, limit: int | None,
                   templates: tuple[str, ...]) -> None:
    """Write FEED (RSS, Atom, JSON Feed or IPTC ninjs) as an edition file to edit, review and render."""
    from ._editions import edition_yaml, from_feed

    try:
        edition = from_feed(feed, newsletter=newsletter, since=since, limit=limit, templates=templates,
                            on_warning=_echo_warning)
        text = edition_yaml(edition, comment=f"Imported from {feed.name} by `mailkit import`; edit freely.")
        write_set(out.parent, {out.name: text})
    except MailkitError as err:
        raise _Failed(str(err)) from err
    except OSError as err:
        raise _Failed(f"cannot write {out}: {err.strerror or err}") from err
    _echo(f"{edition.story_count} stories; wrote {out}")


@main.command("templates")
@template_dirs_option
def templates_command(template_dirs: tuple[Path, ...]) -> None:
    """List the templates, one line each."""
    try:
        found = list_templates(template_dirs)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    width = max((len(t.name) for t in found), default=0)
    for t in found:
        _echo(f"{t.name:<{width}}  {t.description}")


def fixture_pairs(template_dirs: tuple[Path, ...], fixture_dirs: tuple[Path, ...],
                  broken: list[tuple[Path, MailkitError]] | None = None) -> list[tuple[str, Path]]:
    """Every (template, fixture file) pair in the given fixture folders and the packaged one
    (``broken``: a list that takes each fixture that fails to load, with its error)."""
    from ._compose import fixture_pairs as pairs
    from ._paths import FIXTURES_DIR

    return pairs(template_dirs, (*fixture_dirs, FIXTURES_DIR), broken=broken)


@main.command("check")
@click.argument("template", required=False)
@click.argument("fixture", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "check_all", is_flag=True, help="Check every template with every fixture that names it.")
@click.option("--fixtures", "fixture_dirs", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="An extra fixture folder for --all. Repeatable.")
@click.option("--theme", help="A theme name or a theme file.")
@template_dirs_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--strict", is_flag=True, help="Also fail on any render warning --ignore does not name.")
@ignore_option
def check_command(template: str | None, fixture: Path | None, check_all: bool, fixture_dirs: tuple[Path, ...],
                  theme: str | None, template_dirs: tuple[Path, ...], as_json: bool, strict: bool,
                  ignore: tuple[str, ...]) -> None:
    """Deliverability and accessibility checks; exits 1 when any fails.

    Size against Gmail's clip (of the HTML as sent), style size, alt text,
    link schemes, preheader, subject length, lang and dir, the contrast of
    every text colour in light and dark mode, and, when SpamAssassin is
    installed, its local score of the message and the rules that fired.
    With --strict, a last line fails on the render's warnings, except the codes --ignore names.
    """
    from ._checks import run_checks, spam_check, warnings_check
    from ._spam import spam_message, spam_reports
    from ._warning import warning_dict

    if not check_all and not (template and fixture):
        raise click.UsageError("give TEMPLATE and FIXTURE, or --all")
    if check_all and (template or fixture):
        raise click.UsageError("give TEMPLATE and FIXTURE, or --all, not both")
    _check_theme(theme, template_dirs)
    _check_codes(ignore)
    # like a linter: every fixture is checked; one that fails to load or render is
    # reported with its error beside the others, and the exit status is 1 at the end
    broken: list[tuple[str | None, Path, MailkitError]] = []
    if check_all:
        unloadable: list[tuple[Path, MailkitError]] = []
        try:
            pairs = fixture_pairs(template_dirs, fixture_dirs, broken=unloadable)
        except MailkitError as err:  # the template folders themselves
            raise _Failed(str(err)) from err
        broken += [(None, path, err) for path, err in unloadable]
    else:
        pairs = [(str(template), Path(str(fixture)))]
    rendered: list[tuple[str, Path, Any]] = []
    for name, path in pairs:
        try:
            rendered.append((name, path, render(name, path, RenderOptions(template_dirs=template_dirs, theme=theme))))
        except MailkitError as err:
            if not check_all:
                raise _Failed(str(err)) from err
            broken.append((name, path, err))
    try:
        # one SpamAssassin run for every email (Perl and its rules load once)
        spam = spam_reports([spam_message(email) for _, _, email in rendered])
        results = [
            (name, path, email, [*run_checks(email), spam_check(spam[i] if spam is not None else None),
                                 *([warnings_check(email, ignore)] if strict else [])])
            for i, (name, path, email) in enumerate(rendered)
        ]
    except MailkitError as err:
        raise _Failed(str(err)) from err
    failed = sum(1 for _, _, _, checks in results for c in checks if not c.ok) + len(broken)
    if as_json:
        report = [{"template": name, "fixture": str(path), "checks": [c.as_dict() for c in checks],
                   "warnings": [warning_dict(w) for w in email.warnings]}
                  for name, path, email, checks in results]
        errors = [{"template": which, "fixture": str(path), "error": f"{type(problem).__name__}: {problem}"}
                  for which, path, problem in broken]
        click.echo(_json_text({"failed": failed, "results": report, "broken": errors}))
    else:
        for name, path, _, checks in results:
            _echo(f"{name} x {path}")
            for c in checks:
                _echo(f"  {'PASS' if c.ok else 'FAIL'}  {c.name:<28} {c.detail}")
        for which, path, problem in broken:
            # one line each, whatever the error holds
            message = " ".join(f"{type(problem).__name__}: {problem}".split())
            _echo(f"{which or 'fixture'} x {path}\n  FAIL  {'loads' if which is None else 'renders':<28} {message}")
        _echo(f"{failed} failed" + (f" ({len(broken)} broken)" if broken else "") if failed
                   else "all checks passed")
    if failed:
        sys.exit(1)


@main.command("preview")
@template_dirs_option
@click.option("--fixtures", "fixture_dirs", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="An extra fixture folder. Repeatable.")
@click.option("--theme", help="A theme name or a theme file.")
@click.option("--port", default=8025, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
def preview_command(template_dirs: tuple[Path, ...], fixture_dirs: tuple[Path, ...], theme: str | None, port: int) -> None:
    """Serve live previews of every template x fixture on http://127.0.0.1:PORT/.

    Pages reload themselves when a template, partial, theme or fixture changes.
    """
    import time

    from ._preview import PreviewServer, serve

    _check_theme(theme, template_dirs)
    try:
        httpd = serve(PreviewServer(template_dirs, fixture_dirs, theme), port=port)
    except OSError as err:
        raise _Failed(f"cannot listen on 127.0.0.1:{port}: {err.strerror or err}") from err
    _echo(f"mailkit preview on http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C stops it)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        httpd.shutdown()
        httpd.server_close()


@main.command("new-template")
@click.argument("name")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Project folder: templates/, fixtures/ and tests/ go under it.")
def new_template_command(name: str, root: Path) -> None:
    """Scaffold template NAME with a sample fixture and a snapshot test."""
    from ._scaffold import new_template

    try:
        written = new_template(name, root)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    for path in written:
        _echo(f"wrote {path}")
    _echo(f"next: mailkit preview --templates {root / 'templates'} --fixtures {root / 'fixtures'}")
    _echo(f"      python -m pytest {root / 'tests'}   (the first run writes the snapshots)")


@main.command("send")
@click.argument("template")
@click.argument("fixture", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "to", required=True, help="Recipient address.")
@click.option("--from", "from_address", metavar="ADDR", help="Sender address (default: the fixture's).")
@click.option("--from-name", metavar="NAME", help="The sender's name (default: the fixture's, else the newsletter's).")
@click.option("--smtp", "smtp", default="127.0.0.1:25", show_default=True, help="SMTP server as HOST:PORT.")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect with implicit TLS (usually port 465).")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS (usually port 587).")
@click.option("--insecure-login", is_flag=True,
              help="Allow a login without TLS, to a server on this machine (loopback) only.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds for the whole exchange with the server.")
@click.option("--theme", help="A theme name or a theme file.")
@template_dirs_option
def send_command(template: str, fixture: Path, to: str, from_address: str | None, from_name: str | None, smtp: str,
                 use_ssl: bool, starttls: bool, insecure_login: bool, timeout: float, theme: str | None,
                 template_dirs: tuple[Path, ...]) -> None:
    """Send one test email, for a look in a real mail client.

    Login, if the server needs it, comes from MAILKIT_SMTP_USER and
    MAILKIT_SMTP_PASSWORD, and is only sent encrypted (--ssl or --starttls).
    """
    from ._send import send

    if use_ssl and starttls:
        raise click.UsageError("--ssl and --starttls: choose one")
    host, _, port = smtp.rpartition(":")
    if not host or html_integer(port, 1, 65535) is None:
        raise click.BadParameter(f"{smtp!r}: use HOST:PORT", param_hint="'--smtp'")
    _check_theme(theme, template_dirs)
    try:
        email = render(template, fixture, RenderOptions(template_dirs=template_dirs, theme=theme))
        send(email, to=to, host=host.strip("[]"), port=int(port), starttls=starttls, use_ssl=use_ssl,
             user=os.environ.get("MAILKIT_SMTP_USER"), password=os.environ.get("MAILKIT_SMTP_PASSWORD"),
             insecure_loopback_login=insecure_login, sender=sender_option(email, from_address, from_name),
             timeout=timeout)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    _echo(f"sent {email.subject!r} to {to} through {smtp}")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def _progress_line(progress: Any) -> str:
    total = f"/{progress.total}" if progress.total is not None else ""
    return (f"\rsent {progress.sent}  deferred {progress.deferred}  failed {progress.failed}  "
            f"skipped {progress.skipped}  ({progress.done}{total})  {progress.rate:.0f}/s  "
            f"left {_duration(progress.time_left)}   ")


def _deliver_on_celery(prepared: Any, recipients: Any, transport: Any, broker: str, sender: Sender | None,
                       rate: float | None, retry: Any, show: bool, smtp: str, batch: int, stall: float) -> None:
    try:
        from ._deliver import Progress
        from .celery import enqueue, follow
    except ImportError as err:
        raise _Failed(f"--celery needs Celery and redis-py: pip install 'mailkit[celery]' ({err})") from err
    import redis

    interrupted = False
    try:
        journal, total = enqueue(prepared, recipients, transport, broker=broker, sender=sender, retry=retry,
                                 rate_per_worker=rate, batch=batch)
        _echo(f"queued {total} recipients on {broker}; waiting for the workers", err=True)
        progress = Progress(total=total)

        def seen(latest: Any) -> None:
            nonlocal progress
            progress = latest  # what an interrupted run reports
            if show:
                click.echo(_progress_line(latest), err=True, nl=False)

        try:
            progress = follow(journal, total, stall=stall, on_progress=seen)
        except KeyboardInterrupt:  # Ctrl-C stops following, not the workers: the report so far, and exit 3
            interrupted = True
        problems = journal.problems()
    except redis.RedisError as err:
        raise _Failed(f"--celery {broker}: {err}") from err
    if show:
        click.echo("", err=True)
    _echo(f"{progress.sent} accepted through {smtp} by the Celery workers, {progress.deferred} deferred, "
               f"{progress.failed} failed, {progress.skipped} already done by an earlier run; "
               f"{progress.elapsed:.1f} s")
    _echo_problems(problems)
    if interrupted:
        click.echo("interrupted: the queued batches go on in the workers; the same command again follows them "
                   "(a resume: nothing recorded as sent is sent again)")
    # a reader an earlier run failed is skipped, and was never accepted either (as deliver()'s report.ok)
    if interrupted or progress.deferred or progress.failed or journal.done_before.get("failed"):
        sys.exit(3)


@main.command("deliver")
@click.argument("template")
@click.argument("fixture", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--recipients", "recipients_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A CSV file (header: email, first_name, unsubscribe_url, preferences_url, link_params) "
                   "or JSON Lines (.jsonl).")
@click.option("--smtp", "smtp", default="127.0.0.1:25", show_default=True, help="SMTP server as HOST:PORT.")
@click.option("--connections", default=4, show_default=True, type=click.IntRange(1, 256),
              help="SMTP connections kept open.")
@click.option("--rate", type=click.FloatRange(min=0.001, min_open=False), default=None,
              help="At most this many messages a second, overall.")
@click.option("--rate-per-connection", type=click.FloatRange(min=0.001), default=None,
              help="At most this many messages a second on each connection.")
@click.option("--attempts", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Tries for a temporary failure (4xx, dropped connection) before it stays deferred.")
@click.option("--retry-delay", default=2.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds before the first retry; doubled each time, with jitter.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="SQLite journal of each recipient's state (needed for --resume).")
@click.option("--resume", is_flag=True, help="Continue the run the journal records; nothing it saw accepted is sent.")
@click.option("--dry-run", is_flag=True, help="Write the messages to --out instead of sending them.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("deliver.mbox"), show_default=True,
              help="--dry-run's destination: an mbox file (.mbox, or /dev/null to discard), else a folder of .eml.")
@click.option("--from", "from_address", metavar="ADDR", help="Sender address (default: the fixture's).")
@click.option("--from-name", metavar="NAME", help="The sender's name (default: the fixture's, else the newsletter's).")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect with implicit TLS (usually port 465).")
@click.option("--starttls", is_flag=True, help="Upgrade each connection with STARTTLS (usually port 587).")
@click.option("--insecure-login", is_flag=True,
              help="Allow a login without TLS, to a server on this machine (loopback) only.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds for each read or write on a connection.")
@click.option("--dkim-key", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Sign each message with this PEM private key (needs mailkit[dkim]).")
@click.option("--dkim-selector", default=None, help="The DKIM selector (with --dkim-key).")
@click.option("--dkim-domain", default=None, help="The signing domain (default: the sender's).")
@click.option("--celery", "celery_broker", metavar="REDIS_URL", default=None,
              help="Queue batches for Celery workers (celery -A mailkit.celery worker) and follow them; "
                   "MAILKIT_CELERY_SECRET, the same for the workers, signs the stored email.")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Recipients per Celery task (with --celery).")
@click.option("--celery-stall", default=120.0, show_default=True, type=click.FloatRange(min=0.1),
              help="With --celery: seconds without progress after which the workers are pinged; "
                   "when none answers, the command stops saying so (the batches stay queued).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--theme", help="A theme name or a theme file.")
@template_dirs_option
def deliver_command(template: str, fixture: Path, recipients_file: Path, smtp: str, connections: int,
                    rate: float | None, rate_per_connection: float | None, attempts: int, retry_delay: float,
                    journal: Path | None, resume: bool, dry_run: bool, out: Path, from_address: str | None,
                    from_name: str | None, use_ssl: bool, starttls: bool, insecure_login: bool, timeout: float,
                    dkim_key: Path | None, dkim_selector: str | None, dkim_domain: str | None,
                    celery_broker: str | None, batch: int, celery_stall: float, quiet: bool, theme: str | None,
                    template_dirs: tuple[Path, ...]) -> None:
    """Send one email to every reader in a recipients file, through a pool of SMTP connections.

    Exit status 0 when every recipient was accepted, 3 when some were not
    (failed, still deferred, or the run was interrupted), 1 on an error.
    """
    from ._deliver import RetryPolicy, count_recipients, deliver, read_recipients
    from ._personalize import BulkMessages
    from ._render import prepare
    from ._smtp import DirectoryTransport, MboxTransport, SMTPTransport, Transport

    if use_ssl and starttls:
        raise click.UsageError("--ssl and --starttls: choose one")
    if (dkim_key is None) != (dkim_selector is None):
        raise click.UsageError("--dkim-key and --dkim-selector go together")
    if resume and journal is None:
        raise click.UsageError("--resume needs the --journal of the run to continue")
    _distinct_files({"--recipients": recipients_file, "--journal": journal, "--out": out if dry_run else None})
    host, _, port = smtp.rpartition(":")
    if not host or html_integer(port, 1, 65535) is None:
        raise click.BadParameter(f"{smtp!r}: use HOST:PORT", param_hint="'--smtp'")
    try:
        prepared = prepare(template, fixture, RenderOptions(template_dirs=template_dirs, theme=theme))
        sender = sender_option(prepared.personalize(None), from_address, from_name)
        transport: Transport
        if dry_run:
            mbox = out.suffix == ".mbox" or str(out) == os.devnull
            # an mbox is appended to and a folder keeps its files: a second dry run would leave the first's
            # messages beside its own, and what the operator inspects would not be what is sent
            earlier = (out.is_file() and out.stat().st_size > 0) or (out.is_dir() and any(out.iterdir()))
            if earlier and not resume:
                raise _Failed(f"--out {out} already holds messages of an earlier run: remove it, name another, "
                              "or continue that run with --journal ... --resume")
            transport = MboxTransport(out) if mbox else DirectoryTransport(out)
        else:
            transport = SMTPTransport(host=host.strip("[]"), port=int(port), connections=connections,
                                      starttls=starttls, use_ssl=use_ssl, user=os.environ.get("MAILKIT_SMTP_USER"),
                                      password=os.environ.get("MAILKIT_SMTP_PASSWORD"),
                                      insecure_loopback_login=insecure_login, timeout=timeout,
                                      rate_per_connection=rate_per_connection)
        signer = None
        if dkim_key is not None and dkim_selector is not None:
            from ._dkim import DkimSigner

            domain = dkim_domain or BulkMessages(prepared, sender=sender).sender.address.rpartition("@")[2]
            signer = DkimSigner(selector=dkim_selector, domain=domain, private_key=dkim_key.read_bytes())
        total = count_recipients(recipients_file) if recipients_file.is_file() else None
        show = not quiet and sys.stderr.isatty()
        if celery_broker is not None:
            if dry_run or signer is not None or not isinstance(transport, SMTPTransport):
                raise click.UsageError("--celery sends through SMTP: not with --dry-run or --dkim-key (yet)")
            _deliver_on_celery(prepared, read_recipients(recipients_file), transport, celery_broker, sender, rate,
                               RetryPolicy(attempts=attempts, first_delay=retry_delay), show, smtp, batch,
                               celery_stall)
            return
        report = deliver(prepared, read_recipients(recipients_file), transport, journal=journal, resume=resume,
                         rate=rate, retry=RetryPolicy(attempts=attempts, first_delay=retry_delay), sender=sender,
                         dkim=signer, total=total,
                         on_progress=(lambda p: click.echo(_progress_line(p), err=True, nl=False)) if show else None)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    except OSError as err:
        raise _Failed(f"{err.filename or recipients_file}: {err.strerror or err}") from err
    if show:
        click.echo("", err=True)
    where = f"written to {out}" if dry_run else f"through {smtp}"
    _echo(f"{'dry run: ' if dry_run else ''}{report.sent} accepted {where}, {report.deferred} deferred, "
               f"{report.failed} failed, {report.skipped} already done by an earlier run; "
               f"{report.seconds:.1f} s ({(report.sent + report.deferred + report.failed) / max(report.seconds, 1e-9):.0f}/s)")
    _echo_problems(report.problems)
    if report.interrupted:
        _echo(f"interrupted: continue with --resume{' --journal ' + str(journal) if journal else ''}")
    if not report.ok:
        sys.exit(3)


def _echo_problems(problems: list[tuple[int, str, str, str]]) -> None:
    """The readers not accepted, one line each, on one machine or on Celery alike."""
    for position, email, state, reply in problems:  # from the file and the server: shown, never obeyed
        click.echo(_printable(f"  recipients[{position}] {email}: {state}: {reply}"))  # one line, whatever it holds


def _distinct_files(paths: dict[str, Path | None]) -> None:
    """A usage error when two of deliver's file options name one file (through a symlink, ``./``, a hard link):
    the journal written into the recipients file, or the dry run's mbox appended to it."""
    named = [(option, path) for option, path in paths.items() if path is not None and path.exists()]
    for n, (option, path) in enumerate(named):
        for other, other_path in named[n + 1:]:
            if os.path.samefile(path, other_path):
                raise click.UsageError(f"{other} {other_path} is the {option.lstrip('-')} file {path}: "
                                       f"give {other} a file of its own")


@main.command("schema")
@click.option("--theme", "theme", is_flag=True, help="The schema of theme files instead of fixtures.")
def schema_command(theme: bool) -> None:
    """Print the JSON Schema of fixture (or theme) files, for editors' autocompletion."""
    click.echo(json.dumps(theme_schema() if theme else edition_schema(), indent=2, ensure_ascii=False))


# Commands that leave nothing open when they return (their files are written and
# closed by write_set, their output is on stdout and stderr): after one of them the
# process may end at once (see _end_now).
_ENDS_AT_ONCE = frozenset({"render", "templates", "schema"})
_finished: list[str] = []  # the command that returned without an error, if one did


def _end_now() -> None:
    """End the process after a command that succeeded, as the interpreter would but faster.

    The interpreter ends by running the atexit handlers, flushing stdout and
    stderr, then freeing every module and object one by one: about 10 ms of a
    cold ``mailkit render`` (median of 15 fresh processes each, interleaved:
    0.325 -> 0.315 s CPU), for memory the system takes back anyway. Here the
    handlers run and the streams are flushed as at any exit, then the process
    ends (``os._exit``). Not when a thread is still running (the interpreter
    waits for it) or a stream cannot be flushed (a closed pipe: the
    interpreter reports it as it always has): then this returns and the
    interpreter ends as usual.
    """
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's, what Py_Finalize runs first
    if threading.active_count() > 1 or run_exit_handlers is None:
        return
    run_exit_handlers()  # each handler runs once: the interpreter's own pass finds none left
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):  # a closed pipe or stream, or none (pythonw)
        return
    os._exit(0)


def run() -> None:
    """The ``mailkit`` command as a process of its own (``python -m mailkit`` and the console script,
    through :func:`mailkit.__main__.run`, which keeps the collector off while this module's imports load).

    Python's cyclic garbage collector is told, for this process only (the
    library never touches it: a caller's process keeps its collector as it
    was), that what is loaded so far stays: every module, class and compiled
    pattern imported above lives as long as the process, so no collection
    needs to walk it again; and at exit that nothing is left to collect, so
    the interpreter does not walk every object once more before it ends (the
    commands close their files, connections and journal themselves, and
    atexit handlers and the flushing of stdout still run). Measured on a cold
    ``mailkit render breaking`` (median of 11, quiet machine): 0.524 s before,
    0.427 s after; most of it was the collection at exit. The collector is
    on while the command runs (a delivery to a million readers makes garbage).
    After ``render``, ``templates`` or ``schema`` the process ends at once (:func:`_end_now`).
    """
    gc.freeze()
    gc.enable()
    try:
        main()
    except SystemExit as done:
        gc.freeze()
        if done.code in (None, 0) and _finished and _finished[-1] in _ENDS_AT_ONCE:
            _end_now()
        raise
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
