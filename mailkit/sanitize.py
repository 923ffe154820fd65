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

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import nh3

from .errors import LimitExceededError

__all__ = [
    "LIMITS",
    "Limits",
    "SanitizedHtml",
    "check_text",
    "encode_for_mrml",
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
    # author templates (mailkit.sandbox): the characters a template may write,
    # and the longest string or list it may build on the way; loop iterations
    # and macro calls; wall-clock time. A digest of 60 stories writes about
    # 27,000 characters in under 100 steps and a few milliseconds.
    max_template_output: int = 2_000_000
    max_template_steps: int = 20_000
    max_template_seconds: float = 1.0
    # mj-include loads in one render (MRML recurses without a limit)
    max_mj_includes: int = 100


LIMITS = Limits()

_LINK_SCHEMES = frozenset({"https", "http", "mailto", "tel"})
_IMAGE_SCHEMES = frozenset({"https", "http", "cid"})
_REPORTED_SCHEMES = frozenset({
    "javascript", "vbscript", "file", "data", "ftp", "blob", "about", "ws", "wss", "sms", "callto", "jar",
    "chrome", "ms-its", "mhtml", "view-source", "filesystem", "intent",
})

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


def url_problem(url: str, *, image: bool = False) -> str | None:
    """Return why ``url`` is not acceptable as an absolute link (or image) URL, or None."""
    allowed = _IMAGE_SCHEMES if image else _LINK_SCHEMES
    m = _SCHEME.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme and scheme not in allowed:
        return f"URL scheme {scheme!r} not allowed (use {', '.join(sorted(allowed))})"
    if url != url.strip() or any(c.isspace() for c in url):
        return "URL contains whitespace"
    try:
        parts = urlsplit(url)
    except ValueError as err:
        return f"not a valid URL ({err})"
    if not scheme:
        return "not an absolute URL"
    if scheme in ("http", "https") and not parts.netloc:
        return "not an absolute URL"
    return None


def resolve_url(url: str, base: str | None) -> str:
    """Resolve a relative ``url`` against ``base`` when there is one."""
    if base and not urlsplit(url).scheme and not url.startswith(("javascript", "data")):
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


def _unescape_attr(v: str) -> str:
    return v.replace("&quot;", '"').replace("&nbsp;", "\xa0").replace("&amp;", "&")


def _reencode_attrs(html: str) -> str:
    # nh3 (html5ever) writes attribute values with only & " and nbsp escaped,
    # and never an unescaped '"' inside a value, so this scan is exact.
    def tag(m: re.Match[str]) -> str:
        attrs = _ATTR.sub(lambda a: f'{a.group(1)}="{encode_for_mrml(_unescape_attr(a.group(2)))}"', m.group(2))
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


def sanitize_body(html: str, *, field: str, base_url: str | None, limits: Limits = LIMITS) -> SanitizedHtml:
    """Clean CMS body HTML to the email-safe allowlist.

    Relative URLs are resolved against ``base_url``; links with a scheme other
    than https/http/mailto/tel and images other than https/http/cid are
    removed and reported in ``warnings`` (MRML, premailer and html2text all
    pass ``javascript:`` through untouched).
    """
    size = len(html.encode("utf-8", "surrogatepass"))
    if size > limits.max_body_bytes:
        raise LimitExceededError(f"{field}: body is {size} bytes, over the limit of {limits.max_body_bytes}")
    warnings: list[str] = []

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            url = resolve_url(value.strip(), base_url)
            problem = url_problem(url, image=(attr == "src"))
            if problem:
                warnings.append(f"{field}: dropped <{tag} {attr}={value[:60]!r}>: {problem}")
                return None
            return url
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
        # Every scheme we know of is let through to attribute_filter, so that a
        # dropped URL is reported as a warning rather than silently removed.
        url_schemes=set(_LINK_SCHEMES | _IMAGE_SCHEMES | _REPORTED_SCHEMES),
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
