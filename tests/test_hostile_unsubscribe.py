"""A mailto: unsubscribe URL asks the reader's client for one email to one address, nothing more.

``List-Unsubscribe: <mailto:...>`` has a client send that email from the reader's
own address, in one click (Gmail, Apple Mail, Outlook). A reader record's or a
fixture's ``mailto:unsub@x?bcc=victim@y`` made every reader who unsubscribed
copy someone else; ``subject=a%0D%0ABcc:...`` asked the client to write a
header of its own (RFC 6068 section 5 leaves that to each client). Found by
inject11 (session 10) and left; refused now where the URL is read, naming it.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))

REFUSED = {
    "bcc": ("mailto:unsub@news.example?bcc=victim@other.example", "not bcc="),
    "cc": ("mailto:unsub@news.example?subject=unsubscribe&cc=victim@other.example", "not cc="),
    "to": ("mailto:unsub@news.example?to=victim@other.example", "not to="),
    "header": ("mailto:unsub@news.example?In-Reply-To=%3Cid@news.example%3E", "not in-reply-to="),
    "two-addresses": ("mailto:unsub@news.example,victim@other.example", "exactly one address"),
    "two-addresses-encoded": ("mailto:unsub@news.example%2Cvictim@other.example?subject=u", "exactly one address"),
    "crlf-subject": ("mailto:unsub@news.example?subject=unsubscribe%0D%0ABcc:%20victim@other.example", "line break"),
    "lf-subject": ("mailto:unsub@news.example?subject=a%0Ab", "line break"),
}
KEPT = ["mailto:unsub@news.example", "mailto:unsub@news.example?subject=unsubscribe",
        "mailto:unsub@news.example?subject=Unsubscribe%20me&body=Please%20remove%0D%0Ame",
        "https://news.example/unsubscribe?rid=1&bcc=2"]


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_readers_mailto_unsubscribe_asking_for_more_is_refused(case: str) -> None:
    url, why = REFUSED[case]
    with pytest.raises(mailkit.MailkitError, match=rf"unsubscribe_url: .*{why}"):
        mailkit.Recipient(email="reader@example.org", unsubscribe_url=url)


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_newsletters_mailto_unsubscribe_asking_for_more_is_refused(case: str) -> None:
    url, why = REFUSED[case]
    data = {**BASE, "newsletter": {**BASE["newsletter"], "footer": {**BASE["newsletter"]["footer"], "unsubscribe_url": url}}}
    with pytest.raises(mailkit.MailkitError, match=rf"newsletter\.footer\.unsubscribe_url: .*{why}"):
        mailkit.render("breaking", data)


@pytest.mark.parametrize("url", KEPT)
def test_a_plain_mailto_or_https_unsubscribe_reaches_the_header(url: str) -> None:
    reader = mailkit.Recipient(email="reader@example.org", unsubscribe_url=url)
    email = mailkit.render("breaking", BASE, recipient=reader)
    header = email.to_message(sender={"name": "NBC News", "address": "news@nbcnews.com"}).as_bytes()
    unfolded = header.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ")
    line = next(h for h in unfolded.split(b"\r\n") if h.startswith(b"List-Unsubscribe:"))
    assert url.split("?")[0].encode() in line


@pytest.mark.parametrize(("name", "label"), [
    ("Ünïcode News", "unicode-news"), ("Les Échos du Matin", "les-echos-du-matin"), ("Zürich Früh", "zurich-fruh"),
    ("Breaking News Emails", "breaking-news-emails"), ("أخبار عاجلة", "newsletter"), ("ﬁnance Ⅳ", "finance-iv"),
])
def test_a_list_id_label_keeps_the_letters_of_an_accented_name(name: str, label: str) -> None:
    # found by inject11 (session 10): "Ünïcode News" gave the label "n-code-news"
    data = {**BASE, "newsletter": {**BASE["newsletter"], "name": name}}
    message = mailkit.render("breaking", data).to_message(
        sender={"name": "News", "address": "news@nbcnews.com"}, to="reader@example.org").as_bytes()
    assert f"<{label}.nbcnews.com>".encode() in message.replace(b"\r\n ", b" ")
