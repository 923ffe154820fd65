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
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

import idna
import nh3

from .errors import LimitExceededError, UnsafeUrlError

__all__ = [
    "LIMITS",
    "Limits",
    "SanitizedHtml",
    "UrlKind",
    "check_text",
    "encode_for_mrml",
    "resolve_url",
    "safe_url",
    "sanitize_body",
]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Documented input limits, enforced before input reaches MRML or lxml.

    MRML segfaults at about 2,000 nested elements and libxml2 (premailer's
    parser) silently truncates at depth 256, dropping the footer; the
    template itself adds about 20 levels, hence the body depth limit.
    """

    max_body_bytes: int = 300_000
    max_body_depth: int = 32
    max_stories: int = 60
    max_field_chars: int = 5_000
    max_style_bytes: int = 16_000


LIMITS = Limits()

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
    if len(value) > LIMITS.max_field_chars:
        raise UnsafeUrlError(f"URL is {len(value)} characters, over the limit of {LIMITS.max_field_chars}",
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


# --- body HTML -----------------------------------------------------------------

_BODY_TAGS = {
    "p", "a", "em", "i", "strong", "b", "u", "s", "sub", "sup", "small", "mark", "q", "cite", "abbr",
    "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "br", "hr", "span",
    "figure", "figcaption", "img",
}
_BODY_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "blockquote": {"class"},
    "p": {"class"},
    "*": {"lang", "dir"},
}
# class values the templates style; anything else is dropped.
_ALLOWED_CLASSES = {"pullquote", "subhead", "note"}

_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(/?)>')
_ATTR = re.compile(r'(\s+[^\s=>/]+)="([^"]*)"')
_VOID = frozenset({"br", "hr", "img"})
_CLOSE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")


@dataclass
class SanitizedHtml:
    """Body HTML after sanitising: ``html`` is safe to place in MJML; ``warnings`` says what was dropped."""

    html: str
    warnings: list[str] = field(default_factory=list)


def _reencode_attrs(html: str) -> str:
    # nh3 (html5ever) writes every attribute value double-quoted and escaped (& " nbsp, and since
    # nh3 0.3 < and > too: pinned in tests/test_hostile_urls.py), never with a bare '"' inside,
    # so this scan is exact; each value is decoded in full (html.unescape, whatever nh3 chose to
    # escape) and encoded once for MRML.
    def tag(m: re.Match[str]) -> str:
        attrs = _ATTR.sub(lambda a: f'{a.group(1)}="{encode_for_mrml(html_lib.unescape(a.group(2)))}"', m.group(2))
        return f"<{m.group(1)}{attrs}{m.group(3)}>"
    return _TAG.sub(tag, html)


def _depth(html: str) -> int:
    depth = best = 0
    for m in _CLOSE.finditer(html):
        if m.group(2).lower() in _VOID:
            continue
        if m.group(1):
            depth -= 1
        else:
            depth += 1
            best = max(best, depth)
    return best


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


def sanitize_body(html: str, *, field: str, base_url: str | None, limits: Limits = LIMITS) -> SanitizedHtml:
    """Clean CMS body HTML to the email-safe allowlist.

    Relative URLs are resolved against ``base_url``; every link and image URL
    goes through :func:`safe_url` (links https/http/mailto/tel, images
    https/http/cid, canonical ASCII); one it refuses is removed and reported in
    ``warnings`` (MRML, premailer and html2text all pass ``javascript:`` through
    untouched).
    """
    size = len(html.encode("utf-8", "surrogatepass"))
    if size > limits.max_body_bytes:
        raise LimitExceededError(f"{field}: body is {size} bytes, over the limit of {limits.max_body_bytes}")
    warnings: list[str] = []

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            try:
                return safe_url(resolve_url(value.strip(), base_url), kind="image" if attr == "src" else "link")
            except UnsafeUrlError as err:
                warnings.append(f"{field}: dropped <{tag} {attr}={value[:60]!r}>: {err.problem}")
                return None
        if attr == "class":
            kept = " ".join(c for c in value.split() if c in _ALLOWED_CLASSES)
            return kept or None
        if attr in ("width", "height"):
            return value if value.isdigit() and len(value) < 5 else None
        if attr == "dir":
            return value if value in ("ltr", "rtl", "auto") else None
        return value

    cleaned = nh3.clean(
        html,
        tags=_BODY_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_BODY_ATTRS,
        attribute_filter=attribute_filter,
        # ammonia drops a URL whose scheme is not in this set before attribute_filter sees it,
        # silently; every scheme the body could spell is let through, so that safe_url decides
        # and a dropped URL is always reported as a warning.
        url_schemes=_schemes_in(html),
        link_rel=None,
        strip_comments=True,
    )
    depth = _depth(cleaned)
    if depth > limits.max_body_depth:
        raise LimitExceededError(
            f"{field}: HTML nested {depth} levels deep, over the limit of {limits.max_body_depth}"
        )
    for m in re.finditer(r"<img\b[^>]*>", cleaned):
        if " alt=" not in m.group():
            warnings.append(f"{field}: image without alt text: {m.group()[:80]}")
    return SanitizedHtml(_reencode_attrs(cleaned), warnings)
