"""A catalogue of hostile and broken inputs, each with its expected outcome.

Every case either renders safely (the document's structure is the baseline's,
nothing executable appears, and what was dropped is reported as a warning) or
fails with a MailkitError subclass whose message names the field and position.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lxml.html
import pytest
import yaml
from conftest import SEED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._mojibake import repair_text

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def structure(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Tags and attribute names, in document order: what escaping must never change."""
    root = lxml.html.document_fromstring(html)
    return [(el.tag, tuple(sorted(el.attrib))) for el in root.iter() if isinstance(el.tag, str)]


BASELINE = mailkit.render("breaking", BASE)
BASE_STRUCTURE = structure(BASELINE.html)
def dangerous(html: str) -> list[str]:
    """Executable things in the parsed document: script-like elements, event handlers, script URLs."""
    root = lxml.html.document_fromstring(html)
    found = [el.tag for el in root.iter("script", "iframe", "object", "embed", "form", "base", "link", "meta")
             if el.tag != "meta" or el.get("http-equiv", "").lower() == "refresh"]
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{el.tag}@{name}")
            if name in ("href", "src") and re.match(r"\s*(javascript|vbscript|data|file):", value, re.IGNORECASE):
                found.append(f"{el.tag}@{name}={value[:30]}")
    return found


@dataclass
class Case:
    id: str
    change: Callable[[dict[str, Any]], None]
    error: type[Exception] | None = None
    message: str = ""  # regex the error message must match
    warning: str = ""  # regex one warning must match
    same_structure: bool = True


def setter(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        parts = re.findall(r"[^.\[\]]+", path)
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


TEXT_FIELDS = [
    "articles.0.headline", "articles.0.dek", "articles.0.dateline", "articles.0.image.caption",
    "articles.0.image.credit", "articles.0.image.alt", "articles.0.authors.0.name", "articles.0.contributors",
    "newsletter.name", "newsletter.footer.postal_address",
]
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "mjml-breakout": "</mj-text><mj-raw><script>alert(1)</script></mj-raw><mj-text>",
    "attr-breakout": '"><img src=x onerror=alert(1)>',
    "single-quote": "' onmouseover='alert(1)' x='",
    "mrml-debug-quote": '\\" onmouseover=alert(1) x=\\"',
    "entities": "AT&T &amp; &lt;b&gt; & < > ©",
    "zero-width": "Zero\u200bwidth\u200d and \ufeffBOM",
    "mj-include": '<mj-include path="/etc/passwd" />',
}

CASES: list[Case] = []
for field in TEXT_FIELDS:
    for name, payload in PAYLOADS.items():
        if name in ("entities", "zero-width") or field in ("articles.0.headline", "articles.0.image.alt",
                                                           "articles.0.image.caption", "newsletter.name"):
            CASES.append(Case(f"escape-{field.split('.')[-1]}-{name}", setter(field, payload)))


def body(html: str) -> Callable[[dict[str, Any]], None]:
    return setter("articles.0.body", html)


CASES += [
    Case("body-script", body("<p>Hi</p><script>alert(1)</script>"), same_structure=False),
    Case("body-iframe", body('<p>Hi</p><iframe src="https://evil.example/"></iframe>'), same_structure=False),
    Case("body-form", body('<form action="https://evil.example/"><input name=x></form><p>Hi</p>'), same_structure=False),
    Case("body-object", body('<object data="x.swf"></object><embed src="x"><p>Hi</p>'), same_structure=False),
    Case("body-style-tag", body("<style>body{display:none}</style><p>Hi</p>"), same_structure=False),
    Case("body-event-attribute", body('<p onclick="alert(1)" onmouseover="x()">Hi</p>'), same_structure=False),
    Case("body-style-attribute", body('<p style="position:fixed;top:0">Hi</p>'), same_structure=False),
    Case("body-javascript-link", body('<p><a href="javascript:alert(1)">x</a></p>'), warning="scheme 'javascript'", same_structure=False),
    Case("body-javascript-mixed-case", body('<p><a href=" JaVaScRiPt:alert(1)">x</a></p>'), warning="javascript", same_structure=False),
    Case("body-javascript-entities", body('<p><a href="&#106;avascript:alert(1)">x</a></p>'), warning="javascript", same_structure=False),
    Case("body-vbscript-link", body('<p><a href="vbscript:msgbox(1)">x</a></p>'), warning="vbscript", same_structure=False),
    Case("body-data-html-link", body('<p><a href="data:text/html,<script>alert(1)</script>">x</a></p>'), warning="'data'", same_structure=False),
    Case("body-file-link", body('<p><a href="file:///etc/passwd">x</a></p>'), warning="'file'", same_structure=False),
    Case("body-javascript-image", body('<p><img src="javascript:alert(1)" alt="x"></p>'), warning="javascript", same_structure=False),
    Case("body-data-image", body('<p><img src="data:image/svg+xml,<svg onload=alert(1)>" alt="x"></p>'), warning="'data'", same_structure=False),
    Case("body-svg-onload", body("<svg onload=alert(1)><circle /></svg><p>Hi</p>"), same_structure=False),
    Case("body-math", body('<math><mtext><a href="javascript:alert(1)">x</a></mtext></math><p>Hi</p>'), same_structure=False),
    Case("body-meta-refresh", body('<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>Hi</p>'), same_structure=False),
    Case("body-base-href", body('<base href="https://evil.example/"><p><a href="/x">x</a></p>'), same_structure=False),
    Case("body-link-stylesheet", body('<link rel="stylesheet" href="https://evil.example/x.css"><p>Hi</p>'), same_structure=False),
    Case("body-mj-include", body('<mj-include path="/etc/passwd" /><p>Hi</p>'), same_structure=False),
    Case("body-mj-raw", body("<mj-raw><script>alert(1)</script></mj-raw><p>Hi</p>"), same_structure=False),
    Case("body-comment-conditional", body("<!--[if mso]><script>alert(1)</script><![endif]--><p>Hi</p>"), same_structure=False),
    Case("body-cdata", body("<![CDATA[<script>alert(1)</script>]]><p>Hi</p>"), same_structure=False),
    Case("body-relative-link-resolved", body('<p><a href="/news/other">other</a></p>'), same_structure=False),
    Case("body-mailto-tel-kept", body('<p><a href="mailto:tips@nbcnews.com">Tips</a> <a href="tel:+12125550100">Call</a></p>'), same_structure=False),
    Case("body-query-ampersand", body('<p><a href="https://e.example/?a=1&b=2&amp;c=3">q</a></p>'), same_structure=False),
    Case("body-quote-in-title", body('<p><a href="https://e.example/" title="a&quot; onmouseover=&quot;alert(1)">q</a></p>'), same_structure=False),
    Case("body-newline-backslash-title", body('<p><a href="https://e.example/" title="line1\nline2\\\\ \u200b">q</a></p>'), same_structure=False),
    Case("body-deep-nesting", body("<blockquote>" * 40 + "deep" + "</blockquote>" * 40), mailkit.LimitExceededError, r"articles\[0\]\.body: HTML nested 40 levels deep"),
    Case("body-mrml-segfault-depth", body("<span>" * 3000 + "x"), mailkit.LimitExceededError, r"articles\[0\]\.body: HTML nested \d+ levels deep"),
    Case("body-too-large", body("<p>" + "x" * 310_000 + "</p>"), mailkit.LimitExceededError, r"articles\[0\]\.body: body is \d+ bytes"),
    Case("body-unclosed-attributes", body("<a x=" * 20000), same_structure=False),
    Case("body-brackets", body("[" * 40_000), same_structure=False),
    Case("body-cdata-storm", body("<![<![" * 5000), same_structure=False),
    Case("body-unclosed-tags", body("<p><b><i><u>unclosed"), same_structure=False),
]

def reject(field: str, value: Any, message: str, error: type[Exception] = mailkit.InvalidFixtureError) -> Case:
    return Case(f"reject-{field.split('.')[-1]}-{message[:18].strip()}", setter(field, value), error,
                re.escape(field.replace(".0.", "[0].").replace(".0", "[0]")) + ": (?:.* )?" + message)


CASES += [
    reject("articles.0.headline", "Nul\x00byte", r"control character U\+0000 at position 3", mailkit.UnsafeInputError),
    reject("articles.0.headline", "Bell\x07", r"control character U\+0007 at position 4", mailkit.UnsafeInputError),
    reject("articles.0.headline", "Esc\x1b[31mred", r"control character U\+001B", mailkit.UnsafeInputError),
    reject("articles.0.dek", "Form\x0cfeed", r"control character U\+000C at position 4", mailkit.UnsafeInputError),
    reject("articles.0.dek", "Vertical\x0btab", r"control character U\+000B", mailkit.UnsafeInputError),
    reject("articles.0.image.alt", "unit\x1fsep", r"control character U\+001F", mailkit.UnsafeInputError),
    reject("articles.0.headline", "Non\ufffecharacter", r"non-character U\+FFFE at position 3", mailkit.UnsafeInputError),
    reject("articles.0.headline", "evil\u202egnp.exe", r"bidi override U\+202E at position 4", mailkit.UnsafeInputError),
    reject("articles.0.authors.0.name", "\u202dLRO", r"bidi override U\+202D at position 0", mailkit.UnsafeInputError),
    reject("articles.0.headline", "lone \ud800 surrogate", r"lone surrogate U\+D800 at position 5", mailkit.UnsafeInputError),
    reject("articles.0.body", "<p>C1 \x85 control</p>", r"control character U\+0085", mailkit.UnsafeInputError),
    reject("articles.0.url", "javascript:alert(1)", r"URL scheme 'javascript' not allowed", mailkit.UnsafeInputError),
    reject("articles.0.url", "ftp://files.example/x", r"URL scheme 'ftp' not allowed", mailkit.UnsafeInputError),
    reject("articles.0.image.src", "data:image/png;base64,AAAA", r"URL scheme 'data' not allowed", mailkit.UnsafeInputError),
    reject("articles.0.image.src", "file:///etc/passwd", r"URL scheme 'file' not allowed", mailkit.UnsafeInputError),
    reject("articles.0.image.src", "vbscript:x", r"URL scheme 'vbscript' not allowed", mailkit.UnsafeInputError),
    reject("newsletter.footer.unsubscribe_url", "javascript:void(0)", r"URL scheme 'javascript' not allowed", mailkit.UnsafeInputError),
    reject("newsletter.url", "//evil.example/", r"not an absolute URL"),
    reject("articles.0.url", "https://exa mple.com/x", r"URL contains whitespace"),
    reject("articles.0.headline", "x" * 5001, r"5001 characters, over the limit of 5000"),
    reject("articles.0.headline", "", r"at least 1 character"),
    reject("articles.0.image.width", 100_000, r"less than or equal to 65535"),  # 3000 or 10000 px: accepted, scaled down
    reject("articles.0.published_at", "2014-05-20T09:15:00", r"timezone"),
    reject("articles.0.published_at", "yesterday", r"datetime"),
    reject("newsletter.brand.colors.accent", "red;}</style><script>alert(1)</script>", r"not a hex colour"),
    reject("newsletter.brand.fonts.body", "Arial;}</style><script>x</script>", r"a font stack may hold"),
    reject("newsletter.brand.timezone", "Mars/Olympus_Mons", r"unknown time zone"),
    Case("reject-unknown-field", setter("articles.0.headlin", "typo"), mailkit.InvalidFixtureError, r"articles\[0\]\.headlin: unknown field"),
    Case("reject-too-many-stories", lambda d: d.update(more_stories=[{"title": f"s{i}", "url": f"https://e.example/{i}"} for i in range(60)]),
         mailkit.InvalidFixtureError, r"61 stories, over the limit of 60"),
    Case("reject-no-articles", lambda d: d.update(articles=[]), mailkit.InvalidFixtureError, r"articles: List should have at least 1 item"),
    Case("reject-not-a-mapping", lambda d: d.clear() or d.update({"newsletter": "x", "articles": "y"}), mailkit.InvalidFixtureError, r"newsletter: "),
]


def expand(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["newsletter"]["brand"] = {"name": "NBC News", "colors": {}, "fonts": {}, "timezone": "America/New_York"}
    return data


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_catalogue(case: Case) -> None:
    data = expand(BASE)
    case.change(data)
    start = time.perf_counter()
    if case.error is not None:
        with pytest.raises(case.error) as info:
            mailkit.render("breaking", data)
        assert isinstance(info.value, mailkit.MailkitError)
        assert re.search(case.message, str(info.value)), str(info.value)
        return
    email = mailkit.render("breaking", data)
    assert time.perf_counter() - start < 2.0
    assert dangerous(email.html) == []
    if case.same_structure:
        assert structure(email.html) == BASE_STRUCTURE
    if case.warning:
        assert any(re.search(case.warning, w) for w in email.warnings), email.warnings
    # the footer and its unsubscribe link always survive
    assert email.edition.newsletter.footer.unsubscribe_url.replace("&", "&amp;") in email.html


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_relative_body_link_is_resolved_against_the_article() -> None:
    data = expand(BASE)
    body("<p><a href='/news/other'>other</a></p>")(data)
    assert 'href="https://www.nbcnews.com/news/other"' in mailkit.render("breaking", data).html


def test_mrml_attribute_encoding_is_pinned() -> None:
    # MRML rewrites attribute values with Rust Debug formatting (a quote becomes
    # \\", a newline a literal \\n); mailkit encodes them as character references first.
    import mjml

    raw = mjml.mjml2html('<mjml><mj-body><mj-section><mj-column><mj-text><p title="a\nb">x</p></mj-text>'
                         "</mj-column></mj-section></mj-body></mjml>")
    assert 'title="a\\nb"' in raw  # upstream behaviour; if this fails, MRML changed
    data = expand(BASE)
    data["articles"][0]["image"]["alt"] = 'He said "hi"\u200b'
    html = mailkit.render("breaking", data).html
    img = lxml.html.document_fromstring(html).xpath("//img[@width='552']")[0]
    assert img.get("alt") == 'He said "hi"\u200b'


def test_lone_surrogate_from_json_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    data = expand(BASE)
    text = json.dumps(data, default=str).replace("China Summons", "\\ud800 Summons")
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(mailkit.UnsafeInputError, match=r"articles\[0\]\.headline: lone surrogate U\+D800 at position 0"):
        mailkit.render("breaking", path)


def test_a_failed_render_writes_no_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mailkit._cli import main

    data = expand(BASE)
    data["articles"][0]["body"] = "<blockquote>" * 50
    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "breaking", str(path), "-o", str(out)])
    assert result.exit_code == 1 and "nested" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_strict_mode_turns_warnings_into_a_failure() -> None:
    data = expand(BASE)
    body('<p><a href="javascript:alert(1)">x</a></p>')(data)
    with pytest.raises(mailkit.DeliverabilityError, match="javascript"):
        mailkit.render("breaking", data, mailkit.RenderOptions(strict=True))


def test_deliverability_warnings() -> None:
    data = expand(BASE)
    data["subject"] = "A subject line that goes on and on well past what any inbox will ever show to a reader"
    data["preheader"] = data["subject"]
    data["articles"][0]["body"] = '<p><a href="http://insecure.example/">plain http</a></p>'
    warnings = mailkit.render("breaking", data).warnings
    assert any("subject is" in w for w in warnings)
    assert any("preheader repeats the subject" in w for w in warnings)
    assert any("not https" in w for w in warnings)


safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                           "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"
                           "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94"
                           "\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\u202a\u202b\u202c\u202d\u202e\ufffe\uffff"),
    min_size=1, max_size=80,
).filter(lambda s: s.strip())
hostile = st.one_of(safe_text, st.sampled_from(list(PAYLOADS.values())))


@settings(max_examples=int(__import__("os").environ.get("MAILKIT_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headline=hostile, dek=hostile, caption=hostile, alt=hostile, author=hostile, name=hostile)
def test_random_text_in_every_field_keeps_structure(headline: str, dek: str, caption: str, alt: str,
                                                    author: str, name: str) -> None:
    data = expand(BASE)
    article = data["articles"][0]
    article.update(headline=headline, dek=dek)
    article["image"].update(caption=caption, alt=alt)
    article["authors"][0]["name"] = author
    data["newsletter"]["name"] = name
    email = mailkit.render("breaking", data)
    assert structure(email.html) == BASE_STRUCTURE
    assert dangerous(email.html) == []
    root = lxml.html.document_fromstring(email.html)
    # what the models keep: text decoded twice is repaired (mojibake12; hypothesis found "Â¡" -> "¡")
    headline, alt = repair_text(headline), repair_text(alt)
    assert root.xpath("string(//h1)") == " ".join(headline.split())
    assert root.xpath("//img[@width='552']")[0].get("alt") == " ".join(alt.split())
    # the text part drops invisible filler (soft hyphens, zero-width characters)
    visible = " ".join(re.sub("[\u034f\u200b-\u200d\u2060\ufeff\u00ad]", "", headline).split())
    assert visible in " ".join(email.text.split())
