"""The ``mailkit`` command: render, list templates, print the fixture schema.

Two kinds of error, never a traceback:

- a usage error (unknown command or option, missing argument, an option value
  that cannot be right: an unknown ``--theme``, a missing ``--templates``
  folder, a bad ``--smtp`` or ``--port``) prints click's usage line, a hint
  and ``Error: ...``, and exits 2;
- anything else (a :class:`~mailkit.errors.MailkitError`, a file that cannot
  be written) prints one line, ``mailkit: error: ...``, and exits 1.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from .compose import list_templates
from .errors import MailkitError
from .fixtures import edition_schema, find_theme, no_theme_message, theme_names, theme_schema
from .render import RenderedEmail, RenderOptions, render

__all__ = ["main"]


class _Failed(click.ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"mailkit: error: {self.message}", err=True)


_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _atomic_write(path: Path, data: str | bytes) -> None:
    # write to a temporary file beside the target, then rename: a failed render
    # never leaves a half-written file behind.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(email: RenderedEmail, out_dir: Path, stem: str, *, eml: str | None = None) -> list[Path]:
    """Write ``STEM.html``, ``STEM.txt``, ``STEM.mjml`` (and ``STEM.eml``) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, str | bytes] = {".html": email.html, ".txt": email.text, ".mjml": email.mjml}
    if eml:
        from .message import message_bytes

        outputs[".eml"] = message_bytes(email, to=eml)
    paths = []
    for suffix, data in outputs.items():
        path = out_dir / f"{stem}{suffix}"
        _atomic_write(path, data)
        paths.append(path)
    return paths


def _check_theme(theme: str | None, template_dirs: tuple[Path, ...]) -> None:
    # a theme that does not exist is the option's fault, not the fixture's
    # (render() itself would say "options.theme: ...")
    if theme is not None and find_theme(theme, template_dirs) is None:
        raise click.BadParameter(no_theme_message(theme, template_dirs), param_hint="'--theme'")


template_dirs_option = click.option(
    "--templates", "template_dirs", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="An extra template folder; its templates override the packaged ones. Repeatable.",
)


class _Commands(click.Group):
    """Every command's MailkitError or OSError becomes one line and exit 1, even where a
    command does not catch it itself (the commands catch what they can say better)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MailkitError as err:
            raise _Failed(str(err)) from err
        except OSError as err:
            where = f"{err.filename}: " if err.filename else ""
            raise _Failed(f"{where}{err.strerror or err}") from err


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
@click.option("--strict", is_flag=True, help="Fail on deliverability warnings.")
def render_command(template: str, fixture: Path, out_dir: Path, theme: str | None,
                   template_dirs: tuple[Path, ...], eml: bool, to: str, strict: bool) -> None:
    """Render FIXTURE (a .yaml or .json edition) with TEMPLATE and write the files."""
    _check_theme(theme, template_dirs)
    try:
        email = render(template, fixture, RenderOptions(template_dirs=template_dirs, theme=theme, strict=strict))
        stem = f"{template}--{fixture.stem}" + (f"--{Path(theme).stem}" if theme else "")
        paths = write_outputs(email, out_dir, stem, eml=to if eml else None)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    except OSError as err:
        raise _Failed(f"cannot write to {out_dir}: {err.strerror or err}") from err
    click.echo(f"Subject:   {email.subject}")
    click.echo(f"Preheader: {email.preheader}")
    for warning in email.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in paths:
        click.echo(f"wrote {path}")


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
        click.echo(f"{t.name:<{width}}  {t.description}")


def fixture_pairs(template_dirs: tuple[Path, ...], fixture_dirs: tuple[Path, ...]) -> list[tuple[str, Path]]:
    """Every (template, fixture file) pair in the given fixture folders and the packaged one."""
    from .fixtures import fixture_pairs as pairs
    from .paths import FIXTURES_DIR

    return pairs(template_dirs, (*fixture_dirs, FIXTURES_DIR))


@main.command("check")
@click.argument("template", required=False)
@click.argument("fixture", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "check_all", is_flag=True, help="Check every template with every fixture that names it.")
@click.option("--fixtures", "fixture_dirs", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="An extra fixture folder for --all. Repeatable.")
@click.option("--theme", help="A theme name or a theme file.")
@template_dirs_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_command(template: str | None, fixture: Path | None, check_all: bool, fixture_dirs: tuple[Path, ...],
                  theme: str | None, template_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Deliverability and accessibility checks; exits 1 when any fails.

    Size against Gmail's clip, style size, alt text, link schemes, preheader,
    subject length, lang and dir, and the contrast of every text colour in
    light and dark mode.
    """
    from .checks import run_checks

    if not check_all and not (template and fixture):
        raise click.UsageError("give TEMPLATE and FIXTURE, or --all")
    if check_all and (template or fixture):
        raise click.UsageError("give TEMPLATE and FIXTURE, or --all, not both")
    _check_theme(theme, template_dirs)
    try:
        pairs = fixture_pairs(template_dirs, fixture_dirs) if check_all else [(str(template), Path(str(fixture)))]
        results = [
            (name, path, run_checks(render(name, path, RenderOptions(template_dirs=template_dirs, theme=theme))))
            for name, path in pairs
        ]
    except MailkitError as err:
        raise _Failed(str(err)) from err
    failed = sum(1 for _, _, checks in results for c in checks if not c.ok)
    if as_json:
        report = [{"template": name, "fixture": str(path), "checks": [c.as_dict() for c in checks]}
                  for name, path, checks in results]
        click.echo(json.dumps({"failed": failed, "results": report}, indent=2, ensure_ascii=False))
    else:
        for name, path, checks in results:
            click.echo(f"{name} x {path}")
            for c in checks:
                click.echo(f"  {'PASS' if c.ok else 'FAIL'}  {c.name:<28} {c.detail}")
        click.echo(f"{failed} failed" if failed else "all checks passed")
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

    from .preview import PreviewServer, serve

    _check_theme(theme, template_dirs)
    try:
        httpd = serve(PreviewServer(template_dirs, fixture_dirs, theme), port=port)
    except OSError as err:
        raise _Failed(f"cannot listen on 127.0.0.1:{port}: {err.strerror or err}") from err
    click.echo(f"mailkit preview on http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C stops it)")
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
    from .scaffold import new_template

    try:
        written = new_template(name, root)
    except MailkitError as err:
        raise _Failed(str(err)) from err
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: mailkit preview --templates {root / 'templates'} --fixtures {root / 'fixtures'}")
    click.echo(f"      python -m pytest {root / 'tests'}   (the first run writes the snapshots)")


@main.command("send")
@click.argument("template")
@click.argument("fixture", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "to", required=True, help="Recipient address.")
@click.option("--smtp", "smtp", default="127.0.0.1:25", show_default=True, help="SMTP server as HOST:PORT.")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS.")
@click.option("--theme", help="A theme name or a theme file.")
@template_dirs_option
def send_command(template: str, fixture: Path, to: str, smtp: str, starttls: bool, theme: str | None,
                 template_dirs: tuple[Path, ...]) -> None:
    """Send one test email, for a look in a real mail client.

    Login, if the server needs it, comes from MAILKIT_SMTP_USER and MAILKIT_SMTP_PASSWORD.
    """
    from .send import send

    host, _, port = smtp.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"{smtp!r}: use HOST:PORT", param_hint="'--smtp'")
    _check_theme(theme, template_dirs)
    try:
        email = render(template, fixture, RenderOptions(template_dirs=template_dirs, theme=theme))
        send(email, to=to, host=host, port=int(port), starttls=starttls,
             user=os.environ.get("MAILKIT_SMTP_USER"), password=os.environ.get("MAILKIT_SMTP_PASSWORD"))
    except MailkitError as err:
        raise _Failed(str(err)) from err
    click.echo(f"sent {email.subject!r} to {to} through {smtp}")


@main.command("schema")
@click.option("--theme", "theme", is_flag=True, help="The schema of theme files instead of fixtures.")
def schema_command(theme: bool) -> None:
    """Print the JSON Schema of fixture (or theme) files, for editors' autocompletion."""
    click.echo(json.dumps(theme_schema() if theme else edition_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
