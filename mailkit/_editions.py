"""Editions from what newsrooms already publish: RSS, Atom, JSON Feed and IPTC ninjs.

    >>> edition = from_feed("newsroom.xml", newsletter="newsletter.yaml", limit=12)   # doctest: +SKIP
    >>> mailkit.render("digest", edition)                                              # doctest: +SKIP

Every source goes the same way::

    bytes (capped) -> entries (feedparser / JSON Feed / ninjs) -> story dicts -> merged, newest first -> Edition

Rendering stays offline: a source is a file path, bytes or a file object;
:func:`fetch_feed` is the one function here that opens a URL, and only when a
caller asks, with a timeout and a size cap. What is refused, and why:

* a source over :data:`MAX_FEED_BYTES` before it is parsed, and more than
  :data:`MAX_FEED_ENTRIES` entries after it (a 10,000-item feed is read, its
  newest stories kept, in bounded time and memory);
* external entities and DTDs: feedparser parses with expat with external
  general entities off; a feed's own entities that would expand (one that
  refers to another, or references growing the feed past twice its size) are
  refused before feedparser sees it (:func:`_expanding_entities`: feedparser
  strips only declarations at the start of a line); jsonschema is given a registry that never
  fetches (the ninjs schema refers to GeoJSON's on the web).

Nothing from a feed is silently lost: every skipped entry and dropped field is
reported to ``on_warning`` (by default a :class:`FeedWarning`).
"""

from __future__ import annotations

import calendar
import html as html_lib
import io
import json
import re
import urllib.request
import warnings as warnings_module
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo

import nh3
import yaml

from ._errors import FeedError, InvalidFixtureError, LimitExceededError, MailkitError, UnsafeUrlError
from ._feedparser import parse_date
from ._fixtures import load_theme, theme_names
from ._languages import shorten
from ._models import Article, Edition, Newsletter, mojibake_warnings
from ._reader import BOMS, JsonRefused, check_data, decoded_utf16, is_feed_file, load_json, not_utf8, read_source
from ._sanitize import LIMITS, WHOLE_TAG, current_limits, raw_depth_exceeds, resolve_url, safe_url, sanitize_body
from ._warning import RenderWarning, warning_code

__all__ = [
    "MAX_FEED_BYTES",
    "MAX_FEED_ENTRIES",
    "FeedError",
    "FeedWarning",
    "edition_yaml",
    "fetch_feed",
    "from_feed",
    "from_ninjs",
    "read_edition_source",
]

#: a feed is refused over this size before it is parsed (a 10,000-item RSS
#: feed with summaries is about 5 MB)
MAX_FEED_BYTES = 8_000_000
#: entries read from one feed; the rest are skipped with one warning
MAX_FEED_ENTRIES = 10_000
# attributes one element of a feed may have (a real feed's have a handful)
MAX_FEED_ATTRIBUTES = 100
#: a dek longer than this is cut at a word boundary
DEK_CHARS = 300
#: the digest's image column in CSS pixels: the best rendition is the smallest at least twice as wide
COLUMN_PX = 600

_JSON_FEED = re.compile(r"^https?://jsonfeed\.org/version/")
# a whole HTML document's <body>: found in two linear scans (one regular expression,
# "<body[^>]*>(.*)</body>", tried the ".*" from every "<body": 32,000 of them took 13 s)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)


def _document_body(html: str) -> str | None:
    """The content of a whole HTML document's ``<body>`` (to its last ``</body>``), else None."""
    start = _BODY_OPEN.search(html)
    if start is None:
        return None
    last = None
    for m in _BODY_CLOSE.finditer(html, start.end()):
        last = m
    return html[start.end() : last.start()] if last is not None else None


class FeedWarning(UserWarning):
    """Something a feed held that the edition does not: a skipped entry, a dropped field.

    Its message is a :class:`~mailkit.RenderWarning`; ``code`` and ``field`` are its.
    """

    @property
    def code(self) -> str | None:
        return warning_code(self.args[0]) if self.args else None

    @property
    def field(self) -> str | None:
        first = self.args[0] if self.args else None
        return first.field if isinstance(first, RenderWarning) else None


Warn = Callable[[str], None]


def _default_warn(message: str) -> None:
    warnings_module.warn(message, FeedWarning, stacklevel=3)


# --- reading the bytes ---------------------------------------------------------


def _read_bytes(source: str | Path | bytes | BinaryIO, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        raw, name = bytes(source), "<feed>"
    elif isinstance(source, str | Path):
        name = str(source)
        if isinstance(source, str) and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
            raise FeedError(name, [("", "a URL is not read here: fetch it with mailkit.fetch_feed()")])
        try:
            with open(source, "rb") as f:
                # one byte past the limit rather than trust stat(): a pipe has no size
                raw = f.read(max_bytes + 1)
        except OSError as err:
            raise FeedError(name, [("", f"cannot read: {err}")]) from err
    else:
        name = str(getattr(source, "name", "<feed>"))
        raw = source.read(max_bytes + 1)
        if not isinstance(raw, bytes):
            raise FeedError(name, [("", "open the feed in binary mode ('rb')")])
    if len(raw) > max_bytes:
        raise LimitExceededError(f"{name}: feed larger than {max_bytes:,} bytes (the limit)")
    return raw, name


def fetch_feed(url: str, *, timeout: float = 10.0, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """Download a feed, for :func:`from_feed`: the one place mailkit opens a URL.

    Only ``https``/``http``; at most ``max_bytes`` are read and ``timeout``
    seconds waited for each read. Failures are a :class:`FeedError`.
    """
    if not url.startswith(("https://", "http://")):
        raise FeedError(url, [("", "only https and http feeds are fetched")])
    request = urllib.request.Request(url, headers={"User-Agent": "mailkit feed import"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # the scheme is checked above
            raw: bytes = response.read(max_bytes + 1)
    except (OSError, ValueError) as err:
        raise FeedError(url, [("", f"cannot fetch: {err}")]) from err
    if len(raw) > max_bytes:
        raise LimitExceededError(f"{url}: feed larger than {max_bytes:,} bytes (the limit)")
    return raw


def _is_json(head: bytes) -> bool:
    """JSON by content: an object, or an array of objects (a TOML table header ``[newsletter]`` is not)."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") or re.match(rb"\[\s*[{\]]", head) is not None


def _is_json_feed(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("version"), str) and bool(_JSON_FEED.match(data["version"]))


def _json(raw: bytes, name: str) -> Any:
    try:
        text = raw.decode("utf-8-sig")
        if problem := decoded_utf16(raw, text):
            raise FeedError(name, [("", problem)])
        data = load_json(text)
    except UnicodeDecodeError as err:
        raise FeedError(name, [("", not_utf8(raw, err))]) from err
    except JsonRefused as err:
        if err.too_deep:
            # a ninjs package nesting its associations 500 deep (a few KB)
            raise LimitExceededError(f"{name}: nested deeper than {_FEED_DATA_LIMITS.max_data_depth} levels (the limit)") from err
        raise FeedError(name, [("", str(err))]) from err
    # the reader's walk, with room for MAX_FEED_ENTRIES entries (see _FEED_DATA_LIMITS)
    check_data(data, name, _FEED_DATA_LIMITS)
    return data


# --- newsletter ------------------------------------------------------------------


def _newsletter(newsletter: Newsletter | Mapping[str, Any] | str | Path) -> Newsletter:
    if isinstance(newsletter, Newsletter):
        return newsletter
    data, name = read_source(newsletter, "<newsletter>")
    if isinstance(data, Mapping) and isinstance(data.get("newsletter"), Mapping):
        data = data["newsletter"]  # a fixture, or a file holding only `newsletter:`
    if not isinstance(data, Mapping):
        raise InvalidFixtureError(name, [("", "a newsletter file is a mapping: name, url, brand, footer ...")])
    data = {k: v for k, v in data.items() if k != "$schema"}
    if isinstance(data.get("brand"), str):
        data["brand"] = load_theme(data["brand"])
    return Newsletter.validate_from(data, name)


# --- one shape for every source ---------------------------------------------------


@dataclass
class _Rendition:
    url: str
    width: int | None = None
    height: int | None = None
    alt: str | None = None
    credit: str | None = None
    caption: str | None = None
    # which picture of the entry it shows (ninjs: its picture associations in order); the
    # first picture with a safe rendition is the story's image
    picture: int = 0


@dataclass
class _Entry:
    where: str
    id: str | None
    title: str | None
    link: str | None
    summary: str | None = None  # HTML or text
    body: str | None = None  # HTML
    renditions: list[_Rendition] = field(default_factory=list)
    authors: list[dict[str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    dateline: str | None = None
    language: str | None = None


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# phrasing elements: text on either side of one is the same run of words
# ("<strong>dozens missing</strong>, officials say" read "dozens missing , officials say")
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
                     "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "u",
                     "var", "wbr"})
_TAG_START = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
_TEXT_DEPTH = 1_000


def _space_before(m: re.Match[str]) -> str:
    return m.group() if m.group(1).lower() in _INLINE else " " + m.group()


def _plain(value: str) -> str:
    """HTML to one line of text: tags stripped (script and style with their content), entities decoded,
    whitespace collapsed; a tag parts words unless it is a phrasing one (``<b>``, ``<a>``).

    nh3 (html5ever) is quadratic in how deep tags nest (40,000 nested ``<div>``
    took 2 s, and a feed's description may hold 8 MB of them): text nested
    past 1,000 levels has its tags removed by a linear scan first. (Python's
    html.parser is no way out: before 3.11.13 it is quadratic in unclosed
    tags, CPython gh-135462.)
    """
    if "<" not in value:
        return " ".join(html_lib.unescape(value).split())
    if raw_depth_exceeds(value, _TEXT_DEPTH):
        value = WHOLE_TAG.sub(" ", value)
    value = nh3.clean(_TAG_START.sub(_space_before, value), tags=set(), clean_content_tags={"script", "style"},
                      attributes={}, strip_comments=True)
    return " ".join(html_lib.unescape(value).split())




_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_INDENTED = re.compile(r"\n(?=[ \t])")


def _plain_paragraphs(text: str) -> str:
    """A plain-text body (ninjs ``text/plain``, JSON Feed ``content_text``, RSS ``text/plain``)
    as HTML paragraphs, read the way the text was written: paragraphs apart by blank lines,
    else each starting on an indented line (wire copy, ANPA 1312 / IPTC 7901, is hard-wrapped
    with each paragraph indented: "   JAKARTA (AP) — ...\\nmain island ..."), else a line each;
    the lines of one paragraph are one text (a wrapped line made a paragraph of each piece)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if _BLANK_LINE.search(text):
        pieces = _BLANK_LINE.split(text)
    elif _INDENTED.search(text):
        pieces = _INDENTED.split(text)
    else:
        pieces = text.split("\n")
    return "".join(f"<p>{html_lib.escape(' '.join(p.split()))}</p>" for p in pieces if p.strip())


# HTML escaped once more than the feed format needs (WordPress plugins and CMS exporters
# write "&lt;p&gt;" inside CDATA, or "&amp;lt;p&amp;gt;"): a value holding no tag whose
# text, decoded, starts with a tag of a story's markup and holds its closing tag
_ANY_TAG = re.compile(r"<[a-zA-Z/!?]")
_ESCAPED_MARKUP = re.compile(
    r"\s*<(p|div|figure|img|h[1-6]|ul|ol|blockquote|table|span|a|strong|em|b|i|br|section|article)[\s/>]",
    re.IGNORECASE)


def _escaped_markup(value: str) -> tuple[str, bool]:
    """``value`` decoded until it is markup, if it is markup escaped once or twice too often."""
    decoded = value
    for _ in range(2):
        if _ANY_TAG.search(decoded):
            break
        decoded = html_lib.unescape(decoded)
        m = _ESCAPED_MARKUP.match(decoded)
        if m and (m.group(1).lower() in ("img", "br") or f"</{m.group(1).lower()}" in decoded.lower()):
            return decoded, True
    return value, False


_MRSS = "{http://search.yahoo.com/mrss/}"


def _media_descriptions(raw: bytes) -> dict[str, tuple[str | None, str | None]]:
    """``<media:content>``/``<media:thumbnail>`` URL -> (description, credit), read with lxml.

    feedparser 6.0 files ``<media:description>`` as the entry's content or
    summary, and drops it when the entry already has one (a ``content:encoded``
    body): kurtmckee/feedparser#53, #195. The pictures' descriptions are read
    here instead, by URL. The parser resolves no entity, loads no DTD and opens
    nothing on the network.
    """
    if b"search.yahoo.com/mrss" not in raw:
        return {}
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        return {}
    if root is None:
        return {}
    found: dict[str, tuple[str | None, str | None]] = {}
    for element in root.iter(f"{_MRSS}content", f"{_MRSS}thumbnail"):
        url = element.get("url")
        if not url:
            continue
        # a description or credit inside <media:content>, else one in its <media:group>
        parent = element.getparent()
        scopes = [element] + ([parent] if parent is not None and parent.tag == f"{_MRSS}group" else [])
        description = next((" ".join(d.text.split()) for scope in scopes
                            for d in scope.findall(f"{_MRSS}description") if d.text and d.text.strip()), None)
        credit = next((" ".join(c.text.split()) for scope in scopes
                       for c in scope.findall(f"{_MRSS}credit") if c.text and c.text.strip()), None)
        found[url.strip()] = (description, credit)
    return found


# feedparser 6.0 files <media:description> as the entry's content (type text/plain):
# kurtmckee/feedparser#53, #195. A text/plain content beside <media:content> is the
# picture's description, not the body; _media_descriptions() reads each picture's own.
def _feedparser_entries(parsed: Any, name: str, media: dict[str, tuple[str | None, str | None]]) -> list[_Entry]:
    entries = []
    for index, e in enumerate(parsed.entries[:MAX_FEED_ENTRIES]):
        contents = e.get("content") or []
        html_bodies = [c.get("value", "") for c in contents if c.get("type") in ("text/html", "application/xhtml+xml")]
        plain = [c.get("value", "") for c in contents if c.get("type") == "text/plain"]
        media_description = plain[0] if plain and (e.get("media_content") or e.get("media_thumbnail")) else None
        if plain and media_description is None:
            html_bodies = html_bodies or [_plain_paragraphs(plain[0])]
        credits = [c.get("content") for c in e.get("media_credit") or [] if c.get("content")]
        renditions = []
        for m in (e.get("media_content") or []):
            medium, mime = m.get("medium", ""), m.get("type", "")
            if medium in ("", "image") and (not mime or mime.startswith("image/")) and m.get("url"):
                renditions.append(_Rendition(m["url"], _int(m.get("width")), _int(m.get("height"))))
        for m in (e.get("media_thumbnail") or []):
            if m.get("url"):
                renditions.append(_Rendition(m["url"], _int(m.get("width")), _int(m.get("height"))))
        for link in (e.get("links") or []):
            if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/") and link.get("href"):
                renditions.append(_Rendition(link["href"]))
        for r in renditions:
            own_description, own_credit = media.get(r.url, (None, None))
            r.alt = own_description or (_plain(media_description) if media_description else None)
            r.credit = own_credit or (credits[0] if credits else None)
        authors = [{"name": a["name"], **({"url": a["href"]} if a.get("href") else {})}
                   for a in (e.get("authors") or []) if a.get("name")]
        entries.append(_Entry(
            where=f"entry {index + 1}", id=e.get("id"), title=e.get("title"), link=e.get("link"),
            summary=e.get("summary"), body=html_bodies[0] if html_bodies else None, renditions=renditions,
            authors=authors, categories=[t["term"] for t in (e.get("tags") or []) if t.get("term")],
            # dict.get: FeedParserDict maps a missing `updated` to `published` with a
            # DeprecationWarning (feedparser issue 310); an RSS item has only pubDate
            published=dict.get(e, "published"), updated=dict.get(e, "updated"),
            language=(e.get("title_detail") or {}).get("language") or parsed.feed.get("language"),
        ))
    return entries


def _jsonfeed_entries(data: Any, name: str) -> tuple[list[_Entry], str | None]:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError(name, [("items", "a JSON Feed needs a list of items")])
    feed_authors = data.get("authors") or ([data["author"]] if isinstance(data.get("author"), dict) else [])
    entries = []
    for index, item in enumerate(data["items"][:MAX_FEED_ENTRIES]):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            entries.append(_Entry(where, None, None, None))
            continue
        renditions = [_Rendition(str(item[k])) for k in ("image", "banner_image") if isinstance(item.get(k), str)]
        for att in item.get("attachments") or []:
            if isinstance(att, dict) and str(att.get("mime_type", "")).startswith("image/") and att.get("url"):
                renditions.append(_Rendition(str(att["url"]), alt=att.get("title")))
        authors_raw = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else feed_authors)
        authors = [{"name": str(a["name"]), **({"url": str(a["url"])} if a.get("url") else {})}
                   for a in authors_raw if isinstance(a, dict) and a.get("name")]
        body = item.get("content_html")
        if body is None and isinstance(item.get("content_text"), str):
            body = _plain_paragraphs(item["content_text"])
        entries.append(_Entry(
            where=where, id=_str(item.get("id")), title=_str(item.get("title")), link=_str(item.get("url")),
            summary=_str(item.get("summary")), body=_str(body), renditions=renditions, authors=authors,
            categories=[str(t) for t in item.get("tags") or [] if isinstance(t, str)],
            published=_str(item.get("date_published")), updated=_str(item.get("date_modified")),
            language=_str(item.get("language")) or _str(data.get("language")),
        ))
    return entries, _str(data.get("home_page_url"))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- ninjs --------------------------------------------------------------------------


@cache
def _ninjs_validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schema = json.loads((Path(__file__).parent / "schemas" / "ninjs-schema_2.1.json").read_text("utf-8"))

    # jsonschema fetches an unknown $ref over the network by default; the ninjs
    # schema refers to GeoJSON's (places[].geojson), which is read as "any
    # object" here: rendering stays offline and a place's shape is not ours to check.
    def retrieve(uri: str) -> Resource:
        if uri.startswith("https://geojson.org/"):
            return Resource.from_contents({"type": "object"}, default_specification=DRAFT202012)
        raise LookupError(f"{uri}: mailkit does not fetch schemas")

    return jsonschema.Draft202012Validator(schema, registry=Registry(retrieve=retrieve))  # type: ignore[call-arg]


_READS = "mailkit reads RSS, Atom, JSON Feed and IPTC ninjs"


def _other_json_format(data: Any) -> str | None:
    """The newsroom format of a JSON document mailkit does not read, by its shape, else None.
    Without it Arc XP's ANS and WordPress's REST API were judged as ninjs, the only other JSON
    mailkit reads, and refused with "not IPTC ninjs 2.1: 'uri' is a required property"."""
    first = data[0] if isinstance(data, list) and data else data
    if not isinstance(first, dict):
        return None
    # ANS: "content_elements", and headlines as an object ({"basic": ...}; ninjs 2 has a list)
    if "content_elements" in first or isinstance(first.get("headlines"), dict):
        return "Arc XP ANS (a story with content_elements)"
    if any(isinstance(first.get(key), dict) and "rendered" in first[key] for key in ("content", "title")):
        return "the WordPress REST API (content.rendered)"
    return None


# the root element of an XML newsroom format feedparser does not read: IPTC's NewsML-G2 items,
# packages and messages, and NITF (feedparser's "not an RSS, Atom or JSON feed" named none)
_OTHER_XML_ROOTS = {"newsitem": "NewsML-G2", "packageitem": "NewsML-G2", "newsmessage": "NewsML-G2",
                    "knowledgeitem": "NewsML-G2", "conceptitem": "NewsML-G2", "nitf": "NITF"}
_XML_ROOT = re.compile(rb"(?:<\?[^>]*\?>|<!--.*?-->|<![^>]*>|\s)*<(?:[\w.-]+:)?([\w.-]+)", re.DOTALL)


def _other_xml_format(raw: bytes) -> str | None:
    m = _XML_ROOT.match(raw[:4096].lstrip(b"\xef\xbb\xbf"))
    return _OTHER_XML_ROOTS.get(m.group(1).decode("ascii", "replace").lower()) if m else None


def _ninjs_items(data: Any, name: str) -> list[tuple[str, dict[str, Any]]]:
    """The text items of a ninjs file: one item, a list of items, or a package (its text associations)."""
    if other := _other_json_format(data):
        hint = " (a WordPress site's RSS feed is at /feed/)" if "WordPress" in other else ""
        raise FeedError(name, [("", f"this is {other}, which mailkit does not read; {_READS}{hint}")])
    items = data if isinstance(data, list) else [data]
    validator = _ninjs_validator()
    found: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items[:MAX_FEED_ENTRIES]):
        where = f"[{index}]" if isinstance(data, list) else ""
        error = next(iter(sorted(validator.iter_errors(item), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise FeedError(name, [(path.lstrip(".") or "", f"not IPTC ninjs 2.1: {error.message[:200]}")])
        texts = [(f"{where}.associations[{i}]".lstrip("."), a) for i, a in enumerate(item.get("associations") or [])
                 if a.get("type") == "text"]
        if item.get("type") == "composite" and texts:
            found.extend(texts)
        else:
            found.append((where or "item", item))
    return found


def _ninjs_entry(where: str, item: dict[str, Any]) -> _Entry:
    def role(values: Any, prefer: tuple[str, ...]) -> str | None:
        values = [v for v in values or [] if isinstance(v, dict) and isinstance(v.get("value"), str)]
        for wanted in prefer:
            for v in values:
                if v.get("role", "main") == wanted or v.get("contenttype") == wanted:
                    return str(v["value"])
        return str(values[0]["value"]) if values else None

    body = role(item.get("bodies"), ("text/html", "html5", "richhtml5", "main"))
    if body is not None:
        kind = next((b.get("contenttype") for b in item["bodies"] if b.get("value") == body), "text/html")
        if kind == "text/plain":
            body = _plain_paragraphs(body)
        elif (inner := _document_body(body)) is not None:  # a whole HTML document: its body only (not <title>)
            body = inner
    renditions = []
    pictures = [a for a in item.get("associations") or [] if a.get("type") == "picture"]
    for number, assoc in enumerate(pictures):
        alt = role(assoc.get("descriptions"), ("alt", "text", "caption", "main"))
        caption = role(assoc.get("headlines"), ("main",))
        for r in assoc.get("renditions") or []:
            if r.get("href") and str(r.get("contenttype", "image/")).startswith("image/"):
                renditions.append(_Rendition(r["href"], _int(r.get("width")), _int(r.get("height")), alt=alt,
                                             credit=assoc.get("copyrightholder") or assoc.get("by"), caption=caption,
                                             picture=number))
    # ninjs 2.1 has no web link field: a canonical/url altid, else the item's uri when it is a web address
    link = next((str(a["value"]) for a in item.get("altids") or []
                 if a.get("role") in ("canonical", "url", "web", "weburl") and isinstance(a.get("value"), str)), None)
    if link is None and re.match(r"^https?://", str(item.get("uri", ""))):
        link = str(item["uri"])
    subjects = item.get("subjects") or item.get("subject") or []
    return _Entry(
        where=where, id=_str(item.get("uri")), title=role(item.get("headlines"), ("main",)) or _str(item.get("title")),
        link=link, summary=role(item.get("descriptions"), ("summary", "text", "main")), body=body,
        renditions=renditions, authors=[{"name": item["by"]}] if isinstance(item.get("by"), str) and item["by"] else [],
        categories=[str(s["name"]) for s in subjects if isinstance(s, dict) and s.get("name")],
        published=_str(item.get("firstcreated")) or _str(item.get("versioncreated")),
        updated=_str(item.get("versioncreated")), dateline=_str(item.get("located")),
        language=_str(item.get("language")),
    )


# --- mapping to stories -------------------------------------------------------------


def _instant(raw: str | None, field_name: str, tz: ZoneInfo, where: str, warn: Warn) -> datetime | None:
    if not raw:
        return None
    value: datetime | None = None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            value = None
    if value is None:
        parsed = parse_date(raw)  # every date format feedparser knows, as UTC
        if parsed is None:
            warn(RenderWarning("feed-date-unreadable", f"{where}: {field_name} {raw[:40]!r} is not a date: left out",
                               field_name))
            return None
        value = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    if value.tzinfo is None:
        warn(RenderWarning("feed-date-no-zone", f"{where}: {field_name} {raw[:40]!r} has no time zone: "
                           f"read as {tz.key}", field_name))
        value = value.replace(tzinfo=tz)
    return value


_BYLINE_LABEL = re.compile(r"^\s*by(?::\s*|\s+)(?=\S)", re.IGNORECASE)
_CREDIT_LABEL = re.compile(r"^(?:photo(?:graph)?|picture|image|credit)s?\s*:\s*", re.IGNORECASE)


def _best(renditions: list[_Rendition], base: str | None, where: str, warn: Warn) -> dict[str, Any] | None:
    # each rendition's URL checked before one is picked: the pick checked after lost the story its
    # image when the best-sized rendition was unsafe (javascript:, data:) and a smaller one was fine.
    # Picture by picture (a ninjs item's picture associations, in order): the first with a safe
    # rendition is the story's image, never a better size of another picture
    safe: list[_Rendition] = []
    for picture in dict.fromkeys(r.picture for r in renditions):
        for r in renditions:
            if r.picture != picture:
                continue
            try:
                safe_url(resolve_url(r.url, base), kind="image")
            except UnsafeUrlError as err:
                warn(RenderWarning("feed-field-dropped", f"{where}: image dropped: {err.problem}", "image"))
            else:
                safe.append(r)
        if safe:
            break
    renditions = safe
    if not renditions:
        return None
    sized = [r for r in renditions if r.width and r.height]
    if sized:
        retina = [r for r in sized if r.width and r.width >= 2 * COLUMN_PX]
        best = min(retina, key=lambda r: r.width or 0) if retina else max(sized, key=lambda r: r.width or 0)
    else:
        # no dimensions (most feeds): the first rendition, shown at the column's
        # width with height auto (render() warns where Outlook needs a height)
        best = renditions[0]
    image: dict[str, Any] = {"src": best.url, "alt": _plain(best.alt) if best.alt else ""}
    if best.width and best.height:
        image["width"], image["height"] = best.width, best.height
    if not best.alt:
        warn(RenderWarning("image-no-alt", f"{where}: image {best.url[:80]} has no description: alt text left empty",
                           "image.alt"))
    if best.credit:
        # the email writes the label itself ("Photo: {credit}", in the story's language);
        # the Guardian's media:credit carries its own ("Photograph: Manaure Quintero/AFP"),
        # which read "Photo: Photograph: ..."
        image["credit"] = _CREDIT_LABEL.sub("", _plain(best.credit), count=1) or _plain(best.credit)
    if best.caption:
        image["caption"] = _plain(best.caption)
    if "width" in image and (image["width"] > 2400 or image["height"] > 4800):
        # a huge original is shown at the column's width: keep its ratio within the model's bounds
        scale = min(2400 / image["width"], 4800 / image["height"])
        image["width"], image["height"] = max(1, round(image["width"] * scale)), max(1, round(image["height"] * scale))
    return image


def _story(entry: _Entry, base: str | None, tz: ZoneInfo, section_map: Mapping[str, str] | None,
           warn: Warn) -> tuple[dict[str, Any], datetime] | None:
    where = entry.where + (f" ({shorten(_plain(entry.title), 40)!r})" if entry.title else "")
    title = _plain(entry.title or "")
    if not title or not entry.link:
        warn(RenderWarning("feed-entry-skipped", f"{where}: skipped: no {'title' if not title else 'link'}",
                           "headline" if not title else "url"))
        return None
    story: dict[str, Any] = {"headline": title, "url": resolve_url(entry.link.strip(), base)}
    summary, body = entry.summary, entry.body
    for name, value in (("dek", summary), ("body", body)):
        if value and _escaped_markup(value)[1]:
            warn(RenderWarning("feed-html-unescaped", f"{where}: {name}: HTML escaped once too often "
                               f"({value.lstrip()[:24]!r}...): read as HTML", name))
    summary, body = (_escaped_markup(summary)[0] if summary else summary), (_escaped_markup(body)[0] if body else body)
    if summary:
        dek = _plain(summary)
        if dek and dek != title:
            story["dek"] = shorten(dek, DEK_CHARS)
    if body:
        # cleaned by the same allowlist the render uses, so what the YAML holds is what the email shows
        try:
            cleaned = sanitize_body(body, field=f"{where}: body", base_url=story["url"])
        except MailkitError as err:
            warn(RenderWarning("feed-field-dropped", f"{where}: body dropped: {err}", "body"))
        else:
            for w in cleaned.warnings:
                warn(w)
            story["body"] = _stable_body(body, str(cleaned.html))
    image = _best(entry.renditions, story["url"], where, warn)
    if image:
        story["image"] = image
    # the email writes "By {names}" itself: AP's ninjs "by" and many RSS dc:creator carry
    # their own ("By NINIEK KARMINI and EDNA TARIGAN"), which read "By By ..."
    authors = [{**a, "name": _BYLINE_LABEL.sub("", a["name"], count=1) or a["name"]} for a in entry.authors]
    if authors:
        story["authors"] = authors
    if entry.dateline:
        story["dateline"] = _plain(entry.dateline)
    if entry.language:
        story["language"] = entry.language
    if entry.categories:
        mapped = [section_map[c] for c in entry.categories if section_map and c in section_map]
        story["section"] = mapped[0] if mapped else entry.categories[0]
    published = _instant(entry.published, "published", tz, where, warn)
    # RSS has one date: feedparser gives pubDate as both published and updated
    updated = _instant(entry.updated, "updated", tz, where, warn) if entry.updated != entry.published else None
    when = published or updated
    if when is None:
        warn(RenderWarning("feed-entry-skipped", f"{where}: skipped: no publication time", "published_at"))
        return None
    story["published_at"] = when
    if updated and updated > when:
        story["updated_at"] = updated
    # one story at a time: a bad field is dropped with a warning, a bad story skipped, never the whole edition
    for _ in range(8):
        try:
            Article.model_validate(story)
            return story, when
        except InvalidFixtureError as err:  # the models' error, naming each field path
            path, message = err.errors[0]
            key = re.split(r"[.\[]", path, maxsplit=1)[0]
            if key in ("headline", "url", "published_at") or key not in story:
                warn(RenderWarning("feed-entry-skipped", f"{where}: skipped: {key}: {message}", key))
                return None
            warn(RenderWarning("feed-field-dropped", f"{where}: {key} dropped: {message}", key))
            del story[key]
    return None


def _stable_body(raw: str, cleaned: str) -> str:
    """The cleaned body when cleaning it again changes nothing (the render cleans it again), else the raw one."""
    try:
        again = sanitize_body(cleaned, field="body", base_url=None).html
    except MailkitError:
        return raw
    return cleaned if str(again) == cleaned else raw


def _canonical(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/").lower()


def _build(entries: list[_Entry], *, newsletter: Newsletter, name: str, base: str | None, since: datetime | None,
           limit: int | None, sections: Mapping[str, str] | None, warn: Warn, templates: Iterable[str]) -> Edition:
    tz = ZoneInfo(newsletter.brand.timezone)
    stories: list[tuple[dict[str, Any], datetime]] = []
    seen: dict[str, int] = {}
    versions: list[datetime] = []  # the time of the latest entry merged into each story
    for entry in entries:
        made = _story(entry, base, tz, sections, warn)
        if made is None:
            continue
        story, when = made
        keys = [k for k in (entry.id and f"id:{entry.id}", f"url:{_canonical(story['url'])}") if k]
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None:
            kept, kept_when = stories[earlier]
            # the same story twice (same GUID or canonical URL): one story, first published at the
            # earliest time, updated at the latest; the latest entry's fields win, the others fill gaps
            newer, older = (story, kept) if when > versions[earlier] else (kept, story)
            merged = {**older, **newer, "url": kept["url"], "published_at": min(when, kept_when)}
            versions[earlier] = max(when, versions[earlier])
            latest = max([versions[earlier], *(s["updated_at"] for s in (story, kept) if "updated_at" in s)])
            if latest > merged["published_at"]:
                merged["updated_at"] = latest
            stories[earlier] = (merged, merged["published_at"])
            warn(RenderWarning("feed-entry-merged", f"{entry.where}: merged with an earlier entry for the same story "
                               f"({story['url'][:80]})"))
            continue
        versions.append(when)
        for k in keys:
            seen[k] = len(stories)
        stories.append(made)
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=tz)
        before = sum(1 for s in stories if s[1] < since)
        if before:
            warn(RenderWarning("feed-stories-left-out", f"{name}: {before} stor{'y' if before == 1 else 'ies'} "
                               f"published before {since.isoformat()} left out"))
        stories = [s for s in stories if s[1] >= since]
    # the newest N, shown in the feed's own order: a newsroom ranks its top story first
    order = {id(story): index for index, (story, _) in enumerate(stories)}
    stories.sort(key=lambda s: s[1], reverse=True)
    most = current_limits().max_stories
    cap = min(limit or most, most)
    if len(stories) > cap:
        warn(RenderWarning("feed-stories-left-out", f"{name}: {len(stories) - cap} older "
                           f"stor{'y' if len(stories) - cap == 1 else 'ies'} left out (limit {cap})"))
        stories = stories[:cap]
    if not stories:
        raise FeedError(name, [("", "no story to make an edition of (every entry was skipped: see the warnings)")])
    newest = stories[0][1]
    stories.sort(key=lambda s: order[id(s[0])])
    lead, rest = stories[0][0], [s[0] for s in stories[1:]]
    if lead.get("section"):
        lead = {**lead, "kicker": lead["section"]}  # a card's section is its heading; the lead has none
    grouped: dict[str, list[dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    for story in rest:
        (grouped.setdefault(story["section"], []) if story.get("section") else loose).append(story)
    data: dict[str, Any] = {
        "templates": list(templates),
        "date": newest.astimezone(tz).date(),
        "newsletter": newsletter.model_dump(exclude_none=True),
        "articles": [lead, *loose],
        "sections": [{"title": title, "articles": arts} for title, arts in grouped.items()],
    }
    edition = Edition.validate_from(data, name)
    for warning in mojibake_warnings(edition):  # repaired by the models: said here too (mailkit import writes it)
        warn(warning)
    return edition


# --- public entry points ---------------------------------------------------------------


def from_feed(source: str | Path | bytes | BinaryIO, *, newsletter: Newsletter | Mapping[str, Any] | str | Path,
              since: datetime | None = None, limit: int | None = None, sections: Mapping[str, str] | None = None,
              on_warning: Warn | None = None, templates: Iterable[str] = ("digest",)) -> Edition:
    """An :class:`Edition` of the newest stories of an RSS, Atom or JSON Feed.

    ``source``: a file path, bytes or a binary file object (never fetched: see
    :func:`fetch_feed`). ``newsletter``: a :class:`Newsletter`, a dict, or a
    YAML/JSON/TOML file holding one. ``since``: leave out stories published
    before it (a naive time is in the newsletter's time zone); ``limit``: the
    newest N; ``sections``: category -> section title, which wins over the
    feed's own categories. Each skipped entry or dropped field goes to
    ``on_warning`` (by default a :class:`FeedWarning`).
    """
    warn = on_warning or _default_warn
    raw, name = _read_bytes(source, MAX_FEED_BYTES)
    nl = _newsletter(newsletter)
    if _is_json(raw[:4096]):
        data = _json(raw, name)
        if not _is_json_feed(data):
            return from_ninjs(data, newsletter=nl, since=since, limit=limit, sections=sections, on_warning=warn,
                              templates=templates, name=name)
        # feedparser 6.0 reads no JSON Feed (its support is unreleased): read here, mapped the same way
        entries, base = _jsonfeed_entries(data, name)
    else:
        entries, base = _parse_xml(raw, name, warn)
    return _build(entries, newsletter=nl, name=name, base=base, since=since, limit=limit, sections=sections,
                  warn=warn, templates=templates)


_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]+|[0-9]+);")


def _bad_charref(raw: bytes) -> str:
    """Where the first character reference to a surrogate or past U+10FFFF is, for a message."""
    for m in _CHARREF.finditer(raw):
        digits = m.group(1)
        value = int(digits[1:], 16) if digits[:1] in b"xX" else int(digits)
        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            line = raw.count(b"\n", 0, m.start()) + 1
            return f"line {line}: {m.group().decode()[:20]}: "
    return ""


def _crowded_element(raw: bytes, name: str) -> None:
    """Refuse a feed with an element of more than MAX_FEED_ATTRIBUTES attributes.

    feedparser's strict parser looks each attribute of an element up by name
    (``AttributesNSImpl.getValueByQName``, a linear search in Python's
    xml.sax), so an element's cost is the square of its attribute count:
    100,000 attributes on one <entry> (1 MB) took over a minute. libxml2 reads
    the feed in linear time (no entity resolved, no DTD, nothing fetched) and
    counts them in C: about 20 ms a megabyte.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        return  # nothing libxml2 can read: feedparser reports it
    if root is None:
        return
    docinfo = root.getroottree().docinfo
    _expanding_entities(raw, docinfo.internalDTD, name, docinfo.encoding)
    crowded = cast("list[etree._Element]", root.xpath(f"descendant-or-self::*[count(@*) > {MAX_FEED_ATTRIBUTES}]"))
    if crowded:
        element = crowded[0]
        tag = etree.QName(element).localname
        message = (f"line {element.sourceline}: <{tag[:40]}> has {len(element.attrib):,} attributes, "
                   f"over the limit of {MAX_FEED_ATTRIBUTES}")
        raise FeedError(name, [("", message)])


# a reference to a general or parameter entity, not a character reference (&#8212;): any name
# up to the ";" (an XML Name may hold any letter: "&é0;" too, which an ASCII pattern missed, so
# a billion laughs named so was expanded by expat); linear, since neither "&" nor "%" is in a name
_ENTITY_REFERENCE = re.compile(r"[&%]([^\s#&%;<>\"'=][^\s&%;<>\"'=]*);")
_NEWLINE = "\n"


def _expanding_entities(raw: bytes, dtd: Any, name: str, encoding: str | None = None) -> None:
    """Refuse a feed whose own DTD declares entities that would make it grow.

    feedparser strips only the ``<!ENTITY>`` declarations that start a line
    (``feedparser.sanitizer.replace_doctype``, its pattern anchored at ``^``
    with MULTILINE; pinned in tests/test_hostile_scale11.py), and expat
    expands the rest: a billion laughs on one line made a 300-byte
    feed a 100,000-character headline, a deeper one cost 1.1 s and 42 MB
    before expat's amplification guard (which counts only after 8 MB of
    output, then allows 100 times the input) stopped it; one long entity
    referenced often grows quadratically. So, read from the DTD libxml2 has
    parsed (nothing expanded): an entity whose value refers to another entity
    is refused, and so are references that would expand to more characters in
    all than the feed has bytes. Character entities (``<!ENTITY mdash
    "&#8212;">``) and the odd boilerplate entity stay readable; external ones
    are never loaded (``load_dtd=False`` here, no external entities in expat).
    """
    if dtd is None:
        return
    values = {entity.name: entity.orig for entity in dtd.iterentities() if entity.orig is not None}
    if not values:
        return
    # read as libxml2 read it (a feed declaring ISO-8859-1 writes "é" as one byte)
    try:
        text = raw.decode(encoding or "utf-8", "replace")
    except LookupError:
        text = raw.decode("utf-8", "replace")

    def where(entity: str) -> str:
        m = re.search(r"<!ENTITY\s+(?:%\s+)?" + re.escape(entity) + r"\s", text)
        if m is None:
            return ""
        return f"line {text.count(_NEWLINE, 0, m.start()) + 1}: "

    for entity, value in values.items():
        inner = _ENTITY_REFERENCE.search(value)
        if inner is not None:
            problem = (f"{where(entity)}entity '{entity[:40]}' refers to entity '{inner.group(1)[:40]}': "
                       "entities that expand others are refused (a few bytes of them expand to gigabytes)")
            raise FeedError(name, [("", problem)])
    grows = {entity: len(value) for entity, value in values.items()}
    total = 0
    for m in _ENTITY_REFERENCE.finditer(text):
        total += grows.get(m.group(1), 0)
        if total > len(raw):
            entity = m.group(1)
            problem = (f"{where(entity)}entity '{entity[:40]}' and the others declared would expand to more "
                       f"characters than the feed's {len(raw):,} bytes: refused (entity expansion makes a small "
                       "feed enormous)")
            raise FeedError(name, [("", problem)])


_DECLARED_ENCODING = re.compile(r"""\A(<\?xml[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2""")


def _bom_wins(raw: bytes, name: str) -> bytes:
    """A UTF-16 or UTF-32 feed as UTF-8, its declaration's encoding dropped: the byte order mark says the encoding.

    feedparser 6.0 tries the declared encoding before the BOM's, so a UTF-16 feed
    declaring windows-1252 (an export that rewrote the bytes, not the prolog) was
    "line 2: not well-formed (invalid token)"; a UTF-8 BOM already wins there.
    """
    for bom, codec in BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(codec)
            except UnicodeDecodeError as err:
                problem = f"byte {err.start + len(bom):,}: not {codec.upper()} ({err.reason}), as its byte order mark says"
                raise FeedError(name, [("", problem)]) from err
            return _DECLARED_ENCODING.sub(r"\1", text, count=1).encode("utf-8")
    return raw


def _parse_xml(raw: bytes, name: str, warn: Warn) -> tuple[list[_Entry], str | None]:
    import feedparser  # imported when a feed is read: it costs 50 ms

    raw = _bom_wins(raw, name)
    _crowded_element(raw, name)

    # bytes, never a str: feedparser would take a str for a URL or a file name and open it
    # feedparser's own sanitiser would drop unsafe links and tags without a word; the body goes
    # through mailkit's (sanitize_body), which reports each one, and text fields are stripped to text
    try:
        parsed = feedparser.parse(io.BytesIO(raw), resolve_relative_uris=True, sanitize_html=False)
    except Exception as err:  # feedparser is meant to set bozo, never raise; it does
        # feedparser 6.0 raises on some malformed feeds (kurtmckee/feedparser#591, #599, open):
        # its lenient parser calls chr() on a character reference unchecked ("&#xD800;" is a
        # UnicodeEncodeError, "&#x110000;" a ValueError, "&#99999999999;" an OverflowError), a
        # DTD entity value "C:\data" is read as a regular expression (re.error), a GML srsName
        # "EPSG:abc" goes to int(). Pinned in tests/test_hostile_probe2.py.
        raise FeedError(name, [("", f"{_bad_charref(raw)}not a readable feed: {type(err).__name__}: {err}")]) from err
    if not parsed.version and not parsed.entries:
        exc = parsed.get("bozo_exception")
        line = getattr(exc, "getLineNumber", lambda: None)()
        where = f"line {line}: " if line else ""
        message = getattr(exc, "getMessage", lambda: str(exc or "not an RSS, Atom or JSON feed"))()
        if other := _other_xml_format(raw):
            raise FeedError(name, [("", f"this is {other}, which mailkit does not read; {_READS}")])
        raise FeedError(name, [("", f"{where}not a readable feed: {message}")])
    if parsed.bozo:
        exc = parsed.bozo_exception
        line = getattr(exc, "getLineNumber", lambda: None)()
        if not isinstance(exc, feedparser.CharacterEncodingOverride):
            warn(RenderWarning("feed-broken", f"{name}: {'line ' + str(line) + ': ' if line else ''}broken feed, "
                               f"read leniently: {getattr(exc, 'getMessage', lambda: str(exc))()}; "
                               "entries after the break may be missing"))
    if len(parsed.entries) > MAX_FEED_ENTRIES:
        warn(RenderWarning("feed-too-many-entries", f"{name}: {len(parsed.entries) - MAX_FEED_ENTRIES:,} entries "
                           f"past the first {MAX_FEED_ENTRIES:,} skipped"))
    return _feedparser_entries(parsed, name, _media_descriptions(raw)), parsed.feed.get("link")


def from_ninjs(items: str | Path | bytes | BinaryIO | Mapping[str, Any] | list[Any], *,
               newsletter: Newsletter | Mapping[str, Any] | str | Path, since: datetime | None = None,
               limit: int | None = None, sections: Mapping[str, str] | None = None,
               on_warning: Warn | None = None, templates: Iterable[str] = ("digest",),
               name: str | None = None) -> Edition:
    """An :class:`Edition` of IPTC ninjs items: one item, a list of items, or a package.

    Each item is validated against IPTC's ninjs 2.1 JSON Schema (shipped in
    ``mailkit/schemas``); ``headlines`` -> headline, ``descriptions`` -> dek,
    ``bodies`` -> body, the first ``picture`` association's best rendition ->
    image, ``by`` -> byline, ``located`` -> dateline, ``subjects`` -> section.
    """
    warn = on_warning or _default_warn
    if isinstance(items, Mapping | list):
        data: Any = items
        name = name or "<ninjs>"
        check_data(data, name, _FEED_DATA_LIMITS)
    else:
        raw, read_name = _read_bytes(items, MAX_FEED_BYTES)
        name = name or read_name
        data = _json(raw, name)
    entries = [_ninjs_entry(where, item) for where, item in _ninjs_items(data, name)]
    return _build(entries, newsletter=_newsletter(newsletter), name=name, base=None, since=since, limit=limit,
                  sections=sections, warn=warn, templates=templates)


def read_edition_source(path: str | Path, *, newsletter: Newsletter | Mapping[str, Any] | str | Path | None = None,
                        on_warning: Warn | None = None) -> Edition | Path:
    """A feed or ninjs file as an :class:`Edition` (detected by content), else ``path`` itself (a fixture).

    For the CLI: ``mailkit render digest FEED.xml --newsletter N.yaml``.
    """
    path = Path(path)
    if not is_feed_file(path):
        return path  # a fixture (or unreadable: load_edition names the file and the error)
    if newsletter is None:
        raise FeedError(str(path), [("", "a feed needs --newsletter NEWSLETTER.yaml (name, url, brand, footer)")])
    return from_feed(path, newsletter=newsletter, on_warning=on_warning)


def edition_yaml(edition: Edition, *, comment: str | None = None) -> str:
    """``edition`` as a fixture file a person can edit, review and snapshot (validates as ``fixtures/schema.json``)."""
    data = edition.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    # a shipped theme is written by name, as hand-written fixtures do
    theme = next((t for t in theme_names() if load_theme(t) == edition.newsletter.brand), None)
    if theme:
        data["newsletter"]["brand"] = theme
    if isinstance(data.get("date"), str):
        data["date"] = date.fromisoformat(data["date"])
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    head = "".join(f"# {line}\n" for line in (comment or "").splitlines())
    return head + text


# feeds may be larger than a fixture (MAX_FEED_BYTES, MAX_FEED_ENTRIES entries);
# nesting stays as bounded
def _feed_data_limits() -> Any:
    from dataclasses import replace

    return replace(LIMITS, max_data_values=MAX_FEED_ENTRIES * 200, max_data_depth=24)


_FEED_DATA_LIMITS = _feed_data_limits()
