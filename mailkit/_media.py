"""What the templates need to show each story faithfully, and to say what they did not.

- :func:`image_box`: the size an image is laid out at, from its own ratio.
- :func:`voice_of`: a story's own ``lang`` and ``dir`` inside an edition in another language.
- :func:`watch_edition` and :func:`unshown_story_fields`: the templates get
  stand-ins for the edition's stories that note which fields a template read
  while it rendered; a field a story has and no template read is a warning
  naming the field path, the story and the template, with the reason a
  template gives for leaving it out (``leaves_out(story, "image", "compact list")``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from markupsafe import Markup
from pydantic import BaseModel

from ._languages import locale_of, parse_tag
from ._markers import VOICE_CLASS_PREFIX
from ._models import Edition, Image, direction_of
from ._warning import RenderWarning

__all__ = ["BODY_COLUMN", "ImageBox", "Voice", "image_box", "size_body_images", "story_direction", "unshown_story_fields", "voice_class", "voice_of",
           "watch_edition"]


# -- images -----------------------------------------------------------------

# an image at most this wide in its file is shown at its own width on phones
# too (fluid-on-mobile off): it fits a phone's column (375 px less padding)
# and is never blown up past its pixels
_PHONE_COLUMN = 320


@dataclass(frozen=True)
class ImageBox:
    """The box an image is laid out in: ``width`` and ``height`` attributes in
    CSS pixels (``height`` None when the file's ratio is unknown: ``height: auto``),
    and whether it stretches to the column's width on phones."""

    width: int
    height: int | None
    fluid: bool


def image_box(img: Image, width: int, max_height: int | None = None) -> ImageBox:
    """Lay ``img`` out at most ``width`` wide (and ``max_height`` tall), in its own ratio.

    Never wider than the file (a 300 px image stays 300 px); a 10000x8000
    file scales down; with only one dimension, or none, the width is the
    layout's (or the file's) and the height follows the image (``auto``).

    >>> image_box(Image(src="https://e.example/p.jpg", alt="", width=3000, height=500), 552)
    ImageBox(width=552, height=92, fluid=True)
    """
    own_w, own_h = img.width, img.height
    w = min(width, own_w) if own_w else width
    fluid = own_w is None or own_w > _PHONE_COLUMN
    if not (own_w and own_h):
        return ImageBox(w, None, fluid)
    h = w * own_h / own_w
    if max_height and h > max_height:  # a tall portrait: as tall as allowed, narrower, same ratio
        h = max_height
        w = max(1, round(h * own_w / own_h))
        # stretched to a phone's column (327 px) a box this narrow would grow
        # past the cap (221 x 552 became 327 x 817): it keeps its box on phones
        fluid = w > _PHONE_COLUMN
    return ImageBox(w, max(1, round(h)), fluid)


# the column a story's body is laid out in: 600 px less 24 px of padding each side
BODY_COLUMN = 552
# a cleaned body's image tag: every attribute value double-quoted and encoded (sanitize_body)
_BODY_IMG = re.compile(r"<img\b[^>]*>")
_IMG_SIZE = re.compile(r' (width|height)="([0-9]+)"')  # ASCII digits: what the sanitiser lets through


def size_body_images(html: str, column: int = BODY_COLUMN) -> str:
    """Lay out each image of a cleaned body in its own ratio, never wider than its file.

    The templates give a body image ``width: 100%`` (a fixed width in MJML's
    table cells sets the column's min-content width, and the email scrolls
    sideways on phones), which blew a 200 px infographic up to the column:
    552 x 11,040 px. An image whose file width is known gets
    ``max-width: Wpx`` as well, and width and height attributes at most the
    column's (Outlook on Windows reads only those); one without stays at the
    column's width.
    """
    if "<img" not in html:
        return html

    def size(m: re.Match[str]) -> str:
        tag = m.group()
        dims = dict(_IMG_SIZE.findall(tag))
        own_w, own_h = int(dims.get("width", 0)), int(dims.get("height", 0))
        if not own_w:
            return tag
        w = min(own_w, column)
        attrs = f' width="{w}"' + (f' height="{max(1, round(own_h * w / own_w))}"' if own_h else "")
        tag = _IMG_SIZE.sub("", tag)
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end].rstrip()}{attrs} style="max-width:{w}px"{tag[end:]}'
    return _BODY_IMG.sub(size, html)


# -- language and direction -------------------------------------------------

def story_direction(language: str) -> Literal["ltr", "rtl"] | None:
    """The direction of a language tag: mailkit's list of right-to-left languages,
    then CLDR's character order; ``None`` for a language neither knows."""
    if direction_of(language) == "rtl":
        return "rtl"
    try:
        known = parse_tag(language).script is not None or locale_of(language) is not None
    except ValueError:
        return None
    return "ltr" if known else None


@dataclass(frozen=True)
class Voice:
    """A story's language as the templates print it.

    ``attrs``: `` lang="he" dir="rtl"`` when it differs from the document's,
    else empty (the story inherits); ``dir`` is ``auto`` for a language whose
    direction is unknown; ``align`` is the side its text starts on.
    ``image_class``: added to an ``mj-image``'s ``css-class`` (`` mk-voice--he--rtl``),
    it gives the ``<img>`` the story's ``lang`` and ``dir``, so its alt text is read
    in the story's language (see :func:`mailkit._compile.voice_images`); empty when
    the story is in the document's language.
    """

    lang: str
    dir: str
    align: str
    attrs: Markup
    image_class: str = ""


def voice_of(item: Any, doc_lang: str, doc_dir: str) -> Voice:
    """The :class:`Voice` of an article or link (its ``language``), in a document of ``doc_lang``/``doc_dir``."""
    target = unwrap(item)
    return _voice(getattr(target, "language", None) or doc_lang, doc_lang, doc_dir)


# A voice depends on three language tags only, and is immutable: made once for each
# (about 2 us: a frozen dataclass, a Markup, the direction looked up), not once a
# story of every render. Bounded: tags come from editions.
@lru_cache(maxsize=256)
def _voice(lang: str, doc_lang: str, doc_dir: str) -> Voice:
    doc_align = "right" if doc_dir == "rtl" else "left"
    if lang.lower() == doc_lang.lower():
        return Voice(doc_lang, doc_dir, doc_align, Markup(""))
    direction = story_direction(lang) or "auto"
    align = {"rtl": "right", "ltr": "left"}.get(direction, doc_align)
    # the side is set inline: the story sits inside MJML's text-align of the
    # email's side; "start" follows dir="auto" where CSS is read (Outlook keeps the email's side)
    side = "start" if direction == "auto" else align
    return Voice(lang, direction, align, Markup(f' lang="{lang}" dir="{direction}" style="text-align:{side};"'),
                 voice_class(lang, direction))


def voice_class(lang: str, direction: str) -> str:
    """The ``css-class`` word that asks :func:`mailkit._compile.voice_images` for ``lang`` and ``dir``
    on an image (a BCP 47 tag holds no ``--``, so the word splits one way only)."""
    return f" {VOICE_CLASS_PREFIX}{lang}--{direction}"


# -- what the templates read ------------------------------------------------

class Watched:
    """A stand-in for one model object in a template's context: every field a
    template reads is noted (``_read``); a model inside it is watched too."""

    # "__dict__" holds the fields read so far (_children): a field read again is
    # an ordinary attribute, found without a call to __getattr__ (a model field
    # never starts with "_", so none can hide the names above)
    __slots__ = ("__dict__", "_left_out", "_path", "_read", "_registry", "_target")

    def __init__(self, target: BaseModel, path: str, registry: dict[int, Watched]) -> None:
        self._target = target
        self._path = path
        self._read: set[str] = set()
        self._left_out: dict[str, str] = {}
        self._registry = registry
        registry[id(target)] = self

    @property
    def _children(self) -> dict[str, Any]:
        """The fields read so far, as the template saw them (a model watched too)."""
        return self.__dict__

    def __getattr__(self, name: str) -> Any:
        # only called for names not on the stand-in itself: the model's fields
        # and properties the template has not read yet (the sandbox refuses
        # names starting with "_")
        value = getattr(self._target, name)
        self._read.add(name)
        return self._child(name, value)

    def _child(self, name: str, value: Any) -> Any:
        if isinstance(value, BaseModel):
            value = self._registry.get(id(value)) or _watch(value, f"{self._path}.{name}", self._registry)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            value = [self._registry.get(id(v)) or _watch(v, f"{self._path}.{name}[{i}]", self._registry)
                     for i, v in enumerate(value)]
        elif callable(value):  # a method (model_dump ...): not cached, nothing to note
            return value
        self.__dict__[name] = value  # _children, without the property's call (a field's first read)
        return value

    def __eq__(self, other: object) -> bool:
        return unwrap(other) == self._target

    def __hash__(self) -> int:
        return id(self._target)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return repr(self._target)


_CLASSES: dict[type, type[Watched]] = {}


def _watch(target: BaseModel, path: str, registry: dict[int, Watched]) -> Watched:
    # one stand-in class per model, named after it: a template's error reads
    # "'mailkit.Article object' has no attribute 'headlin'" (the public name)
    cls = _CLASSES.get(type(target))
    if cls is None:
        cls = _CLASSES[type(target)] = type(type(target).__name__, (Watched,), {"__slots__": ()})
        cls.__module__ = "mailkit"  # the public name: every watched model is exported from mailkit
    return cls(target, path.lstrip("."), registry)


def unwrap(item: Any) -> Any:
    """The model behind a stand-in (anything else as it is)."""
    return item._target if isinstance(item, Watched) else item


def watch_edition(edition: Edition) -> Watched:
    """Stand-ins for ``edition`` and its stories, each story with its field path
    (``articles[0]``, ``sections[1].articles[2]``) whichever way a template reaches it."""
    registry: dict[int, Watched] = {}
    root = _watch(edition, "", registry)
    root._child("articles", edition.articles)
    sections = root._child("sections", edition.sections)
    for s, section in zip(sections, edition.sections, strict=True):
        s._child("articles", section.articles)
    return root


def watched_stories(root: Watched) -> Iterator[tuple[str, Watched]]:
    """Every story stand-in with its field path, in the edition's order."""
    for story in root._children["articles"]:
        yield story._path, story
    for section in root._children["sections"]:
        for story in section._children["articles"]:
            yield story._path, story


def leaves_out(story: Any, fields: str, reason: str) -> str:
    """Template function: ``{% set noted = leaves_out(story, "image body", "compact list") %}``
    declares fields this part of the template does not show, and why; the
    warning for them carries the reason. Prints nothing."""
    if isinstance(story, Watched):
        for field in fields.split():
            story._left_out.setdefault(field, reason)
    return ""


# The fields of a story a reader would miss. Within a group, the first of
# them a template shows stands for the others (a card shows the summary or,
# without one, the dek; the kicker or, without one, the section).
_STORY_FIELDS: tuple[tuple[str, ...], ...] = (
    ("dek", "summary"), ("kicker", "section"), ("authors",), ("image",), ("body",), ("related",), ("contributors",),
)
_IMAGE_FIELDS = ("caption", "credit")


def _has(value: Any) -> bool:
    return bool(value) if not isinstance(value, BaseModel) else True


def unshown_story_fields(template: str, root: Watched, skip: Callable[[str], bool] = lambda path: False) -> list[RenderWarning]:
    """Warnings for each story field that has a value and that ``template`` did not read
    while it rendered: ``sections[0].articles[2].image: not shown by template 'digest' (compact list)``.

    ``skip(path)``: stories already reported as a whole (a part of the edition the template never refers to).
    """
    by = f"not shown by template {template!r}"
    out: list[RenderWarning] = []

    def note(story: Watched, path: str, field: str) -> None:
        reason = story._left_out.get(field) or story._left_out.get(field.split(".")[0])
        out.append(RenderWarning("field-not-shown", f"{path}.{field}: {by}" + (f" ({reason})" if reason else ""),
                                 f"{path}.{field}", template))

    for path, story in watched_stories(root):
        if skip(path):
            continue
        article: Any = story._target
        if "headline" not in story._read:
            reason = story._left_out.get("story")
            out.append(RenderWarning("content-not-shown", f"{path}: story {by}" + (f" ({reason})" if reason else ""),
                                     path, template))
            continue
        read = story._read
        for group in _STORY_FIELDS:
            # the fields of the group with a value, unless the template read one of those
            # (plain loops: a comprehension and any() per group were 60% of this, 0.24 ms
            # of 0.24 ms for 60 stories: now 0.13)
            present = []
            for f in group:
                if _has(getattr(article, f)):
                    if f in read:
                        break
                    present.append(f)
            else:
                for field in present:
                    note(story, path, field)
        image = story._children.get("image")
        if isinstance(image, Watched):
            for field in _IMAGE_FIELDS:
                if getattr(image._target, field) and field not in image._read:
                    note(story, path, f"image.{field}")
    return out
