"""Embeds in body HTML become link cards, before the allowlist sees them.

A CMS sends a video, a post or a podcast as an ``<iframe>``, ``<video>``,
``<audio>``, ``<object>``/``<embed>`` or a ``<blockquote class="twitter-tweet">``
waiting for a script. No email client plays them, and the allowlist would drop
them without a trace, so each becomes what an email can show: a link card
(the poster image if there is one, the title, "Watch on YouTube"). An embed
without a usable URL is left as it is, for the sanitiser to drop and report.

Parsed with lxml (libxml2), on input whose size :mod:`mailkit._sanitize` has
already bounded; the tree is only serialised again when something changed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import lxml.html

from ._markers import EMBED_CLASS, EMBED_LINK_CLASS, EMBED_TITLE_CLASS

__all__ = ["POST_CLASSES", "convert_embeds", "count_markup", "foreign_text", "html_integer", "normalize_images",
           "parse_fragment", "provider", "serialize_fragment"]


def html_integer(value: str, low: int, high: int) -> int | None:
    """``value`` as HTML reads a number attribute (``width``, ``colspan``, ``start``), if it is
    one from ``low`` to ``high``: ASCII digits only, as HTML's "valid non-negative integer".

    Not ``str.isdigit()`` then ``int()``: isdigit says yes to ``²`` (int() raises on it) and
    to ``١٢٣`` or ``２００`` (int() reads 123, 200; a browser ignores the attribute).
    """
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(high)):
        return None
    number = int(value)
    return number if low <= number <= high else None


# host suffix -> the name a reader knows
_PROVIDERS = (
    ("youtube.com", "YouTube"), ("youtube-nocookie.com", "YouTube"), ("youtu.be", "YouTube"),
    ("vimeo.com", "Vimeo"), ("twitter.com", "X"), ("x.com", "X"), ("instagram.com", "Instagram"),
    ("facebook.com", "Facebook"), ("tiktok.com", "TikTok"), ("spotify.com", "Spotify"),
    ("soundcloud.com", "SoundCloud"), ("podcasts.apple.com", "Apple Podcasts"), ("dailymotion.com", "Dailymotion"),
    ("bsky.app", "Bluesky"), ("threads.net", "Threads"),
)
_VIDEO_HOSTS = frozenset({"YouTube", "Vimeo", "TikTok", "Dailymotion"})
_AUDIO_HOSTS = frozenset({"Spotify", "SoundCloud", "Apple Podcasts"})
# blockquotes a platform script turns into an embed: class -> provider
POST_CLASSES = {"twitter-tweet": "X", "twitter-video": "X", "instagram-media": "Instagram",
                 "tiktok-embed": "TikTok", "bluesky-embed": "Bluesky", "text-post-media": "Threads"}
_YOUTUBE_ID = re.compile(r"^/(?:embed|shorts|v|live)/([A-Za-z0-9_-]{6,20})")
_VIMEO_ID = re.compile(r"^/video/(\d{1,12})")
_MAX_DEPTH = 200  # libxml2 would cut a deeper tree short: leave such input alone


def provider(url: str) -> str:
    """The name of the site ``url`` is on: ``YouTube``, or the bare host name."""
    host = (urlsplit(url).hostname or "").lower()
    for suffix, name in _PROVIDERS:
        if host == suffix or host.endswith("." + suffix):
            return name
    return host.removeprefix("www.")


def _watch_url(src: str) -> tuple[str, str | None]:
    """The page a player URL belongs to, and a poster image when the host has a known one."""
    parts = urlsplit(src)
    name = provider(src)
    if name == "YouTube":
        m = _YOUTUBE_ID.match(parts.path)
        video = m.group(1) if m else (parts.path.strip("/") if parts.hostname == "youtu.be" else None)
        video = video or next(iter(parse_qs(parts.query).get("v", [])), None)
        if video and re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video):
            return f"https://www.youtube.com/watch?v={video}", f"https://i.ytimg.com/vi/{video}/hqdefault.jpg"  # 480x360
    if name == "Vimeo":
        m = _VIMEO_ID.match(parts.path)
        if m:
            return f"https://vimeo.com/{m.group(1)}", None
    return src, None


def _card(url: str, title: str, verb: str, poster: str | None, kind: str,
          size: tuple[str, str] | None = None) -> lxml.html.HtmlElement:
    """``<div class="mk-embed">`` poster (a link), title, "Watch on YouTube" (a link)."""
    card = lxml.html.Element("div", {"class": EMBED_CLASS})
    if poster:
        a = lxml.etree.SubElement(card, "a", {"href": url})
        # the image is a link: its alt says where it goes
        img = lxml.etree.SubElement(a, "img", {"src": poster, "alt": f"{kind}: {title}" if title and title != kind else kind})
        if size:  # the box keeps the poster's shape while it loads or is blocked
            img.set("width", size[0])
            img.set("height", size[1])
    if title:
        p = lxml.etree.SubElement(card, "p", {"class": EMBED_TITLE_CLASS})
        lxml.etree.SubElement(p, "strong").text = title
    p = lxml.etree.SubElement(card, "p", {"class": EMBED_LINK_CLASS})
    lxml.etree.SubElement(p, "a", {"href": url}).text = f"{verb} on {provider(url)}"
    return card


def _replace(el: lxml.html.HtmlElement, new: lxml.html.HtmlElement) -> None:
    new.tail = el.tail
    parent = el.getparent()
    if parent is not None:
        parent.replace(el, new)


def _title(el: lxml.html.HtmlElement, fallback: str) -> str:
    for value in (el.get("title"), el.get("aria-label"), el.get("data-title")):
        if value and value.strip():
            return " ".join(value.split())
    figure = el.getparent()
    if figure is not None and figure.tag == "figure":
        caption = figure.find("figcaption")
        if caption is not None and caption.text_content().strip():
            return ""  # the figure's own caption says it, and stays
    return fallback


def _depth(root: lxml.html.HtmlElement) -> int:
    depth = best = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        best = max(best, depth)
    return best


def parse_fragment(html: str) -> lxml.html.HtmlElement | None:
    """``html`` under a ``<div>``, or None when libxml2 cannot be trusted with it."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.LxmlError, ValueError):
        return None
    if _WRAPPER_END in html or not any(f"<{tag}" in html.lower() for tag in _RAW_TEXT):
        return root if _depth(root) < _MAX_DEPTH else None
    # lxml parses a fragment inside "<html><body>...</body></html>" of its own: a
    # raw-text element left open (<xmp>, <title>, <plaintext>, a <style> in MathML)
    # swallows those end tags as its text, and "<xmp>hello" reached readers as
    # "hello</body></html>"
    for el in root.iter(*_RAW_TEXT):
        if el.text and el.text.endswith(_WRAPPER_END):
            el.text = el.text[: -len(_WRAPPER_END)]
    return root if _depth(root) < _MAX_DEPTH else None


_WRAPPER_END = "</body></html>"
_RAW_TEXT = ("xmp", "plaintext", "title", "textarea", "iframe", "noembed", "noframes", "style", "script")


def count_markup(root: lxml.html.HtmlElement | None, tags: frozenset[str] | set[str]
                 ) -> tuple[Counter[str], Counter[str]]:
    """How many elements of each name are under ``root``, and attributes of each
    name on elements in ``tags`` (``href``, ``src`` and ``class`` are left out:
    the sanitiser reports a dropped URL itself, and unknown classes are styling)."""
    elements: Counter[str] = Counter()
    attributes: Counter[str] = Counter()
    if root is None:
        return elements, attributes
    for el in root.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        elements[el.tag] += 1
        if el.tag in tags:
            attributes.update(a for a in el.attrib if a not in ("href", "src", "class"))
    return elements, attributes


def convert_embeds(root: lxml.html.HtmlElement, url_ok: Callable[[str, bool], str | None],
                   refused: Callable[[str, str], None] | None = None) -> int:
    """Turn the embeds under ``root`` into link cards, in place; return how many.

    ``url_ok(url, image)`` returns the URL to use (resolved) or None when it may
    not be linked (or shown, for an image); an embed without such a URL is left for the sanitiser to drop.
    A poster image ``url_ok`` refuses is left out of the card, and ``refused(what, url)`` told.
    """
    converted = 0
    for el in list(root.iter("iframe", "video", "audio", "embed", "object", "blockquote")):
        if el.getparent() is None:
            continue
        tag = el.tag
        if tag == "blockquote":
            classes = set((el.get("class") or "").split())
            name = next((POST_CLASSES[c] for c in classes if c in POST_CLASSES), None)
            if name is None:
                continue
            # the post's text is content: it stays a quotation, with a link to the post
            links = [url_ok(a.get("href") or "", False) for a in el.iter("a")]
            post = next((u for u in reversed(links) if u and provider(u) == name), None)
            for attr in list(el.attrib):
                del el.attrib[attr]
            if post:
                p = lxml.etree.SubElement(el, "p", {"class": EMBED_LINK_CLASS})
                lxml.etree.SubElement(p, "a", {"href": post}).text = f"View the post on {name}"
            converted += 1
            continue
        candidates = [el.get("src"), el.get("data-src"), el.get("data")]
        if tag in ("video", "audio"):
            # a fallback link inside the player is the page a reader should go to
            candidates = [a.get("href") for a in el.iter("a")] + candidates
            candidates += [s.get("src") for s in el.iter("source")]
        url = next((u for u in (url_ok(c, False) for c in candidates if c) if u), None)
        if url is None:
            continue
        url, poster = _watch_url(url)
        name = provider(url)
        if tag == "audio" or name in _AUDIO_HOSTS:
            verb, kind = "Listen", "Audio"
        elif tag == "video" or name in _VIDEO_HOSTS:
            verb, kind = "Watch", "Video"
        else:
            verb, kind = "View", "Embedded content"
        size = ("480", "360") if poster else None
        if tag == "video" and el.get("poster"):
            poster = url_ok(el.get("poster") or "", True)
            if poster is None and refused is not None:
                refused("video poster", el.get("poster") or "")
            w, h = el.get("width", ""), el.get("height", "")
            size = (w, h) if html_integer(w, 1, 9999) and html_integer(h, 1, 9999) else None
        title = _title(el, kind)
        _replace(el, _card(url, title, verb, poster, kind, size))
        converted += 1
    return converted


# --- images as CMSs write them ----------------------------------------------------------

# Where a lazy-loading CMS (WordPress, Arc, lazysizes, AMP) puts the real file while ``src``
# holds a placeholder GIF or nothing: no email client runs the script that swaps them in
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-hi-res-src")
_SRCSETS = ("data-srcset", "data-lazy-srcset", "srcset")
# attributes that only steer a browser's choice or loading: consumed here, never reported
_LOADING_ATTRS = (*_LAZY_SRC, *_SRCSETS, "sizes", "data-sizes", "loading", "decoding", "fetchpriority")
# the pixels an image needs: the 552 px column on a 2x screen
_WANTED_PIXELS = 1104
# HTML's "parse a srcset attribute" (https://html.spec.whatwg.org/multipage/images.html
# #parse-a-srcset-attribute): a URL ends at whitespace only, so it may hold commas
# (a CDN's "c_fill,w_800"); commas that end it are not part of it; a descriptor may hold
# a comma inside parentheses. Each step is one regex run from a position that only
# moves forward: linear in the value.
_SRCSET_SPLIT = re.compile(r"[\t\n\f\r ,]*")
_SRCSET_URL = re.compile(r"[^\t\n\f\r ]*")
_SRCSET_SPACE = re.compile(r"[\t\n\f\r ]*")
_SRCSET_WORD = re.compile(r"[^\t\n\f\r ,(]*")
_SRCSET_PARENS = re.compile(r"[^)]*")
_VALID_INTEGER = re.compile(r"[0-9]+")  # a valid non-negative integer
_VALID_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")  # a valid floating-point number


def _run(pattern: re.Pattern[str], value: str, pos: int) -> str:
    """What ``pattern`` (a run: it matches the empty string too) takes from ``value`` at ``pos``."""
    m = pattern.match(value, pos)
    return m.group() if m is not None else ""


def _srcset_descriptors(value: str, pos: int) -> tuple[list[str], int]:
    """The standard's descriptor tokenizer from ``pos``: the descriptors and the position after them."""
    descriptors: list[str] = []
    current, in_parens = "", False
    while True:
        if in_parens:
            taken = _run(_SRCSET_PARENS, value, pos)
            current, pos = current + taken, pos + len(taken)
            if pos >= len(value):
                return [*descriptors, current], pos
            current, pos, in_parens = current + ")", pos + 1, False
            continue
        taken = _run(_SRCSET_WORD, value, pos)
        current, pos = current + taken, pos + len(taken)
        c = value[pos] if pos < len(value) else ""
        if c == "(":
            current, pos, in_parens = current + "(", pos + 1, True
            continue
        if current:
            descriptors.append(current)
            current = ""
        if c in ("", ","):
            return descriptors, pos + (c == ",")
        pos += len(_run(_SRCSET_SPACE, value, pos))  # after a descriptor: whitespace, then another
        if pos >= len(value):
            return descriptors, pos


def _srcset_width(descriptors: list[str]) -> float | None:
    """The standard's descriptor parser: the candidate's width in pixels (a density ``x`` read
    against the column's 552 px), or None when a browser drops the candidate."""
    width = density = height = None
    for d in descriptors:
        number, kind = d[:-1], d[-1:]
        if kind == "w" and width is None and density is None and _VALID_INTEGER.fullmatch(number) and int(number):
            width = int(number)
        elif kind == "x" and width is None and density is None and height is None \
                and _VALID_FLOAT.fullmatch(number) and float(number) >= 0:
            density = float(number)
        elif kind == "h" and height is None and density is None and _VALID_INTEGER.fullmatch(number) and int(number):
            height = int(number)
        else:
            return None
    if height is not None and width is None:
        return None
    return float(width) if width is not None else (1.0 if density is None else density) * 552


def srcset_candidates(value: str) -> list[tuple[float, str]]:
    """``value``'s image candidates as a browser reads them: (width in pixels, URL); a
    candidate with descriptors a browser refuses is left out."""
    out: list[tuple[float, str]] = []
    pos = 0
    while True:
        pos += len(_run(_SRCSET_SPLIT, value, pos))
        if pos >= len(value):
            return out
        url = _run(_SRCSET_URL, value, pos)
        pos += len(url)
        descriptors: list[str] = []
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            descriptors, pos = _srcset_descriptors(value, pos + len(_run(_SRCSET_SPACE, value, pos)))
        width = _srcset_width(descriptors)
        if width is not None:
            out.append((width, url))


def srcset_choice(value: str) -> list[str]:
    """The URLs of a ``srcset``, best first for the email's column: the smallest of at least
    1,104 px (``w``, or ``x`` read as the column's 552 px), then the larger ones, then the rest."""
    sized = srcset_candidates(value)
    enough = sorted((s for s in sized if s[0] >= _WANTED_PIXELS), key=lambda s: s[0])
    smaller = sorted((s for s in sized if s[0] < _WANTED_PIXELS), key=lambda s: -s[0])
    return [url for _, url in enough + smaller]


def _sources(el: lxml.html.HtmlElement) -> list[str]:
    """Every URL ``el`` names for its file, in the order a reader should get them."""
    src = el.get("src") or ""
    found = [] if src.strip().lower().startswith("data:") else [src]  # a data: src is the placeholder
    found += [el.get(name) or "" for name in _LAZY_SRC]
    for name in _SRCSETS:
        found += srcset_choice(el.get(name) or "")
    return [u for u in found if u.strip()] + ([src] if src.strip().lower().startswith("data:") else [])


def normalize_images(root: lxml.html.HtmlElement, url_ok: Callable[[str, bool], str | None]) -> int:
    """Give every image under ``root`` the file a browser's script or ``<picture>`` would have
    chosen, in place; return how many elements changed.

    ``<amp-img>`` becomes ``<img>``; a ``<picture>`` becomes its ``<img>``, with the first
    usable ``<source>`` in a format every email client shows (JPEG, PNG, GIF, by ``type`` or
    extension; else one of a format not named, else the first) when the ``<img>`` has none; an ``<img>`` whose ``src`` is a
    placeholder (``data:``) or missing takes its ``data-src``, ``data-srcset`` or
    ``srcset`` (the first ``url_ok`` accepts); a ``<noscript>`` loses the images that repeat
    one already shown (a lazy image's twin) and gives up the rest of its content, as markup:
    html5ever (nh3) reads a noscript's content as text, which reached the reader as
    ``<img src="...">``. An image with nothing usable is left for the sanitiser to report.
    """
    changed = 0
    for el in list(root.iter("amp-img")):
        el.tag = "img"
        for child in list(el):  # its own <noscript> twin or fallback
            el.remove(child)
        changed += 1
    for picture in list(root.iter("picture")):
        img = next(picture.iter("img"), None)
        if img is None:
            img = lxml.html.Element("img")
        if _first_usable(img, url_ok) is None:
            # the <img> has no file of its own: the source every email client shows (JPEG, PNG,
            # GIF), else one of a type not named, else the first (WebP, AVIF: image-format warns)
            found: list[tuple[int, str]] = []
            for source in picture.iter("source"):
                urls = [*srcset_choice(source.get("srcset") or source.get("data-srcset") or ""), source.get("src") or ""]
                url = next((u for u in (url_ok(c, True) for c in urls if c) if u), None)
                if url is not None:
                    found.append((_format_rank(source.get("type"), url), url))
            if found:
                img.set("src", min(found, key=lambda f: f[0])[1])  # min() keeps the first of a rank
        img.tail = picture.tail
        parent = picture.getparent()
        if parent is not None:
            parent.replace(picture, img)
        changed += 1
    shown: set[str] = set()
    for img in list(root.iter("img")):
        if any(a in img.attrib for a in _LOADING_ATTRS) or not (img.get("src") or "").strip():
            url = _first_usable(img, url_ok)
            for name in _LOADING_ATTRS:
                img.attrib.pop(name, None)
            if url is not None:
                img.set("src", url)
            changed += 1
        if not any(a.tag == "noscript" for a in img.iterancestors()) and (url := url_ok(img.get("src") or "", True)):
            shown.add(url)
    for noscript in list(root.iter("noscript")):
        twins = list(noscript.iter("img"))
        for img in twins:
            if url_ok(img.get("src") or "", True) in shown:
                img.drop_tree()
        # the placeholder right before it stands in for the twin: the twin is the image
        before = noscript.getprevious()
        if twins and before is not None and before.tag == "img" and _first_usable(before, url_ok) is None:
            before.drop_tree()
        noscript.drop_tag()
        changed += 1
    return changed


# image types every email client shows, by MIME type and by file extension
_SHOWN_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/gif"})
_SHOWN_EXTENSION = re.compile(r"\.(?:jpe?g|png|gif)$", re.IGNORECASE)
_OTHER_EXTENSION = re.compile(r"\.(?:webp|avif|svg|jxl|heic|heif)$", re.IGNORECASE)


def _format_rank(mime: str | None, url: str) -> int:
    """0 for a source every email client shows (its ``type``, else its URL's extension, says
    JPEG, PNG or GIF), 1 for one of a format not named, 2 for WebP, AVIF, SVG and the like
    (Outlook on Windows shows no WebP, Gmail no AVIF or SVG)."""
    kind = (mime or "").split(";")[0].strip().lower()
    if kind:
        return 0 if kind in _SHOWN_TYPES else 2
    path = urlsplit(url).path
    return 0 if _SHOWN_EXTENSION.search(path) else 2 if _OTHER_EXTENSION.search(path) else 1


def _first_usable(img: lxml.html.HtmlElement, url_ok: Callable[[str, bool], str | None]) -> str | None:
    return next((u for u in (url_ok(c, True) for c in _sources(img)) if u), None)


# --- SVG and MathML: their text is content ----------------------------------------------

# not read as the graphic's text: code, styling, and the description a screen reader gets on demand
_NOT_SHOWN = frozenset({"script", "style", "desc", "title", "metadata"})


def _svg_text(svg: lxml.html.HtmlElement) -> str:
    label = svg.get("aria-label") or ""
    if not label.strip():
        title = next((t for t in svg.iter("title")), None)
        label = title.text_content() if title is not None else ""
    if not label.strip():
        words = []
        for el in svg.iter():
            if el is not svg and isinstance(el.tag, str) and el.tag not in _NOT_SHOWN and not any(
                    a.tag in _NOT_SHOWN for a in el.iterancestors() if a is not svg):
                words.append(el.text or "")
            if el is not svg:
                words.append(el.tail or "")
        label = " ".join(words)
    return " ".join(label.split())


# MathML's scripts as the HTML a reader's client shows: x<sup>2</sup>, x<sub>i</sub>
_SCRIPTS = {"msup": ("sup",), "msub": ("sub",), "msubsup": ("sub", "sup")}


def _math_into(el: lxml.html.HtmlElement, out: lxml.html.HtmlElement) -> None:
    """The content of MathML ``el`` appended to ``out`` as text and <sup>/<sub>."""
    def add_text(text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        last = out[-1] if len(out) else None
        if last is None:
            out.text = (out.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    children = [c for c in el if isinstance(c.tag, str)]
    if el.tag in _SCRIPTS and len(children) == 1 + len(_SCRIPTS[el.tag]):
        _math_into(children[0], out)
        for tag, child in zip(_SCRIPTS[el.tag], children[1:], strict=True):
            script = lxml.etree.SubElement(out, tag)
            _math_into(child, script)
        return
    if el.tag == "mfrac" and len(children) == 2:
        add_text("(")
        _math_into(children[0], out)
        add_text(")/(")
        _math_into(children[1], out)
        add_text(")")
        return
    if el.tag == "msqrt":
        add_text("√(")
        for child in children:
            _math_into(child, out)
        add_text(")")
        return
    if el.tag == "mroot" and len(children) == 2:  # the index-th root of the base
        add_text("(")
        _math_into(children[0], out)
        add_text(")")
        script = lxml.etree.SubElement(out, "sup")
        script.text = "1/"
        _math_into(children[1], script)
        return
    if el.tag == "maction" and children:  # only its first child is shown
        _math_into(children[0], out)
        return
    if el.tag in ("annotation", "annotation-xml"):
        return
    add_text(el.text or "")
    for child in children:
        _math_into(child, out)
        add_text(child.tail or "")


def foreign_text(root: lxml.html.HtmlElement) -> int:
    """Put the text of every inline ``<svg>`` and ``<math>`` under ``root`` before it, in place,
    and empty the element; return how many.

    nh3 drops both with everything in them (an allowlist cannot let SVG's or MathML's
    attributes through safely), so a chart's label or a formula vanished from the sentence
    around it. The text goes in as text, never markup: an SVG's ``aria-label``, else its
    ``<title>``, else the words of its ``<text>``; MathML's ``alttext``, else its tokens with
    superscripts and subscripts as ``<sup>`` and ``<sub>``. The emptied element is left for
    the sanitiser, whose warning tells the sender the graphic itself is gone.
    """
    changed = 0
    for el in list(root.iter("svg", "math")):
        if el.getparent() is None or any(a.tag in ("svg", "math") for a in el.iterancestors()):
            continue
        span = lxml.html.Element("span")
        if el.tag == "svg":
            span.text = _svg_text(el)
        elif (el.get("alttext") or "").strip():
            span.text = " ".join((el.get("alttext") or "").split())
        else:
            _math_into(el, span)
        for child in list(el):
            el.remove(child)
        el.text = None
        if span.text or len(span):
            el.addprevious(span)
        changed += 1
    return changed


def serialize_fragment(root: lxml.html.HtmlElement) -> str:
    """The children of ``root`` (from :func:`parse_fragment`) as HTML."""
    text = lxml.html.tostring(root, encoding="unicode", method="html")
    return text[len("<div>"): -len("</div>")]
