"""Untrusted-input handling: characters, URLs, body HTML and limits.

Everything that reaches a template passes through here first. The rules are
deliberately strict and documented in the README ("Untrusted input"):

* text fields: C0 control characters (other than tab/newline/CR), U+FFFE/U+FFFF,
  lone surrogates and bidi *overrides/embeddings* (U+202A-U+202E) are refused
  with the field and position named; isolates (U+2066-U+2069) and marks
  (U+200E/U+200F) are legitimate in right-to-left text and kept;
* URLs: links may be https, http, mailto or tel; images https, http or cid;
* body HTML: nh3 (ammonia) with an email-safe allowlist; dropped URLs are
  reported as warnings, never silently;
* limits: see :data:`LIMITS`.
"""

from __future__ import annotations

import html as html_lib
import ipaddress
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Literal
from urllib.parse import SplitResult, parse_qs, quote, unquote, urljoin, urlsplit, urlunsplit

import idna
import lxml.html
import nh3

from ._embeds import (
    POST_CLASSES,
    convert_embeds,
    count_markup,
    foreign_text,
    html_integer,
    normalize_images,
    parse_fragment,
    serialize_fragment,
)
from ._errors import LimitExceededError, UnsafeUrlError
from ._markers import (
    CELL_LABEL_ATTR,
    EMBED_CLASS,
    EMBED_LINK_CLASS,
    EMBED_TITLE_CLASS,
    LAYOUT_TABLE_CLASS,
    NUMBER_CLASS,
    STACKED_TABLE_CLASS,
    TABLE_CLASS,
    WIDE_TABLE_CLASS,
)
from ._office import has_office_shapes, normalize_office
from ._warning import RenderWarning

__all__ = [
    "LIMITS",
    "Limits",
    "SanitizedHtml",
    "UrlKind",
    "WHOLE_TAG",
    "check_references",
    "check_text",
    "current_limits",
    "cut_body",
    "encode_for_mrml",
    "limits_in_force",
    "raw_depth_exceeds",
    "resolve_url",
    "safe_url",
    "sanitize_body",
    "short_references",
]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Documented input limits, enforced before input reaches MRML or lxml.

    MRML segfaults at about 2,000 nested elements and libxml2 (premailer's
    parser) silently truncates at depth 256, dropping the footer; the
    template itself adds about 20 levels, hence the body depth limit.

    A fixture or theme file is refused over ``max_file_bytes`` before it is
    parsed (a few bodies at their limit, with room to spare); its data, or a
    dict passed to ``render()``, over ``max_data_depth`` nested mappings and
    lists (a fixture needs about 8) or ``max_data_values`` values in all (60
    stories need about 600): see :mod:`mailkit._reader`.
    """

    max_body_bytes: int = 300_000
    max_body_depth: int = 32
    max_stories: int = 60
    max_field_chars: int = 5_000
    # Gmail drops a <style> block over 16 KiB entirely: a larger one is a
    # deliverability warning (mailkit._checks), the check's one limit
    max_style_bytes: int = 16_384
    max_file_bytes: int = 2_000_000
    max_data_depth: int = 16
    max_data_values: int = 20_000
    max_table_rows: int = 200
    max_table_columns: int = 12
    # author templates (mailkit._sandbox): the characters a template may write,
    # and the longest string or list it may build on the way; loop iterations
    # and macro calls; wall-clock time. A digest of 60 stories writes about
    # 27,000 characters in under 100 steps and a few milliseconds.
    max_template_output: int = 2_000_000
    max_template_steps: int = 20_000
    max_template_seconds: float = 1.0  # of the rendering thread's CPU time (load elsewhere does not count)
    # mj-include loads in one render (MRML recurses without a limit)
    max_mj_includes: int = 100


LIMITS = Limits()

# The limits of the render under way: a Renderer's own, set for the duration of
# one render (``limits_in_force``); LIMITS outside any. A context variable, not a
# module global, so renders with different limits in other threads (or asyncio
# tasks) at the same time each keep their own.
_IN_FORCE: ContextVar[Limits] = ContextVar("mailkit_limits", default=LIMITS)


def current_limits() -> Limits:
    """The limits in force: the rendering :class:`mailkit.Renderer`'s, else :data:`LIMITS`."""
    return _IN_FORCE.get()


@contextmanager
def limits_in_force(limits: Limits) -> Iterator[Limits]:
    """Make ``limits`` the ones every check reads (:func:`current_limits`) inside the ``with`` block,
    in this thread or task only; the previous ones are back afterwards, whatever happens."""
    token = _IN_FORCE.set(limits)
    try:
        yield limits
    finally:
        _IN_FORCE.reset(token)


UrlKind = Literal["link", "image", "font-css"]

_LINK_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
_IMAGE_SCHEMES = frozenset({"https", "http", "cid"})
# a web font's CSS is fetched by the reader's client: https only (no mixed content)
_SCHEMES: dict[str, frozenset[str]] = {"link": _LINK_SCHEMES, "image": _IMAGE_SCHEMES, "font-css": frozenset({"https"})}
# C0 controls except \t \n \r, DEL, C1 controls, non-characters, bidi embeddings/overrides.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\ud800-\udfff]"
)


def check_text(value: str) -> str | None:
    """Return a message naming the first forbidden character in ``value``, or None."""
    m = _FORBIDDEN.search(value)
    if m is None:
        return None
    ch = m.group()
    kind = (
        "lone surrogate" if "\ud800" <= ch <= "\udfff"
        else "bidi override" if "\u202a" <= ch <= "\u202e"
        else "non-character" if ch in "\ufffe\uffff"
        else "control character"
    )
    return f"{kind} U+{ord(ch):04X} at position {m.start()}"


# a numeric character reference as HTML reads one: the semicolon optional
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX][0-9a-fA-F]+|[0-9]+);?")


def _code_point(reference: str) -> int:
    """The number a numeric character reference writes; past U+10FFFF for anything longer."""
    written = reference.strip("&#;")
    base = 16 if written[0] in "xX" else 10
    digits = written.lstrip("xX").lstrip("0") or "0"  # "&#x00000001b;" is ESC too
    if len(digits) > 8:  # and int() refuses 4,300 decimal digits with a ValueError
        return 0x110000
    return int(digits, base)


def _short_reference(m: re.Match[str]) -> str:
    code = _code_point(m.group())
    return f"&#x{code:X};" if code <= 0x10FFFF else "&#xFFFD;"


def short_references(html: str) -> str:
    """``html`` with every numeric character reference over 10 characters written short.

    ``&#`` and 5,000 digits (or zeros before the number) is a character as HTML
    reads it (U+FFFD past U+10FFFF), but html.unescape, which every stage uses,
    raised ValueError on it (Python's 4,300-digit limit for int()).
    """
    if "&#" not in html:
        return html
    return _NUMERIC_REFERENCE.sub(lambda m: m.group() if len(m.group()) <= 10 else _short_reference(m), html)


def check_references(html: str) -> str | None:
    """Return a message naming the first numeric character reference in ``html`` that
    stands for a character :func:`check_text` refuses, or None.

    Read as the HTML standard reads them (``&#146;`` is Windows-1252's ``’``;
    ``&#0;``, a surrogate and anything past U+10FFFF are U+FFFD), so only what
    would reach the reader as a refused character is refused: ``&#x202E;`` (a
    bidi override), ``&#27;`` (ESC, which MRML cannot even parse), ``&#x7f;``.
    (html.unescape drops ``&#27;`` and ``&#x7f;`` instead, so it cannot tell.)
    """
    if "&#" not in html:
        return None
    for m in _NUMERIC_REFERENCE.finditer(html):
        code = _code_point(m.group())
        if 0x80 <= code <= 0x9F:
            try:
                char = bytes([code]).decode("cp1252")
            except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: the C1 control itself
                char = chr(code)
        elif code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            char = "\ufffd"
        else:
            char = chr(code)
        problem = check_text(char)
        if problem:
            return f"{problem.partition(' at position')[0]} written {m.group()!r} at position {m.start()}"
    return None


_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
# refused anywhere in a URL: whitespace (Unicode's too), C0/C1 controls and DEL, and the two characters
# that end an attribute or a CSS string or start an escape: '"' and '\' (browsers read "\" as "/" in
# http(s) URLs, so "https:\\evil.example" goes to evil.example)
_REFUSED_IN_URL = re.compile(r'[\s\x00-\x1f\x7f-\x9f"\\\ud800-\udfff]')
_ASCII_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# What stays as written in a path, query or fragment: RFC 3986's unreserved and reserved characters
# but "'" (it ends a single-quoted attribute or CSS string) and "#" (only the first one is a
# delimiter). Everything else, non-ASCII, "<>`{}|^" and a "%" not starting an escape, is
# percent-encoded, as browsers do (WHATWG URL's percent-encode sets).
_KEEP = "/:@!$&()*+,;=?%"
# In CSS, MRML writes a web font's URL unquoted, "@import url(URL);": "(" or ")" would end or break
# the url() token and ";" is percent-encoded too, so that nothing in the URL reads as CSS syntax
_KEEP_IN_CSS = "/:@!$&*+,=?%"


def _describe(ch: str) -> str:
    if ch == '"':
        return "a double quote"
    if ch == "\\":
        return "a backslash"
    if "\ud800" <= ch <= "\udfff":
        return f"lone surrogate U+{ord(ch):04X}"
    return f"control character U+{ord(ch):04X}"


def _host(parts: SplitResult) -> str:
    """The canonical ASCII netloc of an http(s) URL: IDNA host (punycode), port kept, no user info."""
    netloc = parts.netloc
    if "@" in netloc:
        # "https://www.nbcnews.com@evil.example/" reads as nbcnews.com and goes to evil.example
        raise UnsafeUrlError("URL has a user name or password before its host (user@host)")
    try:
        port = parts.port
    except ValueError as err:
        raise UnsafeUrlError(f"URL has an invalid port ({err})", unsafe=False) from err
    host = parts.hostname or ""
    if not host:
        raise UnsafeUrlError("not an absolute URL (no host)", unsafe=False)
    if netloc.startswith("["):
        try:
            host = f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError as err:
            raise UnsafeUrlError(f"URL has an invalid IPv6 host ({err})") from err
    elif host.isascii():
        if not _ASCII_HOST.fullmatch(host):
            raise UnsafeUrlError(f"URL has an invalid host name {host[:60]!r}")
    else:
        # IDNA 2008 with UTS 46 mapping, as browsers do: "exаmple.com" with a Cyrillic "а"
        # becomes "xn--exmple-4nf.com", so a homograph shows as what it is
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as err:
            raise UnsafeUrlError(f"URL has an invalid international host name ({err})") from err
    return host if port is None else f"{host}:{port}"


def _encode(part: str, keep: str) -> str:
    return quote(_LONE_PERCENT.sub("%25", part), safe=keep)  # lone surrogates were refused before


def safe_url(value: str, *, kind: UrlKind = "link", field: str = "url") -> str:
    """``value`` as a canonical ASCII URL that is safe in any context, or :class:`UnsafeUrlError`.

    The one gate for every URL mailkit writes (model fields, body links and images,
    web fonts, tagged links). ``kind`` picks the schemes: ``"link"`` https, http,
    mailto, tel; ``"image"`` https, http, cid; ``"font-css"`` https. Refused:
    whitespace, control characters, ``"`` and ``\\`` anywhere, user info before the
    host, a missing host. The host is IDNA-encoded (punycode); path, query and
    fragment are percent-encoded where they hold anything but RFC 3986's
    characters, and ``'`` always (for ``"font-css"`` also ``( ) ;``), so the result
    holds none of ``< > " ' \\ ` { } | ^``, no space and no non-ASCII character:
    safe in an HTML attribute, in CSS ``url()``, in ``List-Unsubscribe: <...>``
    and on a line of text.

    >>> safe_url("https://Exämple.org/ü?q=a>b")
    'https://xn--exmple-cua.org/%C3%BC?q=a%3Eb'
    """
    limit = current_limits().max_field_chars
    if len(value) > limit:
        raise UnsafeUrlError(f"URL is {len(value)} characters, over the limit of {limit}",
                             field=field, unsafe=False)
    try:
        return _canonical(value, kind)
    except UnsafeUrlError as err:
        if field == "url":
            raise
        raise UnsafeUrlError(err.problem, field=field, unsafe=err.unsafe) from err


def _canonical(value: str, kind: UrlKind) -> str:
    allowed = _SCHEMES[kind]
    m = _SCHEME.match(value)
    scheme = m.group(1).lower() if m else ""
    if scheme and scheme not in allowed:
        raise UnsafeUrlError(f"URL scheme {scheme!r} not allowed (use {', '.join(sorted(allowed))})")
    bad = _REFUSED_IN_URL.search(value)
    if bad:
        ch = bad.group()
        what = f"whitespace (U+{ord(ch):04X})" if ch.isspace() else _describe(ch)
        raise UnsafeUrlError(f"URL contains {what} at position {bad.start()}")
    if m is None:
        raise UnsafeUrlError("not an absolute URL", unsafe=False)
    try:
        parts = urlsplit(value)
    except ValueError as err:
        raise UnsafeUrlError(f"not a valid URL ({err})", unsafe=False) from err
    keep = _KEEP_IN_CSS if kind == "font-css" else _KEEP
    if scheme in ("http", "https"):
        if not value.startswith("//", m.end()):  # "https:example.org" is relative to the page
            raise UnsafeUrlError("not an absolute URL", unsafe=False)
        netloc = _host(parts)
        path = _encode(parts.path, keep)
    else:
        if parts.netloc:
            raise UnsafeUrlError(f"a {scheme}: URL has no host part", unsafe=False)
        netloc = ""
        path = _encode(parts.path, keep)
        if not path:
            raise UnsafeUrlError(f"empty {scheme}: URL", unsafe=False)
    query = _encode(parts.query, keep)
    fragment = _encode(parts.fragment, keep)
    url = urlunsplit((scheme, netloc, path, query, fragment))
    if not _CANONICAL.fullmatch(url):  # defence in depth: what every sink relies on
        raise UnsafeUrlError(f"URL could not be made canonical ({url[:60]!r})")
    return url


# printable ASCII without space and < > " ' \\ ` { } | ^
_CANONICAL = re.compile(r"[!#-&(-;=?-\[\]_a-z~]+")


# Redirectors a link picks up on its way into a CMS: Google Docs exports every
# link as google.com/url?q=<target>&sa=D&ust=...&usg=... (the signature
# expires, and Google then shows a "Redirect notice" page), Outlook's Safe
# Links rewrite pasted links as <region>.safelinks.protection.outlook.com/?url=,
# and Facebook's as l.facebook.com/l.php?u=. Each logs the click with a third
# party and shows the reader a host that is not the story's.
_REDIRECTORS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(?:www\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?"), "/url", "q"),
    (re.compile(r"[a-z0-9-]+\.safelinks\.protection\.outlook\.com"), "/", "url"),
    (re.compile(r"l[m]?\.facebook\.com"), "/l.php", "u"),
)


def redirect_target(url: str) -> str | None:
    """The http(s) URL a redirector link (Google, Outlook Safe Links, Facebook) leads to, or None.

    >>> redirect_target("https://www.google.com/url?q=https://example.com/a%3Fb%3D1&sa=D&usg=x")
    'https://example.com/a?b=1'
    """
    if "?" not in url:
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    for pattern, path, param in _REDIRECTORS:
        if (parts.path or "/") == path and pattern.fullmatch(host):
            query = parse_qs(parts.query)
            targets = query.get(param) or (query.get("url") if param == "q" else None)
            target = targets[0].strip() if targets else ""
            return target if target.lower().startswith(("https://", "http://")) else None
    return None


# what a mailto: unsubscribe URL may ask of the reader's client besides its one address (RFC 6068)
_MAILTO_FIELDS = frozenset({"subject", "body"})


def mailto_unsubscribe_problem(url: str) -> str | None:
    """Why ``url``, a ``mailto:`` unsubscribe URL, may not stand in ``List-Unsubscribe``, or None.

    A client's unsubscribe button sends that email itself, from the reader's own address,
    unseen (RFC 2369 3.2; Gmail, Apple Mail). ``to=``, ``cc=``, ``bcc=`` or a second address
    would copy other people on it (every reader of a list who unsubscribes, one email each),
    ``in-reply-to=`` and other header fields forge it, and a line break in the subject writes
    a header of the client's email (RFC 6068 section 5 leaves that to each client). The one
    place both the models (at load) and the header writer (defence in depth) ask.
    """
    if url[:7].lower() != "mailto:":
        return None
    to, _, query = url[7:].partition("?")
    if not to or "," in unquote(to):
        return "a mailto: unsubscribe URL names exactly one address"
    for pair in filter(None, query.split("&")):
        name, _, content = pair.partition("=")
        name = unquote(name).lower()
        if name not in _MAILTO_FIELDS:
            return f"a mailto: unsubscribe URL may ask for a subject and a body only, not {name[:40]}="
        if name == "subject" and re.search(r"[\r\n]", unquote(content)):
            return "a mailto: unsubscribe URL's subject holds a line break"
    return None


def resolve_url(url: str, base: str | None) -> str:
    """Resolve a relative ``url`` against ``base`` when there is one."""
    # a value with whitespace or control characters is left for safe_url to refuse: urljoin
    # would drop its tabs and newlines first ("java\tscript:" becomes "javascript:")
    if base and not _SCHEME.match(url) and not _REFUSED_IN_URL.search(url):
        return urljoin(base, url)
    return url


# --- encoding for MRML ------------------------------------------------------

# MRML re-serialises attribute values with Rust's Debug formatting: a newline
# becomes a literal "\n", a backslash "\\", a zero-width space "\u{200b}" and
# an unescaped quote '\"' (which lets "onmouseover=" through). Entities are
# passed through verbatim, so anything Debug would rewrite is written as a
# numeric character reference first. Pinned in tests/test_sanitize.py.
def _needs_ref(ch: str) -> bool:
    if ch in '\\"\'<>&':
        return True
    if ch == " ":
        return False
    if ch.isascii():
        return not ch.isprintable()
    return unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Cn", "Mn", "Me", "Zl", "Zp", "Zs"}


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
# candidates: the five HTML specials, backslash, and anything outside printable ASCII
_CANDIDATE = re.compile("[\\\\\"'<>&]|[^\x20-\x7e]")


def _ref(m: re.Match[str]) -> str:
    ch = m.group()
    if not _needs_ref(ch):
        return ch
    return _NAMED.get(ch) or f"&#x{ord(ch):X};"


def encode_for_mrml(value: str) -> str:
    """Escape ``value`` for MJML text or attribute context, safe from MRML's re-encoding."""
    return _CANDIDATE.sub(_ref, value)


# an image in nh3's output (attribute values quoted, "<" and ">" escaped): "<img" to the next ">"
_IMG = re.compile(r"<img\b[^>]*>")

# a comment's end (HTML also ends one at "--!>"), and "<!-->" / "<!--->", comments with nothing in them
_COMMENT_END = re.compile(r"--!?>")


def _open_comment_shown(html: str) -> tuple[str, int | None]:
    """``html`` with the opening tag of a comment that never closes removed, and where it was.

    HTML reads everything after such a ``<!--`` as the comment: a CMS that cut a Gutenberg
    comment short, or an ``<!--[if mso]>`` left open, ended the story there without a
    word. The opener goes up to its first ``>`` (``<!--[if mso]>``, ``<!-- wp:paragraph {...}
    <p>``); what follows is read as the body it was.
    """
    at = 0
    while (start := html.find("<!--", at)) >= 0:
        if html.startswith(("<!-->", "<!--->"), start):
            at = start + 4
            continue
        end = _COMMENT_END.search(html, start + 4)
        if end is None and _inside_tag(html, start):
            at = start + 4  # inside a tag's quoted value (title="<!--"): text, not a comment
            continue
        if end is None:
            close = html.find(">", start + 4)
            return (html[:start] + (html[close + 1:] if close >= 0 else "")), start
        at = end.end()
    return html, None


def _inside_tag(html: str, position: int) -> bool:
    for tag in WHOLE_TAG.finditer(html):
        if tag.start() >= position:
            return False
        if tag.end() > position:
            return True
    return False


# a declaration that hides its element from every reader (a CMS's editor notes, hidden keywords)
_HIDDEN = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!\s*important\s*)?(?:;|$)",
                     re.IGNORECASE)


def _hidden_by_style(root: lxml.html.HtmlElement) -> list[str]:
    """Remove the elements under ``root`` that their ``style`` hides, with their content; return
    their names. The allowlist drops ``style``, which showed what the CMS hid: an editor's
    note, or keywords hidden for search engines (which spam filters score)."""
    hidden = [el for el in root.iter() if isinstance(el.tag, str) and _HIDDEN.search(el.get("style") or "")]
    if not hidden:
        return []
    chosen = set(hidden)
    outermost = [el for el in hidden if not any(a in chosen for a in el.iterancestors())]
    for el in outermost:
        el.drop_tree()  # its tail is the text after it: kept
    return [el.tag for el in outermost]


# What a pasted document says by style alone (Google Docs: every run a <span> whose style
# says bold, italic or superscript, all in one <b style="font-weight:normal">; Word alike):
# the allowlist drops style, and with it the emphasis and footnote marks a reader saw.
# Each declaration, at the start of the style or after a ";" ("mso-bidi-font-weight" is not one).
_STYLE_EMPHASIS = (
    ("strong", re.compile(r"(?:^|;)\s*font-weight\s*:\s*(?:bold|bolder|[6-9]00)\b", re.IGNORECASE)),
    ("em", re.compile(r"(?:^|;)\s*font-style\s*:\s*(?:italic|oblique)\b", re.IGNORECASE)),
    ("sup", re.compile(r"(?:^|;)\s*vertical-align\s*:\s*super\b", re.IGNORECASE)),
    ("sub", re.compile(r"(?:^|;)\s*vertical-align\s*:\s*sub\b", re.IGNORECASE)),
    ("s", re.compile(r"(?:^|;)\s*text-decoration(?:-line)?\s*:[^;]*\bline-through\b", re.IGNORECASE)),
)
# a <b>, <strong>, <i> or <em> whose style undoes it (Google Docs' wrapper) is a <span>
_STYLE_UNDOES = {
    "b": re.compile(r"(?:^|;)\s*font-weight\s*:\s*(?:normal|lighter|[1-5]00)\b", re.IGNORECASE),
    "i": re.compile(r"(?:^|;)\s*font-style\s*:\s*normal\b", re.IGNORECASE),
}
_STYLE_UNDOES.update(strong=_STYLE_UNDOES["b"], em=_STYLE_UNDOES["i"])
# elements whose content may be wrapped in one (not a table's, a list's or an image's parts)
_PHRASING_CONTAINERS = frozenset({"p", "div", "li", "td", "th", "dd", "dt", "h2", "h3", "h4", "a", "figcaption",
                                  "caption", "blockquote", "q", "cite", "small", "u", "mark", "abbr", "ins"})
# the elements that already say what a declaration says
_SAYS_SO = {"strong": ("strong", "b"), "em": ("em", "i"), "sup": ("sup",), "sub": ("sub",), "s": ("s", "del", "strike")}


def _emphasis_by_style(root: lxml.html.HtmlElement) -> int:
    """Give the elements under ``root`` whose ``style`` alone makes them bold, italic,
    superscript, subscript or struck through the element that says so (a ``<span>`` becomes
    it, another element gets it around its content), and make a ``<b>``/``<i>`` whose style
    undoes it a ``<span>``, before the allowlist drops ``style``. Returns how many it changed."""
    changed = 0
    for el in [el for el in root.iter() if isinstance(el.tag, str) and el.get("style")]:
        style = el.get("style") or ""
        undo = _STYLE_UNDOES.get(el.tag)
        if undo is not None and undo.search(style):
            el.tag = "span"
            changed += 1
        for tag, declared in _STYLE_EMPHASIS:
            if not declared.search(style) or el.tag in _SAYS_SO[tag]:
                continue
            if el.tag in ("span", "font"):
                el.tag = tag
                changed += 1
                continue
            if el.tag not in _PHRASING_CONTAINERS:  # a table, a list, an image: its structure stays
                continue
            changed += 1
            inner = el.makeelement(tag, {})
            inner.text, el.text = el.text, None
            inner.extend(list(el))
            el.append(inner)
    return changed


# --- body HTML -----------------------------------------------------------------

_BODY_TAGS = {
    "p", "a", "em", "i", "strong", "b", "u", "s", "sub", "sup", "small", "mark", "q", "cite", "abbr",
    "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "br", "hr", "span", "div", "del", "ins",
    "figure", "figcaption", "img", "dl", "dt", "dd", "pre", "code", "kbd", "samp",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    # ruby annotations (Japanese furigana, Chinese pinyin or zhuyin): see _bracket_ruby
    "ruby", "rt", "rp",
}
_BODY_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"class"},
    "p": {"class"},
    "div": {"class"},
    "ol": {"start"},
    # no layout attributes from content (width, border, align, bgcolor, style):
    # the templates style tables by the classes mark_tables adds
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "*": {"lang", "dir"},
}
# class values the templates style; anything else is dropped.
_ALLOWED_CLASSES = {"pullquote", "subhead", "note", EMBED_CLASS, EMBED_TITLE_CLASS, EMBED_LINK_CLASS}
_SCOPES = frozenset({"row", "col", "rowgroup", "colgroup"})

# "(?=\s)": a tag with nothing after its name ("<p>", "</p>" never matched) would
# be written back as it is, so it is not matched: no call per paragraph (saves
# about 0.5 ms of 0.64 at 1,000 paragraphs)
_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)(?=\s)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(/?)>')
_ATTR = re.compile(r'(\s+[^\s=>/]+)="([^"]*)"')
_VOID = frozenset({"br", "hr", "img"})
# one group: findall gives "p" and "/p" as strings, not a (slash, name) tuple a tag (see _depth)
_CLOSE = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)")


@dataclass
class SanitizedHtml:
    """Body HTML after sanitising: ``html`` is safe to place in MJML; ``warnings`` says what was dropped."""

    html: str
    warnings: list[RenderWarning] = field(default_factory=list)


def _reencode_attrs(html: str) -> str:
    # nh3 (html5ever) writes every attribute value double-quoted and escaped (& " nbsp, and since
    # nh3 0.3 < and > too: pinned in tests/test_hostile_urls.py), never with a bare '"' inside,
    # so this scan is exact; each value is decoded in full (html.unescape, whatever nh3 chose to
    # escape) and encoded once for MRML.
    def tag(m: re.Match[str]) -> str:
        attrs = _ATTR.sub(lambda a: f'{a.group(1)}="{encode_for_mrml(html_lib.unescape(a.group(2)))}"', m.group(2))
        return f"<{m.group(1)}{attrs}{m.group(3)}>"
    return _TAG.sub(tag, html)


# elements HTML closes by itself (a <p> or <li> ends the open one) and every void element
_SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
                           "colgroup", "caption", "area", "base", "br", "col", "embed", "hr",
                           "img", "input", "link", "meta", "source", "track", "wbr"})
# a ruby's annotations close the open one only inside a <ruby> (HTML's "generate implied end
# tags" when a ruby is in scope); anywhere else they nest, so they are counted as elements
_RUBY_PARTS = frozenset({"rb", "rt", "rp", "rtc"})
# a tag to its ">" (outside quotes): "<a x=<a x=" is one tag, as HTML reads it
WHOLE_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:"[^"]*"|'[^']*'|[^>"'])*>?""")
# the tags WHOLE_TAG reads, each at the same place: an end tag, or a start tag's text after its
# "<" (group 1). "<" outside the alternatives: the regex engine skips ahead to each "<" in C
# (possessive: what follows the attributes, ">?", always matches, so the engine never backtracks
# into them; told so, it does not keep a backtracking point a character: 0.27 -> 0.18 ms)
_TAG_BODY = r"""[a-zA-Z][a-zA-Z0-9]*(?:"[^"]*"|'[^']*'|[^>"']++)*+>?"""
_START_TAG_TEXT = re.compile(rf"<(?:/{_TAG_BODY}|({_TAG_BODY}))")
# a start tag's name, at the start of a tag candidate (_TAG_CANDIDATE) whose second character is a
# letter: every start tag WHOLE_TAG could read, and some it would not (inside a quoted value): a superset
_START_NAME_AT = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
# far below what makes the cleaner slow (5,000 levels take it 30 ms), far above any article (the limit is 32)
_RAW_DEPTH_CHECKED = 1_000


# where HTML's "has a ruby element in scope" stops looking (the scope's boundaries a body can hold)
_SCOPE_BOUNDARIES = frozenset({"table", "td", "th", "caption", "object", "applet", "marquee", "template", "html",
                               "svg", "math", "foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext"})


def _ruby_in_scope(stack: list[str]) -> bool:
    for name in reversed(stack):  # at most ``most`` deep
        if name == "ruby":
            return True
        if name in _SCOPE_BOUNDARIES:
            return False
    return False


def raw_depth_exceeds(html: str, most: int, tags: Counter[str] | None = None) -> bool:
    """Whether the raw body nests more than ``most`` elements deep, told in one linear scan.

    nh3 (html5ever) and lxml are quadratic in the depth: 300 KB of nested
    ``<ul><li>`` took 7 s before the depth limit, checked on their output,
    refused it. Elements HTML closes by itself are not counted and an end tag
    closes what it closes, so the count never exceeds the real depth by much.
    """
    if html.count("<") <= most:
        return False
    # the stack grows only at a start tag of an element HTML does not close by
    # itself: when there are no more than ``most`` of those, it never gets
    # deeper (a body of paragraphs: one C pass, not a Python step a tag; saves
    # 0.6 ms of 0.7 at 1,000 paragraphs). The start tags are read off ``tags``
    # (:func:`tag_candidates`, which the allowlist scan reads too: one pass over
    # the body for both, saving 0.15 ms at 1,000 paragraphs): every "<" and a
    # letter starts one candidate, each name once (a body repeats "<p>")
    if tags is None:
        tags = tag_candidates(html)
    starts = 0
    for candidate, n in tags.items():
        if candidate[1] != "/" and _START_NAME_AT.match(candidate)[1].lower() not in _SELF_CLOSING:  # type: ignore[index]
            starts += n
    if starts <= most:
        return False
    stack: list[str] = []
    open_count: Counter[str] = Counter()
    for m in WHOLE_TAG.finditer(html):
        name = m.group(2).lower()
        if name in _SELF_CLOSING:
            continue
        if not m.group(1):
            if name in _RUBY_PARTS and open_count["ruby"] and _ruby_in_scope(stack):
                while stack and stack[-1] in _RUBY_PARTS:
                    open_count[stack.pop()] -= 1
            stack.append(name)
            open_count[name] += 1
            if len(stack) > most:
                return True
        elif open_count[name]:
            while (top := stack.pop()) != name:
                open_count[top] -= 1
            open_count[name] -= 1
    return False


# far above what a CMS writes on one element (a figure's img with a dozen data- attributes),
# far below what makes the parsers slow: libxml2's HTML parser compares each attribute with the
# element's others, so 59,000 on one <p> (295 KB) took it 4 s
_RAW_ATTRIBUTES_CHECKED = 256
_ATTRIBUTE_NAME = re.compile(r"""[^\s=/"'>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")


# at most this many distinct tag candidates are read one by one (see _longest_start_tag)
_FEW_SHAPES = 512


def _longest_start_tag(tags: Counter[str]) -> int | None:
    """The length of the longest start tag (as _START_TAG_TEXT reads it) of the body whose
    :func:`tag_candidates` are ``tags``, or an upper bound of it; None when they cannot tell.

    A start tag is read from a candidate's "<"; when the candidate ends in ">" and the pattern
    reads it whole, the tag is that candidate in the body too (the pattern's choices depend only
    on the characters up to that ">", which no alternative reads past). An end tag's quoted value
    may swallow a candidate that then starts no tag: counted anyway, an upper bound.
    """
    longest = 0
    for candidate in tags:
        if candidate[1] == "/":
            continue
        if candidate[-1] != ">" or _START_TAG_TEXT.fullmatch(candidate) is None:
            return None
        longest = max(longest, len(candidate))
    return longest


def crowded_element(html: str, most: int = _RAW_ATTRIBUTES_CHECKED,
                    tags: Counter[str] | None = None) -> tuple[str, int, int] | None:
    """The first element of raw body HTML with more than ``most`` attributes (of
    distinct names), as (name, attribute count, position), or None; one linear scan (a tag with that
    many is at least 2 x ``most`` characters long, and only such a tag is counted).
    ``tags``: :func:`tag_candidates` of ``html``, if already found."""
    if len(html) < 2 * most:
        return None
    # a body of few tag shapes (a long read's paragraphs): its longest start tag told from each
    # distinct candidate, without the scan below (0.19 ms at 1,000 paragraphs)
    if tags is not None and len(tags) <= _FEW_SHAPES:
        longest = _longest_start_tag(tags)
        if longest is not None and longest < 2 * most:
            return None
    # the longest start tag first, found in C: a body without one that long (every real body)
    # needs no Python step a tag (saves 0.35 ms of 0.45 at 1,000 paragraphs)
    if max(map(len, _START_TAG_TEXT.findall(html)), default=0) + 1 < 2 * most:
        return None
    for m in WHOLE_TAG.finditer(html):
        if m.group(1) or m.end() - m.start() < 2 * most:
            continue
        # distinct names: HTML keeps the first of a name given twice ("<a x=<a x=..." is one <a x>)
        count = len({a.split("=", 1)[0].strip().lower()
                     for a in _ATTRIBUTE_NAME.findall(html, m.start() + 1 + len(m.group(2)), m.end() - 1)})
        if count > most:
            return m.group(2).lower(), count, m.start()
    return None


def _depth(html: str) -> int:
    """How deep the elements of ``html`` nest: the most start tags open at once (void elements aside)."""
    tags = _CLOSE.findall(html)
    # each distinct tag's step (+1, -1, 0 for a void element), then the running
    # sum in C: a Python step a tag was 0.65 ms at 1,000 paragraphs, this 0.2
    # (a running sum after an end tag or a void one never exceeds the one
    # before it, so its maximum is the deepest start tag's). Each tag found as
    # one string ("/p"), not a tuple: 0.31 -> 0.24 ms at 1,000 paragraphs
    step = {tag: 0 if tag.lstrip("/").lower() in _VOID else -1 if tag[0] == "/" else 1 for tag in set(tags)}
    return max(0, max(accumulate(map(step.__getitem__, tags)), default=0))


# --- tables ------------------------------------------------------------------

_TABLE_TOKEN = re.compile(r"<(/?)(table|caption|thead|tbody|tfoot|tr|td|th)\b([^>]*)>")
_STRIP_TAGS = re.compile(r"<[^>]*>")
# a cell that is a number: 1,234,567  51.2%  -3.4  +12  $1.2  €40  1 234 (thin or no-break spaces)
_NUMBER = re.compile(r"[-+\u2212\u00b1]?[$€£¥]?\d[\d,.\u00a0\u202f\u2009]*(?:%|\s?pts?|\s?[kKmM])?")
# more columns than this and the table is read row by row on phones (a label/value block each)
WIDE_TABLE_COLUMNS = 4


@dataclass
class _Table:
    start: int  # index in the output list of the <table> tag
    number: int = 0  # the table's number in the body, from 1, for messages
    has_header: bool = False
    rows: int = 0
    columns: int = 0
    row_columns: int = 0
    section: str = "tbody"
    # column -> rows still taken there by a cell above spanning rows (the HTML table model:
    # a rowspan keeps its columns in the rows below, within its row group)
    spanned: dict[int, int] = field(default_factory=dict)
    labels: dict[int, list[str]] = field(default_factory=dict)  # column -> texts of the header cells over it
    headers: list[tuple[int, int]] = field(default_factory=list)  # (output index, column) of header cells
    numbers: Counter[int] = field(default_factory=Counter)  # column -> body cells that are numbers
    texts: Counter[int] = field(default_factory=Counter)  # column -> body cells with text
    unbreakable: Counter[int] = field(default_factory=Counter)  # column -> longest number or word in it


# What a column needs at least, side by side in the 552 px column: its longest number (never
# broken) or word, at about 8.5 px a character of the 15 px text, and 16 px of padding
_COLUMN_PIXELS = 552
_CHAR_PIXELS = 8.5
_CELL_PADDING = 16


def _unbreakable(text: str, number: bool) -> int:
    return len(text) if number else max((len(word) for word in text.split()), default=0)


def _cell_text(html: str) -> str:
    return " ".join(html_lib.unescape(_STRIP_TAGS.sub(" ", html)).split())


def _span(attrs: str, name: str) -> int:
    m = re.search(rf'\s{name}="(\d+)"', attrs)
    return int(m.group(1)) if m else 1


def mark_tables(html: str, *, field: str, limits: Limits | None = None) -> str:
    """Give the tables of cleaned body HTML the classes the templates style.

    ``table.mk-table`` (a data table: it keeps its semantics for screen
    readers), ``mk-table-wide`` (more than WIDE_TABLE_COLUMNS columns: read as
    label/value rows on phones, each cell carrying its column's header in
    ``data-label``; and ``mk-table-stacked`` too, read so at every width, when its
    numbers and longest words cannot fit the column side by side), ``mk-num`` on a cell that is a number (right-aligned).
    A table without a header cell or caption, one row or one column, is
    layout: ``role="presentation"``. Works on nh3's output, which is well
    formed (every cell closed, attributes double-quoted), so a scan is exact.
    """
    if limits is None:  # the limits of the render under way
        limits = current_limits()
    if "<table" not in html:
        return html
    # the labels are each header's text again beside every cell under it: their size is the
    # headers' times the rows, so it gets a bound of its own, a third of the body's limit (a
    # realistic 12 x 200 table with 20-character headers writes 48,000 characters). Before,
    # 1,000-character headers over 199 rows (38 KB) wrote 2.4 million, refused as a
    # TemplateError blaming components.mjml.j2 instead of the field
    label_budget = limits.max_body_bytes // 3
    out: list[str] = []
    tables: list[_Table] = []
    # open cells: (index of the start tag in out, where its content starts, column, table)
    cells: list[tuple[int, int, int, _Table]] = []
    count = pos = 0
    for m in _TABLE_TOKEN.finditer(html):
        out.append(html[pos:m.start()])
        pos = m.end()
        closing, tag, attrs = m.group(1), m.group(2), m.group(3)
        if tag == "table" and not closing:
            count += 1
            tables.append(_Table(start=len(out), number=count))
            out.append("")  # the tag, written when the table closes and its shape is known
            continue
        out.append(m.group())
        t = tables[-1] if tables else None
        if t is None:
            continue
        if tag == "table":
            tables.pop()
            if not t.has_header and (t.rows <= 1 or t.columns <= 1):
                out[t.start] = f'<table class="{LAYOUT_TABLE_CLASS}" role="presentation">'
            else:
                wide = f" {WIDE_TABLE_CLASS}" if t.columns > WIDE_TABLE_COLUMNS else ""
                # twelve columns of vote counts do not fit 552 px: the page scrolled sideways
                # (to 1,937 px); such a table is read row by row at every width
                needed = sum(t.unbreakable[c] * _CHAR_PIXELS + _CELL_PADDING for c in range(t.columns))
                if wide and needed > _COLUMN_PIXELS:
                    wide += f" {STACKED_TABLE_CLASS}"
                out[t.start] = f'<table class="{TABLE_CLASS}{wide}">'
                # a header over a column of numbers is aligned with them
                for index, column in t.headers:
                    if t.texts[column] and t.numbers[column] == t.texts[column]:
                        out[index] = out[index][:-1] + f' class="{NUMBER_CLASS}">'
        elif tag == "caption" and not closing:
            t.has_header = True
        elif tag in ("thead", "tbody", "tfoot"):
            t.section = "tbody" if closing else tag
            t.spanned.clear()  # a cell spans rows of its own group only
        elif tag == "tr" and not closing:
            t.rows += 1
            t.row_columns = 0
            if t.rows > limits.max_table_rows:
                raise LimitExceededError(
                    f"{field}: table {count} has more than {limits.max_table_rows} rows (the limit)")
        elif tag == "tr" and t.spanned:
            t.spanned = {c: n - 1 for c, n in t.spanned.items() if n > 1}
        elif tag in ("td", "th") and not closing:
            t.has_header = t.has_header or tag == "th"
            while t.row_columns in t.spanned:  # columns a cell above still holds
                t.row_columns += 1
            cells.append((len(out) - 1, pos, t.row_columns, t))
            colspan, rowspan = _span(attrs, "colspan"), _span(attrs, "rowspan")
            if rowspan > 1:
                t.spanned.update(dict.fromkeys(range(t.row_columns, t.row_columns + colspan), rowspan))
            t.row_columns += colspan
            t.columns = max(t.columns, t.row_columns)
            if t.columns > limits.max_table_columns:
                raise LimitExceededError(
                    f"{field}: table {count} has more than {limits.max_table_columns} columns (the limit)")
        elif tag in ("td", "th") and cells:
            index, begin, column, owner = cells.pop()
            start_tag = out[index]
            text = _cell_text(html[begin:m.start()])
            number = bool(text) and _NUMBER.fullmatch(text) is not None
            header_row = owner.section == "thead" or (
                owner.rows == 1 and owner.section == "tbody" and start_tag.startswith("<th"))
            owner.unbreakable[column] = max(owner.unbreakable[column], _unbreakable(text, number and not header_row))
            if header_row:
                for c in range(column, column + _span(start_tag, "colspan")):
                    texts = owner.labels.setdefault(c, [])
                    if text and text not in texts:
                        texts.append(text)
                owner.headers.append((index, column))
                continue
            if owner.section == "tbody" and text:
                owner.texts[column] += 1
                owner.numbers[column] += number
            extra = f' class="{NUMBER_CLASS}"' if number else ""
            if len(owner.labels) > WIDE_TABLE_COLUMNS and owner.labels.get(column):
                # a column under two header rows is labelled by both ("Turnout – Votes")
                label = html_lib.escape(" – ".join(owner.labels[column]))
                label_budget -= len(label)
                if label_budget < 0:
                    raise LimitExceededError(
                        f"{field}: table {owner.number}: its column headers, repeated beside each of its cells "
                        f"(read as label/value rows on phones), make over {limits.max_body_bytes // 3:,} "
                        "characters (a third of the body's limit): shorten the headers")
                extra += f' {CELL_LABEL_ATTR}="{label}"'
            out[index] = start_tag[:-1] + extra + ">"
    out.append(html[pos:])
    return "".join(out)


# MRML drops a text node that is only whitespace with a line break in it
# (jdrouet/mrml#439, jolimail/mrml-core#117; pinned in tests/test_body.py):
# "<em>foo</em>\n<strong>bar</strong>" reads "foobar" in both parts, and a
# <pre> loses the line breaks between its highlighted tokens. So, in the
# cleaned body: inside <pre> every line break is written &#10; (MRML passes
# references through), and elsewhere such a run next to an inline element
# becomes one space (what a browser makes of it anyway).
_INLINE = frozenset({"a", "em", "i", "strong", "b", "u", "s", "sub", "sup", "small", "mark", "q", "cite", "abbr",
                     "span", "del", "ins", "code", "kbd", "samp"})
# possessive: no backtracking over a long run of line breaks
_BREAK_RUN = re.compile(r">([^\S\n]*+\n\s*+)<(/?)([a-z][a-z0-9]*)")
_TAG_NAME = re.compile(r"</?([a-z][a-z0-9]*)")
# a tag of an inline element, as _TAG_NAME reads its name
_INLINE_NAME = re.compile(rf"</?(?:{'|'.join(sorted(_INLINE))})(?![a-z0-9])")
_PRE_TAG = re.compile(r"<(/?)pre\b[^>]*>")


def _keep_whitespace(html: str) -> str:
    if "\n" not in html:
        return html
    if "<pre" in html:
        out, depth, pos = [], 0, 0
        for m in _PRE_TAG.finditer(html):
            chunk = html[pos:m.start()]
            out.append(chunk.replace("\n", "&#10;") if depth else chunk)
            out.append(m.group())
            depth = max(0, depth + (-1 if m.group(1) else 1))
            pos = m.end()
        out.append(html[pos:])
        html = "".join(out)

    if _INLINE_NAME.search(html) is None:
        # a run becomes a space only next to an inline element: with none in the
        # body, a Python call a line break was all this did (0.85 ms at 1,000 paragraphs)
        return html

    def run(m: re.Match[str]) -> str:
        before = _TAG_NAME.match(html, html.rfind("<", 0, m.start()))
        if m.group(3) in _INLINE or (before is not None and before.group(1) in _INLINE):
            return f"> <{m.group(2)}{m.group(3)}"
        return m.group(0)
    return _BREAK_RUN.sub(run, html)


# a tag ends at the next "<" at the latest, so each match is bounded and the scan linear
_RAW_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/<>]*)([^<>]*)>")
# from a "<" that starts a tag to the first "<" or ">" after it
_TAG_CANDIDATE = re.compile(r"<[a-zA-Z/][^<>]*>?")
_RAW_ATTR = re.compile(r"""([^\s=/"'>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_POST_CLASS = re.compile("|".join(POST_CLASSES))
# attribute names the cleaning keeps, by element (href, src and class are reported otherwise)
_SCAN_ATTRS = {tag: frozenset(_BODY_ATTRS.get(tag, set()) | _BODY_ATTRS["*"] | {"href", "src", "class"})
               for tag in [*_BODY_TAGS, "*"]}


def tag_candidates(html: str) -> Counter[str]:
    """Each distinct tag candidate of raw body HTML ("<" and a letter or "/", to the next "<" or
    ">"), with how often it occurs: one C pass that :func:`raw_depth_exceeds` and the allowlist
    scan both read. A candidate holds one "<", its first character, so every "<" followed by a
    letter or "/" starts exactly one."""
    return Counter(_TAG_CANDIDATE.findall(html))


def _only_allowed(html: str, tags: Counter[str] | None = None) -> bool:
    """Whether a scan of raw body HTML finds only allowed elements and attribute
    names, and no embed: then nothing needs parsing to be converted or reported.
    ``tags``: :func:`tag_candidates` of ``html``, if already found."""
    if tags is None:
        tags = tag_candidates(html)
    # each candidate holds one "<", its first character: when every "<" starts one, none starts
    # "<!" or "<?" (a count of "<" is a fast search; "<!" and "<?", in a text of frequent "<",
    # were 0.3 ms of 0.55 at 1,000 paragraphs)
    if tags.total() != html.count("<") and ("<!" in html or "<?" in html):
        return "<" not in html
    # each distinct tag once: a body repeats "<p>" and "</p>" (saves 1 ms of 1.2 at
    # 1,000 paragraphs); a candidate ends where _RAW_TAG's match from its "<" would
    for candidate in tags:
        m = _RAW_TAG.fullmatch(candidate)
        if m is None:
            return False  # not a tag a scan can read: let the parser judge
        closing, tag, attrs = m.groups()
        name = tag.lower()
        if name not in _BODY_TAGS:
            return False
        if closing or not attrs.strip():
            continue
        if len(attrs) > 2_000 or (name == "blockquote" and _POST_CLASS.search(attrs)):
            return False
        allowed = _SCAN_ATTRS.get(name, _SCAN_ATTRS["*"])
        if any(a.lower() not in allowed for a in _RAW_ATTR.findall(attrs)):
            return False
    return True


# an annotation (<rt>) without its fallback brackets (<rp>): many CMSs write
# <ruby>官房長官<rt>かんぼうちょうかん</rt></ruby>; a client without ruby layout,
# and the text part, then read the word and its reading run together.
# nh3 (html5ever) closes every <rt>, so "<rt ...>" to the next "</rt>" is one.
_RT = re.compile(r"(<rp\b[^>]*>([^<]*)</rp>\s*)?(<rt\b[^>]*>.*?</rt>)(\s*<rp\b[^>]*>([^<]*)</rp>)?", re.DOTALL)
_WIDE_READING = re.compile(r"[\u3000-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u9fff\uff00-\uffef]")
# an author's one bracket gets its partner ("漢<rp>[</rp><rt>かん</rt>" read "漢[かん）")
_PAIRS = {"(": ")", "（": "）", "[": "]", "［": "］", "【": "】", "〔": "〕", "「": "」", "『": "』", "《": "》",
          "〈": "〉", "{": "}", "<": ">", "&lt;": "&gt;"}
_PARTNERS = {**_PAIRS, **{close: open_ for open_, close in _PAIRS.items()}}


def _bracket_ruby(html: str) -> str:
    """Give every ``<rt>`` the ``<rp>`` brackets it lacks: the partner of the one it has,
    else full-width around a CJK reading (``（かん）``), ASCII parentheses around any other."""
    def bracket(m: re.Match[str]) -> str:
        before, opened, annotation, after, closed = m.groups()
        if before and after:
            return m.group()
        wide = _WIDE_READING.search(annotation) is not None
        opening = before or f"<rp>{_PARTNERS.get((closed or '').strip(), '（' if wide else '(')}</rp>"
        closing = after or f"<rp>{_PARTNERS.get((opened or '').strip(), '）' if wide else ')')}</rp>"
        return f"{opening}{annotation}{closing}"
    return _RT.sub(bracket, html)


# Wrappers a CMS or a feed puts around a story (ninjs bodies come in <article>;
# Word and old CMSs write <font>, <center>, <o:p>): nh3 removes the tag and keeps
# its content, so the reader loses nothing and a warning would only be noise.
_WRAPPERS = frozenset({"article", "section", "main", "header", "footer", "font", "center", "o:p", "html", "body"})


# what nh3 removes with everything in it: the interactive parts (a "Sign up" button that
# does nothing is worse than none) and code; ammonia also leaves out a <template>'s
# content (html5ever keeps it out of the tree) and SVG and MathML (other namespaces;
# foreign_text has taken their text out first). Every other element it does not allow
# loses only its tags: its text stays where it was.
_CLEAN_CONTENT = frozenset({"script", "style", "form", "button", "select", "textarea"})
_GONE_WITH_CONTENT = _CLEAN_CONTENT | {"template", "svg", "math"}


def _gone_with_content(root: lxml.html.HtmlElement | None) -> Counter[str]:
    """How many elements of each name under ``root`` the cleaning removes with their content:
    those in (or inside) one nh3 removes whole, and those with no content to keep (``<input>``)."""
    gone: Counter[str] = Counter()
    if root is None:
        return gone
    # the elements themselves, not their id(): lxml makes a new proxy for a node each time
    # it is reached, and a proxy freed lets another take its id
    inside = {d for el in root.iterdescendants(*_GONE_WITH_CONTENT) for d in el.iter()}
    for el in root.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        if el in inside or (el.tag not in _BODY_TAGS and len(el) == 0 and not (el.text or "").strip()):
            gone[el.tag] += 1
    return gone


def _dropped(field: str, before: tuple[Counter[str], Counter[str]],
             after: tuple[Counter[str], Counter[str]], gone: Counter[str] | None = None) -> list[RenderWarning]:
    """What the cleaning removed: a warning per element name, with a count, and
    one for all the attributes (a CMS table brings border=, width=, align= ...).
    Of the elements of a name, the ``gone`` ones (removed with their content) are
    "dropped"; the rest lost only their tags, their text kept (``<time>``, ``<address>``)."""
    out = []
    for name in sorted(before[0]):
        lost = before[0][name] - after[0][name]
        if name in _WRAPPERS or lost <= 0:
            continue
        dropped = lost if gone is None else min(lost, gone[name])
        if dropped:
            out.append(RenderWarning("element-dropped", f"{field}: dropped {dropped} <{name}> element(s)", field))
        # Office's own namespaced markup (<o:p>, <st1:place>, <w:Sdt>) around text: nothing lost
        if lost - dropped and ":" not in name:
            out.append(RenderWarning("element-dropped", f"{field}: removed {lost - dropped} <{name}> tag(s), "
                                     "their text kept", field))
    attributes = [f"{name}= ({lost})" for name in sorted(before[1]) if (lost := before[1][name] - after[1][name]) > 0]
    if attributes:
        out.append(RenderWarning("attribute-dropped", f"{field}: dropped attribute(s) the templates set themselves "
                                 "or do not allow: " + ", ".join(attributes), field))
    return out


# A paragraph of nothing: Word's empty line (<p class=MsoNormal><o:p>&nbsp;</o:p></p>, which
# the allowlist leaves as <p>&nbsp;</p>), a CMS's <p>&nbsp;</p> or <p><br></p> spacer. In an
# email it was a paragraph's margin and a line of nothing, and in the text part a blank line.
_EMPTY_PARAGRAPH = re.compile(r"<p\b[^>]*>(?:\s|&nbsp;|&#160;|<br>|</?(?:span|b|strong|i|em|u)\b[^>]*>)*+</p>\s*")


# ammonia parses URLs with the url crate, which drops tabs and newlines anywhere and control
# characters and spaces around the URL ("java\tscript:" is "javascript:"), after html5ever has
# decoded character references
# (starting only where a word starts: tried inside a long word, it would be quadratic)
_SCHEME_LIKE = re.compile(r"(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_IGNORED = re.compile(r"[\t\n\r]")


def _schemes_in(html: str) -> set[str]:
    """Every word before a colon in ``html`` as ammonia would read a scheme: a superset of its URLs' schemes."""
    text = _URL_IGNORED.sub("", html_lib.unescape(html)) if ":" in html or "&" in html else ""
    found = {m.group()[:-1].lower() for m in _SCHEME_LIKE.finditer(text)}
    return found | _LINK_SCHEMES | _IMAGE_SCHEMES


def sanitize_body(html: str, *, field: str, base_url: str | None, limits: Limits | None = None) -> SanitizedHtml:
    """Clean CMS body HTML to the email-safe allowlist.

    Embeds (a video, a post, a player) become link cards first
    (:mod:`mailkit._embeds`). Relative URLs are resolved against ``base_url``;
    every link and image URL goes through :func:`safe_url` (links
    https/http/mailto/tel, images https/http/cid, canonical ASCII); one it
    refuses is removed and reported in ``warnings`` (MRML, premailer and
    html2text all pass ``javascript:`` through untouched), and so is every
    other element or attribute the allowlist removes
    (``articles[0].body: dropped 2 <form> element(s)``), once per name.
    """
    if limits is None:  # the limits of the render under way
        limits = current_limits()
    size = len(html.encode("utf-8", "surrogatepass"))
    if size > limits.max_body_bytes:
        raise LimitExceededError(f"{field}: body is {size} bytes, over the limit of {limits.max_body_bytes}")
    tags = tag_candidates(html)
    if raw_depth_exceeds(html, _RAW_DEPTH_CHECKED, tags):
        raise LimitExceededError(f"{field}: HTML nested {_RAW_DEPTH_CHECKED + 1} levels deep or more, "
                                 f"over the limit of {limits.max_body_depth}")
    crowded = crowded_element(html, tags=tags)
    if crowded is not None:
        tag, count, position = crowded
        raise LimitExceededError(f"{field}: an element with {count:,} attributes (<{tag[:40]}> at character "
                                 f"{position}), over the limit of {_RAW_ATTRIBUTES_CHECKED}")
    warnings: list[RenderWarning] = []
    if "<!--" in html:
        html, unclosed = _open_comment_shown(html)
        tags = tag_candidates(html)
        if unclosed is not None:
            warnings.append(RenderWarning(
                "comment-unclosed", f"{field}: a comment opened at character {unclosed:,} never closes: "
                "its opening tag removed, so the rest of the body shows (HTML would hide it all)", field))

    def linkable(url: str, image: bool) -> str | None:
        try:
            return safe_url(resolve_url(url.strip(), base_url), kind="image" if image else "link")
        except UnsafeUrlError:
            return None

    # Parsing (for embeds, and to count what the cleaning removes) costs twice
    # what nh3 does; a body a scan finds nothing to remove in skips it, and the
    # attribute values attribute_filter refuses are counted as it goes.
    tree = None if _only_allowed(html, tags) and not has_office_shapes(html, tags) else parse_fragment(html)
    # (all run: an embed's card, a CMS's lazy image and an SVG's text are each rewritten in the tree)
    hidden = _hidden_by_style(tree) if tree is not None else []
    emphasised = _emphasis_by_style(tree) if tree is not None else 0
    if hidden:
        warnings.append(RenderWarning("element-dropped", f"{field}: dropped {len(hidden):,} element(s) hidden by "
                                      f"their style (display:none, visibility:hidden), the first: <{hidden[0]}>",
                                      field))
    def url_refused(what: str, url: str) -> None:
        try:
            safe_url(resolve_url(url.strip(), base_url), kind="image")
        except UnsafeUrlError as err:
            warnings.append(RenderWarning("url-dropped", f"{field}: dropped <{what}={url[:60]!r}>: {err.problem}",
                                          field))

    if tree is not None and (convert_embeds(tree, linkable, url_refused) + normalize_images(tree, linkable) + foreign_text(tree)
                             + normalize_office(tree) + len(hidden) + emphasised):
        html = serialize_fragment(tree)
    before = count_markup(tree, _BODY_TAGS)
    refused: Counter[str] = Counter()
    unwrapped: list[str] = []
    hrefs_seen: list[str] = []  # every <a href> value attribute_filter was given

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        kept = _filter(tag, attr, value)
        if kept is None and attr not in ("href", "src", "class"):
            refused[attr] += 1
        return kept

    def _filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "href" and tag == "a":
            hrefs_seen.append(value)
        if attr == "href" and (target := redirect_target(value.strip())) and linkable(target, False):
            unwrapped.append(value.strip())  # a target the gate refuses: the redirector link is judged as it is
            value = target
        if attr in ("href", "src"):
            try:
                return safe_url(resolve_url(value.strip(), base_url), kind="image" if attr == "src" else "link")
            except UnsafeUrlError as err:
                warnings.append(RenderWarning("url-dropped", f"{field}: dropped <{tag} {attr}={value[:60]!r}>: "
                                              f"{err.problem}", field))
                return None
        if attr == "class":
            kept = " ".join(c for c in value.split() if c in _ALLOWED_CLASSES)
            return kept or None
        # numbers written as the number they are ("01" is 1): what reads them after the
        # cleaning (the tracking-pixel check, mark_tables) sees one spelling
        if attr in ("width", "height"):  # 0 is no size: the image takes the column's width
            return _number(html_integer(value, 1, 9999))
        if attr == "dir":
            return value if value in ("ltr", "rtl", "auto") else None
        if attr == "colspan":
            return _number(html_integer(value, 1, limits.max_table_columns))
        if attr == "rowspan":
            return _number(html_integer(value, 1, limits.max_table_rows))
        if attr == "start":
            return _number(html_integer(value, 0, 999_999))
        if attr == "scope":
            return value if value in _SCOPES else None
        return value

    cleaned = nh3.clean(
        html,
        tags=_BODY_TAGS,
        # interactive parts are gone with their content: a "Sign up" button that
        # does nothing is worse than none (the warning says so)
        clean_content_tags=set(_CLEAN_CONTENT),
        attributes=_BODY_ATTRS,
        attribute_filter=attribute_filter,
        # ammonia drops a URL whose scheme is not in this set before attribute_filter sees it,
        # silently; every scheme the body could spell is let through, so that safe_url decides
        # and a dropped URL is always reported as a warning.
        url_schemes=_schemes_in(html),
        link_rel=None,
        strip_comments=True,
    )
    if "href" in html:
        warnings += _unread_links(html, tree, hrefs_seen, field)
    if unwrapped:  # once, with the count and the first (as for dropped elements)
        what = "a link" if len(unwrapped) == 1 else f"{len(unwrapped):,} links"
        verb = "points" if len(unwrapped) == 1 else "point"
        warnings.append(RenderWarning("link-unwrapped", f"{field}: {what} through a redirector (Google, Outlook Safe "
                                      f"Links, Facebook) now {verb} at the target, the first: {unwrapped[0][:80]}",
                                      field))
    depth = _depth(cleaned)
    if depth > limits.max_body_depth:
        raise LimitExceededError(
            f"{field}: HTML nested {depth} levels deep, over the limit of {limits.max_body_depth}"
        )
    kept = parse_fragment(cleaned) if tree is not None else None
    if kept is not None:
        warnings += _dropped(field, before, count_markup(kept, _BODY_TAGS), _gone_with_content(tree))
    elif tree is None:
        warnings += _dropped(field, (Counter(), refused), (Counter(), Counter()))
    if "<p" in cleaned:  # after the count of what the allowlist removed: an empty paragraph lost nothing
        cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)
    # an image left with no file (its src refused, or never given) would be an empty grey box:
    # gone, and said so (the URL's own warning, if any, says why)
    srcless = [m.group() for m in _IMG.finditer(cleaned) if ' src="' not in m.group()]
    if srcless:
        cleaned = _IMG.sub(lambda m: m.group() if ' src="' in m.group() else "", cleaned)
        warnings.append(RenderWarning("element-dropped", f"{field}: dropped {len(srcless):,} <img> element(s) with no "
                                      f"image file a client can load, the first: {srcless[0][:80]}", field))
    # a 1 x 1 image is a beacon (a wire story's, an ad server's): it tells a third party who
    # opened the email and shows nothing, so it goes, and the warning says so
    pixels = [m.group() for m in _IMG.finditer(cleaned) if _is_pixel(m.group())] if "<img" in cleaned else []
    if pixels:
        cleaned = _IMG.sub(lambda m: "" if _is_pixel(m.group()) else m.group(), cleaned)
        warnings.append(RenderWarning("element-dropped", f"{field}: dropped {len(pixels):,} tracking pixel(s) "
                                      f"(1 x 1 images), the first: {pixels[0][:80]}", field))
    cleaned = _keep_whitespace(mark_tables(cleaned, field=field, limits=limits))
    if "<rt" in cleaned:
        cleaned = _bracket_ruby(cleaned)
    no_alt = [m.group() for m in re.finditer(r"<img\b[^>]*>", cleaned) if " alt=" not in m.group()]
    if no_alt:  # once, with the count and the first (as for dropped elements)
        warnings.append(RenderWarning("image-no-alt", f"{field}: image without alt text: {no_alt[0][:80]}"
                                      if len(no_alt) == 1 else f"{field}: {len(no_alt):,} images without alt text, "
                                      f"the first: {no_alt[0][:80]}", field))
    if "<a" in cleaned:  # a link whose URL was refused: its text, not a link-styled word that goes nowhere
        cleaned = _HREFLESS_LINK.sub(r"\1", cleaned)
    cleaned = _reencode_attrs(cleaned)
    if "<a " in cleaned:
        warnings += _deceptive_links(cleaned, field)
        if "xn--" in cleaned:
            warnings += _homograph_links(cleaned, field)
    return SanitizedHtml(cleaned, warnings)


# an <a> start tag's href in raw body HTML, its value quoted either way or not at all
_RAW_LINK_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _unread_links(html: str, tree: lxml.html.HtmlElement | None, seen: list[str], field: str) -> list[RenderWarning]:
    """Warnings for the links whose href ammonia dropped before attribute_filter saw it.

    ammonia (nh3) parses every URL with the url crate and drops one it cannot read
    (``https://exa mple.com/``, ``https://[::1/x``, a port over 65535) silently: the
    link's text stays, with nothing to click and no word of it. Its href values are
    found in the parsed body (but those inside an element removed with its content, a
    ``<form>``, ``<script>``: that element's own warning says so), or, in a body of
    allowed markup only (none of those), in its raw HTML; each one attribute_filter was
    not given is reported.
    """
    if tree is not None:
        raw = [href for a in tree.iter("a") if (href := a.get("href")) is not None
               and not any(up.tag in _GONE_WITH_CONTENT for up in a.iterancestors())]
    else:
        raw = [html_lib.unescape(next(v for v in m.groups() if v is not None)) for m in _RAW_LINK_HREF.finditer(html)]
    if len(raw) <= len(seen):
        return []
    left = Counter(seen)
    unread = []
    for value in raw:
        if left[value]:
            left[value] -= 1
        else:
            unread.append(value)
    return [RenderWarning("url-dropped", f"{field}: dropped <a href={value[:60]!r}>: not a URL the HTML cleaner "
                          "could read (its text kept, without the link)", field) for value in unread[:1]] + (
        [RenderWarning("url-dropped", f"{field}: dropped {len(unread) - 1:,} more link(s) the HTML cleaner could not "
                       "read", field)] if len(unread) > 1 else [])


# an <a> the cleaning left without an href (its URL refused, or never given), to its end
# tag: the layout styles every <a> as a link (colour, underline), so a reader saw a dead
# link. Links do not nest after cleaning, so each ends at the next "</a>".
_HREFLESS_LINK = re.compile(r'<a\b(?![^>]*\shref=")[^>]*>(.*?)</a>', re.DOTALL)


def _number(number: int | None) -> str | None:
    return None if number is None else str(number)


# after cleaning, a width or height is 1-9999 in ASCII digits without leading zeros, double-quoted
_PIXEL_SIDE = re.compile(r'\s(?:width|height)="1"')


def _is_pixel(img: str) -> bool:
    return len(_PIXEL_SIDE.findall(img)) == 2


# a link after cleaning (attribute values encoded: no raw "<" or ">"; no link inside a link)
_BODY_LINK = re.compile(r'<a\b[^>]*?\shref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
# link text that reads as an address: a scheme, or "www." (prose such as "Node.js" or "U.S." does not)
_SHOWS_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _shown_host(url: str) -> str:
    """The host a URL or a "www." address names, ASCII, without a leading "www."; "" if it names none."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


# scripts whose letters pass for Latin ones (Unicode's confusables: "е" U+0435, "ο" U+03BF)
_LOOKALIKE_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})


def _mixes_scripts(label: str) -> bool:
    """Whether a host label mixes Latin letters with letters of a script that passes for Latin."""
    scripts = {unicodedata.name(ch, "?").split()[0] for ch in label if ch.isalpha()}
    return "LATIN" in scripts and bool(scripts & _LOOKALIKE_SCRIPTS)


def _decoded_label(label: str) -> str | None:
    """An A-label (``xn--...``) as the Unicode label it writes; None for any other, or one IDNA refuses."""
    if not label.startswith("xn--"):
        return None
    try:
        return idna.decode(label)
    except (idna.IDNAError, UnicodeError):
        return None


def _homograph_links(html: str, field: str) -> list[RenderWarning]:
    """A warning for links to a host with a label that mixes Latin with Cyrillic, Greek ... letters.

    safe_url writes such a host in punycode (``nbcnеws.com`` with a Cyrillic
    ``е`` is ``xn--nbcnws-6of.com``), which is what it is, but a mail client
    may show it decoded: to a reader it is nbcnews.com. A host in one script
    (``пример.рф``, ``bücher.example``) is no homograph.
    """
    found: list[str] = []
    for href, _ in _BODY_LINK.findall(html):
        host = _shown_host(html_lib.unescape(href))
        # each label on its own: IDNA 2008 refuses some a URL may hold (an emoji's, xn--ls8h),
        # which then stay as written, here and in the message (decoding the host whole raised)
        written = host.split(".")
        decoded = [_decoded_label(label) for label in written]
        if any(_mixes_scripts(label) for label in decoded if label is not None):
            shown = ".".join(d if d is not None else label for d, label in zip(decoded, written, strict=True))
            found.append(f"{host} ({shown})")
    if not found:
        return []
    message = (f"{field}: a link goes to {found[0]}, a host that mixes Latin with lookalike letters"
               if len(found) == 1 else
               f"{field}: {len(found):,} links go to hosts that mix Latin with lookalike letters, the first {found[0]}")
    return [RenderWarning("link-homograph", message, field)]


def _deceptive_links(html: str, field: str) -> list[RenderWarning]:
    """A warning for links whose text shows an address on another host than the one they go to.

    "https://www.nbcnews.com/account" linking to evil.example is the phishing
    link: every gate passes its href (a fine https URL), and only the text part's
    links list would show where it goes. A link to a subdomain of the host shown
    (a click tracker on link.nbcnews.com) is no mismatch.
    """
    found: list[tuple[str, str]] = []
    for href, inner in _BODY_LINK.findall(html):
        text = " ".join(html_lib.unescape(_STRIP_TAGS.sub("", inner)).split())
        if not _SHOWS_ADDRESS.fullmatch(text):
            continue
        try:
            shown = safe_url(text if "://" in text else "https://" + text)
        except UnsafeUrlError:
            continue  # not an address after all (a space, a quote ...): nothing it could pass for
        shown_host = _shown_host(shown).removeprefix("www.")
        target = _shown_host(html_lib.unescape(href)).removeprefix("www.")
        if shown_host and target != shown_host and not target.endswith("." + shown_host):
            found.append((shown_host, target or html_lib.unescape(href).partition(":")[0] + ":"))
    if not found:
        return []
    shown_host, target = found[0]
    first = f"shows {shown_host} but goes to {target}"
    message = (f"{field}: a link {first}" if len(found) == 1
               else f"{field}: {len(found):,} links show another address than they go to, the first {first}")
    return [RenderWarning("link-text-mismatch", message, field)]


# after sanitize_body every attribute value is encoded (no raw ">" or "<"):
# a tag is "<" to the next ">"
_BODY_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);")


# blocks that end a cut inside a <div>: a CMS wraps its whole body in one
# (<div class="article-body">), and a cut only between top-level blocks kept it all
_CUT_BLOCKS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "dl", "blockquote", "figure", "pre", "table", "hr", "div"})


def cut_body(html: str, max_chars: int, *, field: str = "body",
             warnings: list[RenderWarning] | None = None) -> str | None:
    """Sanitised body HTML cut after the last block that ends within
    ``max_chars`` characters of text, or None when the whole body fits.

    The cut falls only between blocks (paragraphs, subheads, lists, quotes,
    figures), at the top level or inside ``<div>`` wrappers, never inside
    another block, and keeps at least the first block, so the result is the
    original's first blocks, byte for byte, then the end tags of the
    ``<div>`` elements the cut fell in.

    A first block longer than ``max_chars`` (or a body with no block to cut
    after) is kept whole, never cut inside a sentence or a link; ``warnings``
    gets ``{field}: first paragraph is N characters, longer than max_body_chars
    M: kept whole``, so the sender knows the limit did not hold.
    """
    cut, first_chars = _cut_body(html, max_chars)
    if first_chars is not None and first_chars > max_chars and warnings is not None:
        warnings.append(RenderWarning("body-not-cut", f"{field}: first paragraph is {first_chars:,} characters, "
                                      f"longer than max_body_chars {max_chars:,}: kept whole", field))
    return cut


def _cut_body(html: str, max_chars: int) -> tuple[str | None, int | None]:
    # (the cut body or None, the characters of text the cut keeps when it is the
    # first block alone or the whole body: None when blocks within the limit were kept)
    chars = pos = 0
    stack: list[str] = []  # the open elements
    not_div = 0  # how many of them are not a <div>
    last_fit: tuple[int, int] | None = None  # (position, open <div>s there)
    first_end: tuple[int, int, int] | None = None  # and the characters of text up to there
    for m in _BODY_TOKEN.finditer(html):
        chars += len(_ENTITY.sub("x", html[pos : m.start()]))
        pos = m.end()
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            if stack:
                not_div -= stack.pop() != "div"
        elif name not in _VOID and not self_closing:
            stack.append(name)
            not_div += name != "div"
            continue
        if stack and (not_div or name not in _CUT_BLOCKS):
            continue
        # a block ends here, at the top level or inside <div>s only
        if first_end is None:
            first_end = (pos, len(stack), chars)
        if chars > max_chars:
            break
        last_fit = (pos, len(stack))
    else:
        chars += len(_ENTITY.sub("x", html[pos:]))
        if chars <= max_chars:
            return None, None
    if last_fit is not None:
        end, open_divs = last_fit
        kept = None
    elif first_end is not None:
        end, open_divs, kept = first_end
    else:  # no block at all (text without paragraphs): nothing to cut after
        return None, chars
    rest = html[end:]
    # nothing but the wrappers' end tags left: the whole body is kept
    if not rest.replace("</div>", "").strip():
        return None, kept
    return html[:end] + "</div>" * open_divs, kept
