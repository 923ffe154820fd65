"""A long read under Gmail's clip: RenderOptions(max_body_chars=N) cuts each body
at a block boundary and adds a "Continue reading" link to the article, in both parts."""

from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, SEED

import mailkit
from mailkit._checks import GMAIL_CLIP_BYTES, clip_size
from mailkit._cli import main
from mailkit._sanitize import cut_body, sanitize_body


def arabic_longer_than_the_clip() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load((FIXTURES / "breaking-arabic-rtl.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["body"] *= 100  # about 120 KB of HTML, 165 KB as sent
    return data


def english_longer_than_the_clip() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["body"] *= 60
    return data


@pytest.mark.parametrize(("make", "label"), [
    (arabic_longer_than_the_clip, "تابع القراءة"),
    (english_longer_than_the_clip, "Continue reading"),
], ids=["arabic", "english"])
@pytest.mark.parametrize("template", ["breaking", "special-report"])
def test_a_cut_long_read_is_under_the_clip_with_a_link_in_both_parts(make, label: str, template: str) -> None:  # type: ignore[no-untyped-def]
    data = make()
    whole = mailkit.render(template, data)
    assert max(clip_size(whole)) > GMAIL_CLIP_BYTES and any("clip" in w for w in whole.warnings)
    cut = mailkit.render(template, data, mailkit.RenderOptions(max_body_chars=15_000))
    assert max(clip_size(cut)) < GMAIL_CLIP_BYTES and not cut.warnings
    url = data["articles"][0]["url"]
    assert re.search(rf'<p class="mk-continue"[^>]*><a href="{re.escape(url)}"[^>]*>{label}</a></p>', cut.html)
    refs = dict(re.findall(r"^\[(\d+)\] (.+)$", cut.text, re.MULTILINE))
    n = next(k for k, v in refs.items() if v == label)
    assert f"{label} [{n}]" in cut.text
    heading = "الروابط:" if label == "تابع القراءة" else "Links:"  # the text part's heading is in the email's language
    links = cut.text.split(f"\n{heading}\n", 1)[1].splitlines()
    assert links[links.index(f"[{n}] {label}") + 1] == url
    # the footer (unsubscribe link) is still there, after the cut
    assert data["newsletter"]["footer"]["unsubscribe_url"] in cut.text


def test_the_cut_keeps_whole_blocks_byte_for_byte() -> None:
    data = english_longer_than_the_clip()
    body = sanitize_body(data["articles"][0]["body"], field="articles[0].body", base_url=None).html
    for limit in (1, 200, 1_000, 5_000, 20_000):
        kept = cut_body(body, limit)
        assert kept is not None and body.startswith(kept)
        assert re.search(r"</(?:p|h2|h3|ul|ol|blockquote|figure)>$", kept), kept[-40:]
        text = re.sub(r"<[^>]+>", "", kept)
        first_block = re.sub(r"<[^>]+>", "", body[: body.index("</p>") + 4])
        assert len(text) <= limit or text == first_block  # at least the first block, whatever the limit
    assert cut_body(body, 10**9) is None


def test_no_cut_when_the_body_fits() -> None:
    plain = mailkit.render("breaking", SEED)
    assert mailkit.render("breaking", SEED, mailkit.RenderOptions(max_body_chars=100_000)).html == plain.html
    assert "mk-continue" not in plain.html


def test_cli_render_max_body_chars(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["render", "breaking", str(SEED), "-o", str(tmp_path), "--max-body-chars", "300"])
    assert result.exit_code == 0, result.output
    assert "Continue reading [" in (tmp_path / "breaking--breaking-china-cyberspying.txt").read_text(encoding="utf-8")
    bad = CliRunner().invoke(main, ["render", "breaking", str(SEED), "-o", str(tmp_path), "--max-body-chars", "0"])
    assert bad.exit_code == 2 and "--max-body-chars" in bad.stderr
