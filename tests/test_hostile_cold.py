"""Hostile and broken addresses where the cold-start work changed the path they take.

A plain address (lowercase ASCII, no Punycode, no special-use domain) is now
accepted without loading email-validator (mailkit._models._PLAIN_ADDRESS); every
other one still goes through it. Each case is an address in a place a fixture
or a reader can put one, and its outcome: the address as stored (the one the
message is sent to), or an InvalidFixtureError naming the field.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))

# (case id, address, what is stored or None when it is refused, regex the refusal matches)
ADDRESSES: list[tuple[str, str, str | None, str]] = [
    ("plain", "alerts@news.example.org", "alerts@news.example.org", ""),
    ("plain-with-tag", "alerts+breaking_1@news.example.org", "alerts+breaking_1@news.example.org", ""),
    ("upper-case-domain", "alerts@News.Example.ORG", "alerts@news.example.org", ""),
    ("upper-case-local-part-kept", "Alerts@news.example.org", "Alerts@news.example.org", ""),
    ("rfc2142-mailbox-lowercased", "Postmaster@news.example.org", "postmaster@news.example.org", ""),
    ("internationalised-domain", "alerts@exämple.org", "alerts@xn--exmple-cua.org", ""),
    ("punycode-domain-checked", "alerts@xn--exmple-cua.org", "alerts@xn--exmple-cua.org", ""),
    ("trailing-newline-trimmed", "alerts@news.example.org\n", "alerts@news.example.org", ""),
    ("header-injection", "alerts@news.example.org\r\nBcc: x@evil.example", None, r"not a plain address"),
    ("display-name", "Alerts <alerts@news.example.org>", None, r"not a plain address"),
    ("two-dots", "alerts..desk@news.example.org", None, r"not a plain address"),
    ("trailing-dot", "alerts@news.example.org.", None, r"not a plain address"),
    ("special-use-tld", "alerts@news.example.test", None, r"special-use or reserved"),
    ("localhost", "alerts@localhost", None, r"not a plain address"),
    ("r-ldh-label", "alerts@ab--cd.example.org", None, r"two letters followed by two dashes"),
    ("label-too-long", f"alerts@{'a' * 64}.org", None, r"not a plain address"),
    ("non-ascii-local-part", "josé@example.org", None, r"SMTPUTF8"),
    ("fullwidth-at-lookalike", "alerts\uff20news.example.org", None, r"not a plain address"),
    ("numeric-tld", "alerts@news.example.123", None, r"not a plain address"),
]


@pytest.mark.parametrize(("address", "stored", "refusal"), [a[1:] for a in ADDRESSES], ids=[a[0] for a in ADDRESSES])
def test_a_sender_address(address: str, stored: str | None, refusal: str) -> None:
    data: dict[str, Any] = copy.deepcopy(BASE)
    data["newsletter"]["sender"]["address"] = address
    if stored is None:
        with pytest.raises(mailkit.InvalidFixtureError, match=r"newsletter\.sender\.address") as caught:
            mailkit.load_edition(data)
        assert caught.match(refusal)
        return
    edition = mailkit.load_edition(data)
    assert edition.newsletter.sender is not None and edition.newsletter.sender.address == stored
    message = mailkit.render("breaking", edition).to_message(to="reader@example.org")
    assert stored in message["From"]


@pytest.mark.parametrize(("address", "stored", "refusal"), [a[1:] for a in ADDRESSES], ids=[a[0] for a in ADDRESSES])
def test_a_readers_address(address: str, stored: str | None, refusal: str) -> None:
    if stored is None:
        with pytest.raises(mailkit.InvalidFixtureError, match=r"email") as caught:
            mailkit.Recipient(email=address)
        assert caught.match(refusal)
    else:
        assert mailkit.Recipient(email=address).email == stored


def test_a_name_mailkit_does_not_have() -> None:
    """The lazy package names only what it has: anything else is Python's own errors."""
    with pytest.raises(AttributeError, match="has no attribute 'rendr'"):
        mailkit.rendr  # noqa: B018
    with pytest.raises(ImportError, match="cannot import name 'rendr'"):
        from mailkit import rendr  # noqa: F401
