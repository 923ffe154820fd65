"""Stage 2, compile: MJML text to HTML with MRML (mjml-python)."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ._errors import MjmlCompileError
from ._languages import is_language_tag
from ._markers import VOICE_CLASS_PREFIX
from ._mrml import MrmlError, mjml_to_html
from ._paths import template_dirs
from ._sanitize import current_limits, safe_url

__all__ = ["CompileOptions", "compile_mjml", "voice_images"]


@dataclass(frozen=True, kw_only=True)
class CompileOptions:
    """Options for :func:`compile_mjml`.

    ``web_fonts`` maps a font name to its CSS URL (https, checked by
    :func:`mailkit._sanitize.safe_url`); MRML links a font only when
    it is named, and by default links Google Fonts for Roboto, Open Sans and
    others whenever a font-family mentions them. Empty by default: rendering
    stays offline and Outlook on Windows ignores web fonts anyway.
    """

    web_fonts: dict[str, str] = field(default_factory=dict)
    keep_comments: bool = True
    template: str | None = None
    extra_dirs: tuple[str | Path, ...] = ()


# MRML writes <mj-preview> as the body's first element, hidden as white 1px
# text. Spam filters score exactly that: SpamAssassin's HTML_FONT_LOW_CONTRAST
# (white on a white body, 0.7 of its 5 points) and, with the colour gone,
# FONT_INVIS_MSGID for the 1px font (1.0). PREVIEW_STYLE hides it without
# either: display:none (Gmail, Apple Mail, Outlook.com, Yahoo), mso-hide:all
# (Outlook on Windows, whose Word engine ignores display:none), and a zero
# box with its overflow hidden for a client that drops display:none.
MRML_PREVIEW_STYLE = ("display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;"
                      "opacity:0;overflow:hidden;")
PREVIEW_STYLE = "display:none;max-height:0px;max-width:0px;opacity:0;overflow:hidden;mso-hide:all;"
_MRML_PREVIEW = re.compile(r'(<body\b[^>]*>\s*<div style=")' + re.escape(MRML_PREVIEW_STYLE) + '"')


def _restyle_preview(html: str) -> str:
    """The preheader div hidden without low-contrast or tiny text (see PREVIEW_STYLE)."""
    # searched from the first "<body" (str.find, in C), where any match starts: the
    # pattern tried at every "<" of the head's styles was 0.06 ms of a 60-story digest
    start = html.find("<body")
    m = _MRML_PREVIEW.search(html, start) if start >= 0 else None
    if m is None:
        return html
    return f'{html[:m.start()]}{m.group(1)}{PREVIEW_STYLE}"{html[m.end():]}'


# MRML (like MJML) drops lang and dir on <mj-image>, and has no mj-html-attributes
# to add them; a story image's alt text would be read in the email's language.
# The templates name the story's language in the image's css-class
# (" mk-voice--fr--ltr", mailkit._media.voice_class), which MRML writes on the
# <td> around the image; voice_images moves it onto that <img>.
_VOICE_CLASS = re.compile(" " + VOICE_CLASS_PREFIX + r'([A-Za-z0-9-]+?)--(ltr|rtl|auto)(?=[\s"])')


def voice_images(html: str) -> str:
    """Each image marked with a story's language (``css-class="mk-img mk-voice--fr--ltr"``)
    gets ``lang`` and ``dir`` on its ``<img>``; the marker leaves the HTML."""
    if VOICE_CLASS_PREFIX not in html:  # no story in another language (str's search, in C: 0.06 ms -> 5 us)
        return html
    out: list[str] = []
    pos = 0
    marks = list(_VOICE_CLASS.finditer(html))
    for i, m in enumerate(marks):
        out.append(html[pos : m.start()])
        pos = m.end()
        lang, direction = m.groups()
        # the image is the next one, before the next marker (MRML: <td class> <table> ... <img>)
        img = html.find("<img ", pos, marks[i + 1].start() if i + 1 < len(marks) else len(html))
        if img < 0 or not is_language_tag(lang):
            continue
        out.append(html[pos:img])
        out.append(f'<img lang="{lang}" dir="{direction}" ')
        pos = img + len("<img ")
    out.append(html[pos:])
    return "".join(out)


def _line_col(source: str, offset: int) -> tuple[int, int]:
    before = source.encode("utf-8")[:offset].decode("utf-8", "ignore")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


class _Refused(Exception):
    pass


class _IncludeLoader:
    """Resolves mj-include paths inside the template folders only.

    MRML swallows the loader's exception and reports only "unable to load
    included template", so the reason is kept here and reported by
    :func:`compile_mjml`.
    """

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.dirs = tuple(dirs)
        self.problem: str | None = None
        self.loads = 0

    @cached_property
    def roots(self) -> list[Path]:
        # resolved at the first mj-include, not for every compile (a template
        # without one, as every shipped template is, never asks): 14 us a
        # render for the packaged folder alone, a lstat per part of its path
        return [d.resolve() for d in self.dirs]

    def __call__(self, path: str) -> str:
        try:
            return self._load(path)
        except _Refused as err:
            self.problem = str(err)
            raise

    def _load(self, path: str) -> str:
        roots = self.roots
        # MRML follows includes without a depth limit: a file that includes
        # itself overflowed its stack (a segfault, not an error), and two
        # includes of a file that includes another twice ... grow as 2**n
        self.loads += 1
        most = current_limits().max_mj_includes
        if self.loads > most:
            raise _Refused(f"mj-include {path!r} refused: over {most} mj-include loads "
                           "in one template (does a file include itself?) (Limits.max_mj_includes)")
        # mj-include may only read files inside the template folders: no
        # absolute paths, no "../" escapes, no symlinks out of a folder.
        if path.startswith(("/", "\\")) or "\x00" in path or ":" in path:
            raise _Refused(f"mj-include {path!r} refused: only paths inside the template folders")
        for root in roots:
            target = (root / path).resolve()
            if not target.is_relative_to(root):
                raise _Refused(f"mj-include {path!r} refused: it leaves the template folder")
            if target.is_file():
                return target.read_text(encoding="utf-8")
        raise _Refused(f"mj-include {path!r}: no such file in the template folders")


def _web_fonts(web_fonts: dict[str, str]) -> dict[str, str]:
    # CompileOptions is public: its URLs pass the same gate as the models' (a theme's are canonical
    # already), so what MRML writes unquoted into CSS holds no "(", ")", ";", quote or space
    return {name: safe_url(url, kind="font-css", field=f"web_fonts[{name!r}]") for name, url in web_fonts.items()}


def _escape_font_links(html: str, web_fonts: dict[str, str]) -> str:
    # MRML writes a font's <link href="..."> with "<" and ">" escaped but "&" raw (pinned in
    # tests/test_hostile_urls.py): "?a=1&copy%3D" would read as "?a=1©%3D". A canonical URL has no
    # "<>\"", so escaping "&" is all that is left to do.
    for url in web_fonts.values():
        if "&" in url:
            html = html.replace(f'<link href="{url}"', f'<link href="{html_lib.escape(url)}"')
    return html


def compile_mjml(source: str, options: CompileOptions = CompileOptions()) -> str:
    """Compile MJML to HTML. Errors become :class:`MjmlCompileError` with line and column."""
    loader = _IncludeLoader(template_dirs(options.extra_dirs))
    fonts = _web_fonts(options.web_fonts)
    try:
        html = mjml_to_html(source, keep_comments=options.keep_comments, fonts=fonts, include_loader=loader)
    except MrmlError as err:
        line = col = None
        if err.offset is not None:
            line, col = _line_col(source, err.offset)
        raise MjmlCompileError(loader.problem or err.message, template=options.template,
                               line=line, column=col) from err
    return voice_images(_restyle_preview(_escape_font_links(html, fonts)))
