"""mailkit: news articles into email people want to open.

    >>> import mailkit
    >>> email = mailkit.render("breaking", "fixtures/breaking-china-cyberspying.yaml")  # doctest: +SKIP
    >>> email.subject, email.preheader, email.html, email.text                        # doctest: +SKIP
"""

from .compose import TemplateInfo, list_templates
from .deliver import DeliveryReport, RetryPolicy, deliver, read_recipients
from .editions import FeedWarning, edition_yaml, fetch_feed, from_feed, from_ninjs
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
from .smtp import SMTPTransport
from .spam import SpamReport, spam_reports
from .text import Html2TextEngine, TextEngine, TextOptions
from .warning import WARNING_CODES, RenderWarning

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
