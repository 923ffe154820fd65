"""Link tagging: UTM parameters on every story link, per-slot ``utm_content``."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from ._sanitize import safe_url

__all__ = ["LinkTagging", "add_query", "tag_links"]


@dataclass(frozen=True, kw_only=True)
class LinkTagging:
    """UTM parameters added to every http(s) link but the footer's.

    ``utm_content`` is set per slot: ``story-1`` for the lead, ``story-2`` ...
    for each further story in the order the edition lists them, ``link`` for
    any other link (``content_per_slot=False`` leaves it out).
    """

    source: str = "newsletter"
    medium: str = "email"
    campaign: str | None = None
    content_per_slot: bool = True


def add_query(url: str, params: Mapping[str, str] | str) -> str:
    """``url`` with ``params`` appended to its query, before any fragment."""
    extra = params if isinstance(params, str) else urlencode(list(params.items()))
    if not extra:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


_HREF = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")')


def tag_links(html: str, *, tagging: LinkTagging | None, slots: Mapping[str, str],
              skip: frozenset[str], recipient_token: tuple[str, str] | None = None) -> str:
    """Add UTM parameters and the per-recipient parameter token to the ``<a href>`` of ``html``.

    ``slots`` maps a story URL to its slot name; links in ``skip`` (the footer's)
    are left alone. ``recipient_token`` is ``(token_after_question_mark,
    token_after_ampersand)``: the placeholder personalisation fills with the
    recipient's own link parameters.
    """

    def one(m: re.Match[str]) -> str:
        url = html_lib.unescape(m.group(2))
        if not url.startswith(("https://", "http://")) or url in skip:
            return m.group(0)
        if tagging is not None:
            params = {"utm_source": tagging.source, "utm_medium": tagging.medium}
            if tagging.campaign:
                params["utm_campaign"] = tagging.campaign
            if tagging.content_per_slot:
                params["utm_content"] = slots.get(url, "link")
            # the one URL gate again: the parameters are urlencoded, so this is a check, not a change
            url = safe_url(add_query(url, params), field="link_tagging")
        if recipient_token is not None:
            # the token stands where "?k=v" or "&k=v" goes, before any fragment,
            # and becomes "" for a recipient without parameters
            base, hash_, fragment = url.partition("#")
            url = base + recipient_token[1 if "?" in base else 0] + hash_ + fragment
        return m.group(1) + html_lib.escape(url, quote=True) + m.group(3)

    return _HREF.sub(one, html)
