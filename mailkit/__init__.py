"""mailkit: news articles into email people want to open.

    >>> import mailkit
    >>> email = mailkit.render("breaking", "fixtures/breaking-china-cyberspying.yaml")  # doctest: +SKIP
    >>> email.subject, email.preheader, email.html, email.text                        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
import types
import typing

from .compose import TemplateInfo, list_templates
from .errors import (
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
from .fixtures import edition_schema, load_edition, load_theme
from .inline import CssInlineEngine, InlineEngine, InlineOptions, PremailerEngine
from .links import LinkTagging
from .message import RenderedEmail, build_message, message_bytes
from .models import (
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
from .personalize import BulkMessages, PreparedEmail
from .render import Renderer, RenderOptions, prepare, render
from .sanitize import LIMITS, Limits
from .text import Html2TextEngine, TextEngine, TextOptions
from .warning import WARNING_CODES, RenderWarning

if typing.TYPE_CHECKING:
    from .deliver import DeliveryReport, RetryPolicy, deliver, read_recipients
    from .editions import FeedWarning, edition_yaml, fetch_feed, from_feed, from_ninjs
    from .smtp import SMTPTransport
    from .spam import SpamReport, spam_reports

# Delivery, feeds and SpamAssassin load on first use: a render
# needs none of them, and together they were a fifth of a cold
# `mailkit render` (smtplib, sqlite3, urllib.request, feed parsing). (The MIME
# message module loads with every render: the rendered email and its size checks live there.)
_LAZY = {
    "DeliveryReport": "deliver", "RetryPolicy": "deliver", "deliver": "deliver", "read_recipients": "deliver",
    "FeedWarning": "editions", "edition_yaml": "editions", "fetch_feed": "editions", "from_feed": "editions",
    "from_ninjs": "editions",
    "SMTPTransport": "smtp",
    "SpamReport": "spam", "spam_reports": "spam",
}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


class _Package(types.ModuleType):
    """mailkit's module type: ``mailkit.deliver`` stays the function.

    The import system binds a submodule on its package when it first loads
    (``import mailkit.deliver`` sets ``mailkit.deliver`` to the module); when
    the function of that name has not been read yet, that would leave the
    module where the function belongs. Such a binding takes the module's
    public name instead.
    """

    def __setattr__(self, name: str, value: typing.Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
    "prepare",
    "read_recipients",
    "render",
    "spam_reports",
]
