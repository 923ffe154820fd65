"""mailkit: news articles into email people want to open.

    >>> import mailkit
    >>> email = mailkit.render("breaking", "fixtures/breaking-china-cyberspying.yaml")  # doctest: +SKIP
    >>> email.subject, email.preheader, email.html, email.text                        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from ._compose import TemplateInfo, list_templates
    from ._deliver import DeliveryReport, RetryPolicy, deliver, read_recipients
    from ._dkim import DkimSigner
    from ._editions import FeedWarning, edition_yaml, fetch_feed, from_feed, from_ninjs
    from ._errors import (
        CatalogError,
        DeliverabilityError,
        FeedError,
        HeaderError,
        InliningError,
        InvalidFixtureError,
        LimitExceededError,
        MailkitError,
        MjmlCompileError,
        OptionsError,
        SendError,
        SpamCheckError,
        TemplateError,
        TemplateNotFoundError,
        TextError,
        UnsafeInputError,
        UnsafeUrlError,
    )
    from ._fixtures import edition_schema, load_edition, load_theme
    from ._inline import CssInlineEngine, InlineEngine, InlineOptions, PremailerEngine, parse_html
    from ._links import LinkTagging
    from ._message import RenderedEmail, build_message, message_bytes
    from ._models import (
        Article,
        Author,
        Brand,
        Colors,
        Edition,
        Fonts,
        Footer,
        Image,
        Link,
        Logo,
        Newsletter,
        Recipient,
        Section,
        Sender,
    )
    from ._personalize import BulkMessages, PreparedEmail
    from ._render import Renderer, RenderOptions, prepare, render
    from ._sanitize import LIMITS, Limits
    from ._smtp import SMTPTransport
    from ._spam import SpamReport, spam_reports
    from ._text import Html2TextEngine, TextEngine, TextOptions
    from ._warning import WARNING_CODES, RenderWarning

# Every public name loads on first use (PEP 562), from the private module
# that defines it: `import mailkit` itself imports nothing, so the command
# (`python -m mailkit`, mailkit/__main__.py) can switch the garbage collector
# off before anything heavy is imported, and a render never loads delivery,
# feed or SpamAssassin code it does not use. Once looked up, a name is an
# ordinary module attribute. (Lazy delivery, feeds and SpamAssassin were a
# fifth of a cold `mailkit render`: smtplib, sqlite3, urllib.request, feed
# parsing; the collector left on during the imports cost about 15 ms more.)
_MODULES: dict[str, tuple[str, ...]] = {
    "_compose": ("TemplateInfo", "list_templates"),
    "_deliver": ("DeliveryReport", "RetryPolicy", "deliver", "read_recipients"),
    "_dkim": ("DkimSigner",),
    "_editions": ("FeedWarning", "edition_yaml", "fetch_feed", "from_feed", "from_ninjs"),
    "_errors": (
        "CatalogError", "DeliverabilityError", "FeedError", "HeaderError", "InliningError", "InvalidFixtureError",
        "LimitExceededError", "MailkitError", "MjmlCompileError", "OptionsError", "SendError", "SpamCheckError",
        "TemplateError", "TemplateNotFoundError", "TextError", "UnsafeInputError", "UnsafeUrlError",
    ),
    "_fixtures": ("edition_schema", "load_edition", "load_theme"),
    "_inline": ("CssInlineEngine", "InlineEngine", "InlineOptions", "PremailerEngine", "parse_html"),
    "_links": ("LinkTagging",),
    "_message": ("RenderedEmail", "build_message", "message_bytes"),
    "_models": (
        "Article", "Author", "Brand", "Colors", "Edition", "Fonts", "Footer", "Image", "Link", "Logo", "Newsletter",
        "Recipient", "Section", "Sender",
    ),
    "_personalize": ("BulkMessages", "PreparedEmail"),
    "_render": ("RenderOptions", "Renderer", "prepare", "render"),
    "_sanitize": ("LIMITS", "Limits"),
    "_smtp": ("SMTPTransport",),
    "_spam": ("SpamReport", "spam_reports"),
    "_text": ("Html2TextEngine", "TextEngine", "TextOptions"),
    "_warning": ("RenderWarning", "WARNING_CODES"),
}
_LAZY = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "Article",
    "Author",
    "Brand",
    "BulkMessages",
    "CatalogError",
    "Colors",
    "CssInlineEngine",
    "DeliverabilityError",
    "DeliveryReport",
    "DkimSigner",
    "Edition",
    "FeedError",
    "FeedWarning",
    "Fonts",
    "Footer",
    "HeaderError",
    "Html2TextEngine",
    "Image",
    "InlineEngine",
    "InlineOptions",
    "InliningError",
    "InvalidFixtureError",
    "LIMITS",
    "LimitExceededError",
    "Limits",
    "Link",
    "LinkTagging",
    "Logo",
    "MailkitError",
    "MjmlCompileError",
    "Newsletter",
    "OptionsError",
    "PremailerEngine",
    "PreparedEmail",
    "Recipient",
    "RenderOptions",
    "RenderWarning",
    "RenderedEmail",
    "Renderer",
    "RetryPolicy",
    "SMTPTransport",
    "Section",
    "SendError",
    "Sender",
    "SpamCheckError",
    "SpamReport",
    "TemplateError",
    "TemplateInfo",
    "TemplateNotFoundError",
    "TextEngine",
    "TextError",
    "TextOptions",
    "UnsafeInputError",
    "UnsafeUrlError",
    "WARNING_CODES",
    "__version__",
    "build_message",
    "deliver",
    "edition_schema",
    "edition_yaml",
    "fetch_feed",
    "from_feed",
    "from_ninjs",
    "list_templates",
    "load_edition",
    "load_theme",
    "message_bytes",
    "parse_html",
    "prepare",
    "read_recipients",
    "render",
    "spam_reports",
]
