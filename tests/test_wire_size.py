"""Gmail's clip is measured on the HTML part as it travels, not on the decoded HTML.

The part is quoted-printable or base64, whichever is smaller (mailkit._message.encode_part);
the size check, the warning and ``mailkit check`` use the bytes actually sent.
"""

from __future__ import annotations

import base64
import binascii
import email
import re
from datetime import UTC, datetime
from email import policy

import pytest
import yaml
from conftest import FIXTURES, SEED

import mailkit
from mailkit._checks import GMAIL_CLIP_BYTES, clip_size, run_checks
from mailkit._message import BASE64, QP, encode_part, html_wire_size, message_bytes, wire_size
from mailkit._personalize import BulkMessages

READER = mailkit.Recipient(email="ana@example.org", first_name="Ana", unsubscribe_url="https://example.org/u?a=1")
ENGLISH_PARAGRAPH = ('<p>Officials said the <a href="https://www.nbcnews.com/news/world/a">indictment</a> named five '
                     "officers, and Beijing called it “groundless” — a charge it had made before.</p>")


def html_part_on_the_wire(raw: bytes) -> tuple[str, bytes]:
    """The HTML part's Content-Transfer-Encoding and its body, exactly as in the message."""
    boundary = re.search(rb'boundary="([^"]+)"', raw).group(1)  # type: ignore[union-attr]
    part = raw.split(b"\r\n--" + boundary)[2]
    head, body = part.split(b"\r\n\r\n", 1)
    cte = re.search(rb"Content-Transfer-Encoding: (\S+)", head).group(1).decode()  # type: ignore[union-attr]
    assert b"text/html" in head
    return cte, body


def arabic_long_read() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load((FIXTURES / "breaking-arabic-rtl.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["body"] *= 38  # about 60 KB of HTML, mostly Arabic
    data["newsletter"]["sender"] = {"name": "نشرة الأخبار العاجلة", "address": "breakingnews@newsletters.nbcnews.com"}
    return data


def english_just_under_the_clip() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["body"] = ENGLISH_PARAGRAPH * 290
    return data


@pytest.mark.parametrize(("template", "edition"), [
    ("breaking", arabic_long_read()),
    ("digest", FIXTURES / "digest-forty-stories.yaml"),
    ("breaking", SEED),
], ids=["arabic-long-read", "digest-forty-stories", "seed"])
def test_size_is_measured_on_the_wire(template: str, edition: object) -> None:
    rendered = mailkit.render(template, edition)  # type: ignore[arg-type]
    cte, body = html_part_on_the_wire(message_bytes(rendered, to="ana@example.org"))
    decoded, sent = clip_size(rendered)
    assert decoded == len(rendered.html.encode("utf-8"))
    assert sent == len(body) == html_wire_size(rendered) and sent > decoded
    assert abs(sent - wire_size(rendered.html)) < 0.01 * sent  # pieces cut at the slots: a few soft breaks more
    assert cte == encode_part(rendered.html)[0]
    size = next(c for c in run_checks(rendered) if c.name == "size")
    assert f"{sent:,} bytes as sent ({decoded:,} decoded)" in size.detail


def test_arabic_long_read_travels_base64_under_the_clip() -> None:
    rendered = mailkit.render("breaking", arabic_long_read())
    decoded, sent = clip_size(rendered)
    qp = binascii.b2a_qp(rendered.html.encode("utf-8"), istext=True)
    assert 55_000 < decoded < 65_000
    assert len(qp) > GMAIL_CLIP_BYTES, "quoted-printable would have been clipped (the reported 60,781 -> 133,560)"
    assert encode_part(rendered.html)[0] == BASE64
    assert sent < decoded * 1.4 and sent < GMAIL_CLIP_BYTES
    assert not rendered.warnings


def test_latin_html_under_the_clip_decoded_but_over_on_the_wire_warns() -> None:
    rendered = mailkit.render("breaking", english_just_under_the_clip())
    decoded, sent = clip_size(rendered)
    assert decoded < GMAIL_CLIP_BYTES < sent
    assert encode_part(rendered.html)[0] == QP  # base64 would be larger still
    assert any("over Gmail's clip limit" in w and f"{sent:,} bytes as sent" in w for w in rendered.warnings)
    assert not next(c for c in run_checks(rendered) if c.name == "size").ok


def test_the_clip_check_encodes_the_html_part_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # the size of the HTML part as sent, without encoding the text part too (1.6 ms of
    # the check's 4.2 at 1,000 paragraphs); the same size the message carries
    from mailkit import _message

    rendered = mailkit.render("digest", FIXTURES / "digest-forty-stories.yaml")
    expected = len(html_part_on_the_wire(message_bytes(rendered, to="ana@example.org"))[1])
    encoded: list[str] = []
    stock = _message._text_body
    monkeypatch.setattr(_message, "_text_body", lambda text: encoded.append(text) or stock(text))
    assert html_wire_size(rendered) == expected
    assert encoded == []


def test_base64_messages_match_email_generator_and_bulk() -> None:
    edition = arabic_long_read()
    rendered = mailkit.render("breaking", edition, recipient=READER)
    kwargs = {"message_id": "<a@x.org>"}
    when = datetime(2014, 5, 20, tzinfo=UTC)
    raw = message_bytes(rendered, date=when, **kwargs)
    assert raw == rendered.to_message(date=when, **kwargs).as_bytes()
    assert all(len(line) <= 76 for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))
    prepared = mailkit.prepare("breaking", edition)
    bulk = BulkMessages(prepared).message(READER, date=when)
    assert html_part_on_the_wire(bulk)[0] == BASE64
    for message in (raw, bulk):
        parsed = email.message_from_bytes(message, policy=policy.default)
        assert parsed.defects == []
        assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == rendered.html  # type: ignore[union-attr]
        assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == rendered.text  # type: ignore[union-attr]


def test_encoding_is_whichever_is_smaller() -> None:
    for text in ("plain ASCII " * 500, "é" * 3000, "中文" * 2000, "مرحبا " * 2000, "", "=" * 1000):
        cte, body = encode_part(text)
        other = QP if cte == BASE64 else BASE64
        sizes = {QP: len(binascii.b2a_qp(text.encode(), istext=True)),
                 BASE64: len(base64.encodebytes(text.encode()))}
        assert sizes[cte] <= sizes[other], (text[:10], cte, sizes)
        assert len(body) == sizes[cte] and all(len(line) <= 76 for line in body.splitlines())


@pytest.mark.parametrize("text", ["a" * 100, "é" * 5000, "中" * 77, "x" * 57, "x" * 58, "", "مرحبا " * 999],
                         ids=["ascii", "latin-1", "chinese", "57", "58", "empty", "arabic"])
def test_max_wire_size_is_the_base64_size_and_bounds_the_part(text: str) -> None:
    # the warning skips the exact measure when even base64 would be under the clip
    from mailkit._message import max_wire_size

    encoded = base64.encodebytes(text.encode("utf-8"))
    assert max_wire_size(len(text.encode("utf-8"))) == len(encoded) + encoded.count(b"\n")
    assert wire_size(text) <= max_wire_size(len(text.encode("utf-8")))
