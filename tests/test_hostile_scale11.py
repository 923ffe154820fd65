"""CPU and memory bombs found by growing each input and measuring (scale11).

Each case: an input grown towards its limit, and its outcome: it renders with
output and time in proportion to it, or it fails at once with a named
:class:`mailkit.MailkitError` naming the field. Bounds are generous (only a
superlinear path or an amplification breaks them); times are CPU times, the
minimum of a few runs, never a microbenchmark.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def cpu(fn: Callable[[], Any], runs: int = 3) -> float:
    """The least CPU time of ``runs`` calls of ``fn`` (a MailkitError counts as done)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        try:
            fn()
        except mailkit.MailkitError:
            pass
        best = min(best, time.process_time() - start)
    return best


def linked_edition(links: int = 200) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = "<p>" + "".join(f'<a href="https://e.example/{i}">x</a> ' for i in range(links)) + "</p>"
    return data


# --- a reader's link_params: added to every link of the email, so their size multiplies ---
# Before: 10 parameters of 5,000 characters (50 KB of reader record) made a 20 MB email,
# 100 of them a 200 MB one (4.5 s), 1,000 a 2 GB one (66 s).

@pytest.mark.parametrize("params", [
    {f"k{i}": "v" * 5_000 for i in range(10)},  # long values
    {f"k{i}": "v" for i in range(2_000)},  # many parameters
    {"k": "é" * 300},  # percent-encoding makes each character 6
])
def test_a_readers_link_params_over_the_limit_are_refused_naming_the_field(params: dict[str, str]) -> None:
    with pytest.raises(mailkit.InvalidFixtureError, match=r"recipient: link_params: .*over the limit of 1000"):
        mailkit.prepare("breaking", linked_edition()).personalize({"email": "a@example.com", "link_params": params})
    with pytest.raises(mailkit.InvalidFixtureError, match=r"link_params: .*over the limit of 1000"):
        mailkit.Recipient(email="a@example.com", link_params=params)


def test_link_params_at_the_limit_keep_the_email_in_proportion() -> None:
    params = {f"k{i:02d}": "v" * 45 for i in range(20)}  # 20 x (3 + 1 + 45) + 19 = 999 characters
    prepared = mailkit.prepare("breaking", linked_edition())
    bare = prepared.personalize({"email": "a@example.com"})
    email = prepared.personalize({"email": "a@example.com", "link_params": params})
    assert "k19=" + "v" * 45 in email.html
    # about 210 links, each 1,000 characters longer (twice in the HTML part, its href and the text part's list)
    assert len(email.html) + len(email.text) < 3 * (len(bare.html) + len(bare.text)) + 210 * 3_000


# --- a feed's own DTD entities: expat expands them until its amplification guard trips ---
# Before: feedparser strips only <!ENTITY> declarations at the start of a line, so a billion
# laughs on one line (single quotes) was expanded by expat: 300 bytes made a 100,000-character
# headline; a deeper one took 1.1 s and 42 MB before expat's guard (it only starts counting
# after 8 MB of output, then allows 100x) stopped it. An 8 MB feed may thus expand to 800 MB.

FEEDS = SEED.parent / "feeds"


def feed_with(doctype: str, title: str = "T", description: str = "d") -> bytes:
    return (f"<?xml version='1.0'?>{doctype}<rss version='2.0'><channel><title>T</title>"
            "<link>https://e.example/</link><item><title>" + title + "</title><link>https://e.example/1</link>"
            "<pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate><description>" + description
            + "</description></item></channel></rss>").encode()


def laughs(levels: int, quote: str = "'") -> str:
    q = quote
    return (f"<!DOCTYPE rss [<!ENTITY a0 {q}aaaaaaaaaa{q}>"
            + "".join(f"<!ENTITY a{i} {q}" + f"&a{i - 1};" * 10 + f"{q}>" for i in range(1, levels)) + "]>")


@pytest.mark.parametrize(("doctype", "title", "description"), [
    (laughs(5), "&a4;", "d"),  # 100,000 characters from 300 bytes
    (laughs(9), "&a8;", "d"),  # a billion
    (laughs(6, '"'), "&a5;", "d"),
    ("<!DOCTYPE rss [\n<!ENTITY big '" + "x" * 30_000 + "'>\n]>", "t", "&big;" * 2_000),  # 60 MB, quadratically
    ("<!DOCTYPE rss [<!ENTITY % p0 'aaaaaaaaaa'>"
     + "".join(f"<!ENTITY % p{i} '" + f"%p{i - 1};" * 10 + "'>" for i in range(1, 7)) + "<!ENTITY e '%p6;'>]>", "&e;", "d"),
], ids=["laughs-100k", "laughs-billion", "laughs-double-quotes", "quadratic", "parameter-entities"])
def test_a_feed_declaring_entities_that_expand_is_refused_at_once_naming_the_entity(
        doctype: str, title: str, description: str) -> None:
    raw = feed_with(doctype, title, description)
    start = time.process_time()
    with pytest.raises(mailkit.FeedError, match=r"<feed>: line \d+: entity '\w+' .*expand"):
        mailkit.from_feed(raw, newsletter=FEEDS / "newsletter.yaml", on_warning=lambda w: None)
    assert time.process_time() - start < 0.5


def test_a_feed_declaring_a_character_entity_still_reads() -> None:
    raw = feed_with("<!DOCTYPE rss [<!ENTITY mdash '&#8212;'><!ENTITY nbsp \"&#160;\">]>", "A &mdash; B", "c&nbsp;d")
    edition = mailkit.from_feed(raw, newsletter=FEEDS / "newsletter.yaml", on_warning=lambda w: None)
    assert edition.lead.headline == "A \u2014 B"


# --- a display name of one long grapheme cluster, or of many flags, in a header ---
# Before: each RFC 2047 encoded word of a name walked back to the start of the cluster (or of
# the run of regional indicators) it was cut in: quadratic. A reader's first_name of 2,400 flags
# cost 174 ms a message (4.5 us for a plain name), one of a letter under 4,800 marks 76 ms.

NAMES = {
    "combining": lambda n: "a" + "\u0301" * (n - 1),
    "zwj": lambda n: "\U0001f468\u200d" * (n // 2),
    "flags": lambda n: "\U0001f1fa\U0001f1f8" * (n // 2),
    "flags-odd": lambda n: "x\U0001f1fa" + "\U0001f1fa\U0001f1f8" * (n // 2 - 1),
}


def growth(cost: Callable[[int], Callable[[], Any]], small: int = 300, large: int = 4_800) -> float:
    """How many times the cost of ``large`` is that of ``small`` (16 x the input: linear is 16)."""
    return cpu(cost(large)) / max(cpu(cost(small)), 1e-4)


@pytest.mark.parametrize("shape", NAMES)
def test_a_readers_name_of_one_long_cluster_costs_in_proportion(shape: str) -> None:
    prepared = mailkit.prepare("breaking", BASE)

    def cost(n: int) -> Callable[[], Any]:
        reader = {"email": "a@example.com", "first_name": NAMES[shape](n)}
        return lambda: [prepared.personalize(reader).to_message().as_bytes() for _ in range(5)]

    assert growth(cost) < 40


@pytest.mark.parametrize("shape", NAMES)
def test_a_senders_name_of_one_long_cluster_costs_in_proportion(shape: str) -> None:
    email = mailkit.render("breaking", BASE)

    def cost(n: int) -> Callable[[], Any]:
        sender = {"name": NAMES[shape](n), "address": "news@example.com"}
        return lambda: [email.to_message("r@example.com", sender=sender).as_bytes() for _ in range(5)]

    assert growth(cost) < 40


@pytest.mark.parametrize("shape", NAMES)
def test_a_long_cluster_is_still_encoded_whole_and_decodes_to_the_name(shape: str) -> None:
    import email.header

    name = NAMES[shape](600)
    message = mailkit.render("breaking", BASE).to_message("r@example.com", sender={"name": name, "address": "n@example.com"})
    raw = message.as_bytes().decode("ascii").split("\r\n\r\n", 1)[0].replace("\r\n ", " ")
    value = next(line for line in raw.split("\r\n") if line.startswith("From: "))[len("From: "):]
    words = email.header.decode_header(value.rsplit(" <", 1)[0])
    decoded = "".join(part.decode(charset or "ascii") if isinstance(part, bytes) else part for part, charset in words)
    assert decoded.replace(" ", "") == name.replace(" ", "")


# --- a wide table's headers, repeated beside every cell (read as label/value rows on phones) ---
# Before: twelve 1,000-character headers over 199 rows (38 KB of body) made 2.4 million
# characters of labels, refused as a TemplateError blaming components.mjml.j2 line 172 (not the
# field); 100-character headers made 830 KB of HTML and 250 KB of text from 27 KB.

def wide_table(header_chars: int, rows: int = 199, columns: int = 12) -> str:
    return ("<table><tr>" + "".join(f"<th>{'h' * header_chars}{c}</th>" for c in range(columns)) + "</tr>"
            + ("<tr>" + "<td>1</td>" * columns + "</tr>") * rows + "</table>")


@pytest.mark.parametrize("header_chars", [1_000, 5_000])
def test_wide_table_headers_repeated_past_the_budget_are_refused_naming_the_table(header_chars: int) -> None:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = "<p>Results</p>" + wide_table(10, rows=3) + wide_table(header_chars)
    with pytest.raises(mailkit.LimitExceededError, match=r"articles\[0\]\.body: table 2: its column headers"):
        mailkit.render("breaking", data)


def test_wide_table_headers_stay_in_proportion_to_the_body() -> None:
    data = copy.deepcopy(BASE)
    body = wide_table(30)  # a realistic header, twelve columns, 199 rows
    data["articles"][0]["body"] = body
    bare = mailkit.render("breaking", BASE)
    email = mailkit.render("breaking", data)
    assert 'data-label="' + "h" * 30 + '0"' in email.html
    assert len(email.html) - len(bare.html) < 40 * len(body)


def test_feedparser_still_keeps_an_entity_declared_mid_line() -> None:
    # pinned: why mailkit checks a feed's entities itself (mailkit._editions._expanding_entities)
    from feedparser.sanitizer import replace_doctype

    kept = replace_doctype(b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a0 'x'><!ENTITY a1 '&a0;&a0;'>]><rss/>")[1]
    stripped = replace_doctype(b"<?xml version='1.0'?>\n<!DOCTYPE rss [\n<!ENTITY a1 '&a0;&a0;'>\n]>\n<rss/>")[1]
    assert b"<!ENTITY a1 '&a0;&a0;'>" in kept
    assert b"<!ENTITY a1" not in stripped
