"""Hostile and broken body content for the new allowlist: tables, code, embeds (issue 12).

Same spirit as tests/test_hostile_input.py: each case a body and its expected
outcome, either a safe render (nothing executable, what was dropped named in
a warning, the footer intact) or a named MailkitError whose message names
the field and the position (the table's number).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
from test_hostile_input import BASE, dangerous, expand

import mailkit


@dataclass
class Case:
    id: str
    body: str
    error: type[Exception] | None = None
    message: str = ""  # regex the error message must match
    warnings: tuple[str, ...] = ()  # regexes, each matching one warning
    html: tuple[str, ...] = ()  # regexes the HTML must match
    not_html: tuple[str, ...] = ()  # regexes it must not
    text: tuple[str, ...] = ()  # substrings the text part must hold


def rows(n: int, cells: int = 2) -> str:
    return "".join("<tr>" + "".join(f"<td>{r}.{c}</td>" for c in range(cells)) + "</tr>" for r in range(n))


CASES = [
    # --- tables ---
    Case("table-too-many-rows", f"<p>x</p><table>{rows(3)}</table><table>{rows(201)}</table>",
         mailkit.LimitExceededError, r"articles\[0\]\.body: table 2 has more than 200 rows"),
    Case("table-too-many-columns", f"<table>{rows(2, 13)}</table>",
         mailkit.LimitExceededError, r"articles\[0\]\.body: table 1 has more than 12 columns"),
    Case("table-colspan-huge", '<table><tr><th>a</th><th colspan="100000">b</th></tr><tr><td>1</td><td>2</td></tr></table>',
         warnings=(r"dropped attribute\(s\).*colspan= \(1\)",), not_html=("100000",)),
    Case("table-rowspan-negative", '<table><tr><th>a</th></tr><tr><td rowspan="-1">1</td></tr></table>',
         warnings=(r"rowspan= \(1\)",)),
    Case("table-layout-attributes", '<table width="900" border="1" bgcolor="#f00" style="position:fixed" cellpadding="9">'
         "<tr><th>Name</th><th>Votes</th></tr><tr><td>Kim</td><td>1,141,337</td></tr></table>",
         warnings=(r"bgcolor= \(1\), border= \(1\), cellpadding= \(1\), style= \(1\), width= \(1\)",),
         html=(r'<table class="mk-table" ',), not_html=("position:fixed", 'width="900"'),
         text=("Name      Votes\n----  ---------\nKim   1,141,337",)),
    Case("table-class-spoof", '<table class="mk-table-wide mk-num"><tr><td>only cell</td></tr></table>',
         html=(r'<table class="mk-layout" role="presentation"',), not_html=("mk-table-wide",), text=("only cell",)),
    Case("table-header-breaks-out-of-data-label",
         "<table><tr>" + "".join(f"<th>h{i}</th>" for i in range(5)) + '<th>"&gt;&lt;img src=x onerror=alert(1)&gt; \\" x</th></tr>'
         + "<tr>" + "".join(f"<td>{i}</td>" for i in range(6)) + "</tr></table>",
         # the header is text in the attribute (lxml writes it in single quotes), not markup
         html=(r"data-label='\"&gt;&lt;img src=x onerror=alert\(1\)&gt; \\\" x'",)),
    Case("table-stray-cells", "<td>stray</td><tr><th>also stray</th></tr><p>after</p>", text=("stray", "after")),
    Case("table-nested-data-tables", "<table><tr><th>Outer</th><th>Inner</th></tr><tr><td>a</td><td>"
         "<table><tr><th>x</th><th>y</th></tr><tr><td>1</td><td>2</td></tr></table></td></tr></table>",
         text=("Outer", "x y 1 2")),
    Case("table-empty", "<table></table><table><caption>Only a caption</caption></table><p>after</p>",
         text=("Only a caption", "after")),
    Case("table-deep-in-cells", "<table><tr><td>" * 12 + "deep" + "</td></tr></table>" * 12,
         mailkit.LimitExceededError, r"articles\[0\]\.body: HTML nested \d+ levels deep"),
    # --- code ---
    Case("pre-breakout-script", "<pre>a\n  b</pre><script>alert(1)</script><pre>c</pre>",
         warnings=(r"dropped 1 <script> element\(s\)",), text=("    a\n      b", "    c")),
    Case("pre-with-markup-inside", '<pre>x = <a href="https://e.example/d">docs</a>\n<b>bold</b>\n</pre>',
         text=("    x = docs [1]\n    bold",)),
    Case("pre-crlf-and-tabs", "<pre>one\r\n\ttwo\rthree</pre>", text=("    one\n        two\n    three",)),
    Case("pre-one-long-line", "<pre>" + "x" * 4000 + "</pre>", text=("    " + "x" * 4000,)),
    Case("pre-blank-only", "<pre>\n\n   \n</pre><p>after</p>", text=("after",)),
    Case("spoofed-block-token", "<p>\ue000mkblock0n0\ue000 and \ue000mkblockffn1\ue000</p><pre>real</pre>",
         text=("\ue000mkblock0n0\ue000", "    real")),
    # --- embeds ---
    Case("iframe-javascript-src", '<iframe src="javascript:alert(1)" title="x"></iframe><p>Hi</p>',
         warnings=(r"dropped 1 <iframe> element\(s\)",), not_html=("mk-embed",)),
    Case("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe><p>Hi</p>',
         warnings=(r"dropped 1 <iframe> element\(s\)",)),
    Case("iframe-data-url", '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
         warnings=(r"dropped 1 <iframe> element\(s\)",)),
    Case("iframe-unknown-host", '<iframe src="https://maps.example.org/embed?q=1" title="Fire map"></iframe>',
         html=(r'href="https://maps.example.org/embed\?q=1"[^>]*>View on maps.example.org</a>',), text=("Fire map",)),
    Case("iframe-youtube-odd-id", '<iframe src="https://www.youtube.com/embed/../../evil"></iframe>',
         html=(r"Watch on YouTube",), not_html=("ytimg",)),
    Case("video-javascript-poster", '<video poster="javascript:alert(1)" src="https://e.example/v.mp4"></video>',
         html=(r'<a href="https://e.example/v.mp4"[^>]*>Watch on e.example</a>',), not_html=(r'alt="Video',)),
    Case("video-without-source", "<video controls></video><p>Hi</p>", warnings=(r"dropped 1 <video> element\(s\)",)),
    Case("audio-relative-source", '<audio><source src="/a.mp3"></audio>', html=(r"Listen on nbcnews\.com",)),
    Case("tweet-javascript-link", '<blockquote class="twitter-tweet"><p>Hi</p><a href="javascript:alert(1)">date</a></blockquote>',
         warnings=(r"scheme 'javascript'",), not_html=("View the post",), text=("> Hi",)),
    Case("embed-object", '<object data="https://e.example/chart.swf"></object>', html=(r"View on e\.example",)),
    Case("embed-many", '<iframe src="https://www.youtube.com/embed/Xk3vT9qLw2E"></iframe>' * 50,
         html=(r"Watch on YouTube",)),
    # --- other elements ---
    Case("form-goes-with-its-content", '<form action="https://evil.example/"><p>Sign up</p><input name=e><button>Go</button></form><p>Hi</p>',
         warnings=(r"dropped 1 <form> element\(s\)", r"dropped 1 <input> element\(s\)", r"dropped 1 <button> element\(s\)"),
         not_html=("Sign up",)),
    Case("unknown-element", "<marquee>Scrolling</marquee><p>Hi</p>", warnings=(r"removed 1 <marquee> tag\(s\), their text kept",),
         text=("Scrolling",)),
    Case("ol-start-huge", '<ol start="99999999"><li>x</li></ol>', warnings=(r"start= \(1\)",)),
    Case("li-value-not-allowed", '<ol><li value="7">x</li></ol>', warnings=(r"value= \(1\)",), text=(" 1. x",)),
    Case("abbr-no-markdown", '<p><abbr title="North Atlantic Treaty Organization">NATO</abbr> met.</p>', text=("NATO met.",)),
    Case("cms-classes-no-warning", '<p class="story-body__p">Hi <span class="x">there</span></p>', html=(r"Hi <span>there",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_body_catalogue(case: Case) -> None:
    data = expand(BASE)
    data["articles"][0]["body"] = case.body
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
    for pattern in case.warnings:
        assert any(re.search(pattern, w) for w in email.warnings), email.warnings
    if case.id == "cms-classes-no-warning":
        assert not any("dropped" in w for w in email.warnings), email.warnings
    for pattern in case.html:
        assert re.search(pattern, email.html), pattern
    for pattern in case.not_html:
        assert not re.search(pattern, email.html), pattern
    for snippet in case.text:
        assert snippet in email.text, (snippet, email.text)
    assert email.edition.newsletter.footer.unsubscribe_url.replace("&", "&amp;") in email.html
