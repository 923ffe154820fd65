"""Hostile and broken fixture and theme files, and dicts, at load time (issue 11).

Every case is an input and its expected outcome: it loads (and renders safely),
or it fails, well under a second, with a named MailkitError subclass whose
message names the file and line, or the field path. One reader
(mailkit._reader) serves every format and every entry point, so the cases run
through render(), load_theme(), the CLI and the preview index alike.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, SEED

import mailkit
from mailkit._cli import main
from mailkit._preview import PreviewServer

SEED_TEXT = SEED.read_text(encoding="utf-8")
BASE = yaml.safe_load(SEED_TEXT)
DIGEST = FIXTURES / "digest-morning-briefing.yaml"
THEME = FIXTURES.parent / "templates" / "themes" / "nbc-news.yaml"
FAST = 0.5  # CPU seconds (process time: the machine is shared), "well under a second"


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """The seed with its brand spelled out (so it can be written as JSON with no theme lookup)."""
    data = copy.deepcopy(data)
    data["newsletter"]["brand"] = {"name": "NBC News", "timezone": "America/New_York"}
    return data


def seed_json() -> str:
    return json.dumps(expand(BASE), default=str, indent=2)


WIDTH_LINE = seed_json().splitlines().index('        "width": 1200,') + 1
TEMPLATES_LINE = seed_json().splitlines().index('  "templates": [') + 1


# the reported alias bomb: nine-fold at each level (the 271-byte original has
# one more level and took 46 s on main before validation began)
BOMB = (
    'lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)


@dataclass
class FileCase:
    id: str
    name: str  # file name: its suffix picks the format
    text: Callable[[], str]
    error: type[Exception]
    message: str  # regex the message must match (after the file name)


def seed_plus(extra: str) -> Callable[[], str]:
    return lambda: SEED_TEXT + extra


def seed_with(old: str, new: str) -> Callable[[], str]:
    def text() -> str:
        assert old in SEED_TEXT
        return SEED_TEXT.replace(old, new, 1)

    return text


def json_with(old: str, new: str) -> Callable[[], str]:
    def text() -> str:
        base = seed_json()
        assert old in base
        return base.replace(old, new, 1)

    return text


def line_of(needle: str) -> int:
    return SEED_TEXT.splitlines().index(next(line for line in SEED_TEXT.splitlines() if needle in line)) + 1


END = len(SEED_TEXT.splitlines()) + 1  # the first line after the seed

FILE_CASES = [
    # 7. YAML anchors and aliases: refused where they are written
    FileCase("yaml-alias-bomb", "bomb.yaml", seed_plus(BOMB), mailkit.InvalidFixtureError,
             rf"line {END}, column 6: anchor &a refused: fixtures and themes may not use anchors and aliases"),
    FileCase("yaml-self-referencing-alias", "self.yaml", seed_plus("loop: &loop [*loop]\n"), mailkit.InvalidFixtureError,
             rf"line {END}, column 7: anchor &loop refused"),
    FileCase("yaml-anchor-without-alias", "anchor.yaml",
             seed_with("  - headline: China Summons", "  - headline: &h China Summons"),
             mailkit.InvalidFixtureError, r"line \d+, column 15: anchor &h refused"),
    FileCase("yaml-merge-key", "merge.yaml", seed_plus("base: {a: 1}\nother:\n  <<: {a: 2}\n"), mailkit.InvalidFixtureError,
             rf"line {END + 2}, column 3: merge key << refused"),
    FileCase("yaml-merge-key-alias", "merge-alias.yaml", seed_plus("other:\n  <<: *nowhere\n"), mailkit.InvalidFixtureError,
             rf"line {END + 1}, column 7: alias \*nowhere refused"),
    # 9. depth
    FileCase("yaml-900-deep-block-lists", "deep.yaml", seed_plus("deep:\n" + "".join(" " * i + "-\n" for i in range(900))),
             mailkit.LimitExceededError, r"line \d+, column \d+: nested deeper than 16 levels \(the limit\)"),
    FileCase("yaml-deep-flow-lists", "flow.yaml", seed_plus("deep: " + "[" * 5000 + "]" * 5000 + "\n"),
             mailkit.LimitExceededError, rf"line {END}, column 22: nested deeper than 16 levels"),
    FileCase("yaml-deep-flow-mappings", "flowmap.yaml", seed_plus("deep: " + "{a: " * 900 + "1" + "}" * 900 + "\n"),
             mailkit.LimitExceededError, rf"line {END}, column \d+: nested deeper than 16 levels"),
    FileCase("json-900-deep", "deep.json", json_with('"templates": [', '"deep": ' + "[" * 900 + "]" * 900 + ', "templates": ['),
             mailkit.LimitExceededError, r"deep(\[0\]){15}: nested deeper than 16 levels"),
    FileCase("json-100000-deep", "deeper.json",
             json_with('"templates": [', '"deep": ' + "[" * 100_000 + "]" * 100_000 + ', "templates": ['),
             mailkit.LimitExceededError, r"nested deeper than 16 levels"),
    FileCase("yaml-too-many-values", "wide.yaml", seed_plus("wide: [" + "1, " * 25_000 + "1]\n"),
             mailkit.LimitExceededError, r"more than 20,000 values \(the limit\)"),
    # 9. huge numbers
    FileCase("yaml-5000-digit-int", "bigint.yaml", seed_with("width: 1200", "width: " + "9" * 5000),
             mailkit.InvalidFixtureError, r"line \d+, column 14: integer of 5,000 characters: larger than 64 bits"),
    FileCase("yaml-65-bit-int", "int65.yaml", seed_with("width: 1200", "width: 18446744073709551616"),
             mailkit.InvalidFixtureError, r"line \d+, column 14: integer 18446744073709551616 is larger than 64 bits"),
    FileCase("yaml-long-sexagesimal-int", "sexagesimal.yaml", seed_with("width: 1200", "width: " + ":".join(["59"] * 3000)),
             mailkit.InvalidFixtureError, r"integer of 8,999 characters"),
    FileCase("yaml-float-1e999", "inf.yaml", seed_with("width: 1200", "width: 1.0e+999"),
             mailkit.InvalidFixtureError, r"line \d+, column 14: '1.0e\+999' is not a finite number"),
    FileCase("yaml-dot-nan", "nan.yaml", seed_with("width: 1200", "width: .nan"),
             mailkit.InvalidFixtureError, r"'.nan' is not a finite number"),
    FileCase("json-5000-digit-int", "bigint.json", json_with('"width": 1200', '"width": ' + "9" * 5000),
             mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: integer of 5,000 digits: larger than 64 bits"),
    FileCase("json-65-bit-int", "int65.json", json_with('"width": 1200', '"width": -18446744073709551616'),
             mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: integer larger than 64 bits"),
    FileCase("json-1e999", "inf.json", json_with('"width": 1200', '"width": 1e999'),
             mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: inf is not a finite number"),
    FileCase("json-NaN", "nan.json", json_with('"width": 1200', '"width": NaN'),
             mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: nan is not a finite number"),
    FileCase("json-minus-Infinity", "minf.json", json_with('"width": 1200', '"width": -Infinity'),
             mailkit.InvalidFixtureError, r"articles\[0\]\.image\.width: -inf is not a finite number"),
    # impossible timestamps: PyYAML's constructor raises ValueError
    FileCase("yaml-february-30", "feb30.yaml", seed_with("published_at: 2014-05-20T09:15:00-04:00", "published_at: 2014-02-30T09:15:00-04:00"),
             mailkit.InvalidFixtureError, r"line \d+, column 19: '2014-02-30T09:15:00-04:00': day is out of range for month"),
    FileCase("yaml-year-0", "year0.yaml", seed_with("published_at: 2014-05-20T09:15:00-04:00", "published_at: 0000-05-20T09:15:00-04:00"),
             mailkit.InvalidFixtureError, r"line \d+, column 19: .*year 0 is out of range"),
    # 9. duplicate keys, at several depths
    FileCase("yaml-duplicate-top-level-key", "dup0.yaml", seed_plus("templates: [digest]\n"), mailkit.InvalidFixtureError,
             rf"line {END}, column 1: duplicate key 'templates' \(first at line {line_of('templates:')}\)"),
    FileCase("yaml-duplicate-nested-key", "dup2.yaml", seed_with("  - headline: China Summons", "  - headline: Twice\n    headline: China Summons"),
             mailkit.InvalidFixtureError, r"line \d+, column 5: duplicate key 'headline' \(first at line \d+\)"),
    FileCase("yaml-duplicate-deep-key", "dup4.yaml", seed_with("      width: 1200", "      width: 1\n      width: 1200"),
             mailkit.InvalidFixtureError, r"line 53, column 7: duplicate key 'width' \(first at line 52\)"),
    FileCase("yaml-duplicate-flow-key", "dupflow.yaml", seed_plus("x: {a: 1, a: 2}\n"), mailkit.InvalidFixtureError,
             rf"line {END}, column 11: duplicate key 'a' \(first at line {END}\)"),
    FileCase("yaml-key-with-newline", "keynl.yaml", seed_plus('"evil\\nmailkit: ok": 1\n'), mailkit.UnsafeInputError,
             r": key 'evil\\nmailkit: ok' holds control character U\+000A at position 4$"),
    FileCase("json-key-with-newline", "keynl.json", json_with('"width": 1200', '"width": 1200, "a\\r\\nb": 1'),
             mailkit.UnsafeInputError, r"articles\[0\]\.image: key 'a\\r\\nb' holds control character U\+000D at position 1$"),
    FileCase("json-duplicate-top-level-key", "dup0.json", json_with('"templates": [', '"templates": [], "templates": ['),
             mailkit.InvalidFixtureError, rf"line {TEMPLATES_LINE}, column 20: duplicate key 'templates' \(first at line {TEMPLATES_LINE}\)"),
    FileCase("json-duplicate-nested-key", "dup2.json", json_with('"width": 1200', '"width": 1,\n"width": 1200'),
             mailkit.InvalidFixtureError, rf"line {WIDTH_LINE + 1}, column 1: duplicate key 'width' \(first at line {WIDTH_LINE}\)"),
    # 9. the size cap, before parsing
    FileCase("yaml-44-mb", "huge.yaml", seed_plus("pad: " + "x" * 44_000_000 + "\n"),
             mailkit.LimitExceededError, r"file larger than 2,000,000 bytes \(the limit\)"),
    FileCase("json-just-over-the-cap", "big.json", json_with('"templates": [', '"pad": "' + "x" * 2_000_000 + '", "templates": ['),
             mailkit.LimitExceededError, r"file larger than 2,000,000 bytes"),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_file_case(case: FileCase, tmp_path: Path) -> None:
    path = tmp_path / case.name
    path.write_text(case.text(), encoding="utf-8")
    start = time.process_time()
    with pytest.raises(case.error) as info:
        mailkit.render("breaking", path)
    elapsed = time.process_time() - start
    assert isinstance(info.value, mailkit.MailkitError)
    assert str(info.value).startswith(f"{path}: "), "the message names the file"
    assert re.search(case.message, str(info.value)), str(info.value)[:300]
    assert elapsed < FAST, f"{elapsed:.2f} s"


def test_the_seed_still_loads_and_just_under_the_caps_is_fine(tmp_path: Path) -> None:
    from mailkit._reader import read_data_file

    path = tmp_path / "padded.json"
    path.write_text(seed_json().replace('"templates": [', '"pad": "' + "x" * 1_000_000 + '", "templates": ['), encoding="utf-8")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"pad: unknown field"):  # parsed, then validated
        mailkit.load_edition(path)
    deep = tmp_path / "deep.yaml"  # 16 levels of nesting is allowed (a fixture needs about 8)
    deep.write_text("a: " + "[" * 15 + "]" * 15 + "\n", encoding="utf-8")
    assert read_data_file(deep) == {"a": json.loads("[" * 15 + "]" * 15)}
    big = tmp_path / "int.yaml"
    big.write_text("a: 9223372036854775807\nb: -9223372036854775807\nc: 0x7fffffffffffffff\n", encoding="utf-8")
    assert read_data_file(big) == {"a": 2**63 - 1, "b": -(2**63 - 1), "c": 2**63 - 1}


@pytest.mark.parametrize("text, where", [
    ('{"a": "}{\\"", "b": [{"c": 1}, {"c": 1, "d": "\\"c\\": 1", "c": 2}]}', "line 1, column 57: duplicate key 'c' (first at line 1)"),
    ('{"a": {"k": [1, {"k": 2}]},\n "b": {"k\\u0041": 1, "kA": 2}}', "line 2, column 22: duplicate key 'kA' (first at line 2)"),
    ('[{"x": 1}, {"x": 2}, {"y": {}, "y": []}]', "line 1, column 32: duplicate key 'y' (first at line 1)"),
], ids=["braces-and-quotes-in-strings", "escaped-key", "in-a-list"])
def test_json_duplicate_key_is_found_where_it_is(tmp_path: Path, text: str, where: str) -> None:
    from mailkit._reader import read_data_file

    path = tmp_path / "dup.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(mailkit.InvalidFixtureError) as info:
        read_data_file(path)
    assert str(info.value) == f"{path}: {where}"


@pytest.mark.parametrize("text, message", [
    ("x = " + "9" * 5000 + "\n", r"line 2: integer of 5,000 digits: larger than 64 bits"),
    ("x = 18446744073709551616\n", r": x: integer larger than 64 bits"),
    ("x = 1e999\n", r": x: inf is not a finite number"),
    ("x = nan\n", r": x: nan is not a finite number"),
    ("x = " + "[" * 900 + "]" * 900 + "\n", r": nested deeper than 16 levels"),
    ("x = " + "[" * 20 + "]" * 20 + "\n", r": x(\[0\]){15}: nested deeper than 16 levels"),
    ("x = 1\ny = 2\nx = 3\n", r"TOML syntax error: Cannot overwrite a value \(at line 4"),  # tomllib refuses duplicates itself
], ids=["5000-digit-int", "65-bit-int", "1e999", "nan", "900-deep", "20-deep", "duplicate-key"])
def test_toml_theme(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "theme.toml"
    path.write_text('name = "Brand"\n' + text, encoding="utf-8")
    start = time.process_time()
    with pytest.raises((mailkit.InvalidFixtureError, mailkit.LimitExceededError)) as info:
        mailkit.load_theme(path)
    assert re.search(message, str(info.value)), str(info.value)
    assert str(info.value).startswith(f"{path}: ")
    assert time.process_time() - start < FAST


def test_aliases_in_a_theme_file_are_refused_by_every_way_in(tmp_path: Path) -> None:
    theme = tmp_path / "bomb.yaml"
    theme.write_text(THEME.read_text(encoding="utf-8") + BOMB, encoding="utf-8")
    message = r"anchor &a refused: fixtures and themes may not use anchors and aliases"
    with pytest.raises(mailkit.InvalidFixtureError, match=message):
        mailkit.load_theme(theme)
    with pytest.raises(mailkit.InvalidFixtureError, match=message):
        mailkit.render("breaking", SEED, mailkit.RenderOptions(theme=theme))
    # a theme named by the fixture: the error names the fixture and the theme's problem
    templates = tmp_path / "templates"
    (templates / "themes").mkdir(parents=True)
    (templates / "themes" / "bomb.yaml").write_text(theme.read_text(encoding="utf-8"), encoding="utf-8")
    fixture = tmp_path / "uses-bomb.yaml"
    fixture.write_text(SEED_TEXT.replace("brand: nbc-news", "brand: bomb"), encoding="utf-8")
    assert "brand: bomb" in fixture.read_text(encoding="utf-8")
    start = time.process_time()
    with pytest.raises(mailkit.InvalidFixtureError, match=message):
        mailkit.render("breaking", fixture, mailkit.RenderOptions(template_dirs=(templates,)))
    assert time.process_time() - start < FAST


# --- dicts passed to render() --------------------------------------------------

def cyclic() -> dict[str, Any]:
    data = expand(BASE)
    data["articles"][0]["related"] = [data]
    return data


def deep_dict() -> dict[str, Any]:
    data = expand(BASE)
    node: dict[str, Any] = {}
    data["articles"][0]["image"]["extra"] = node
    for _ in range(10_000):
        node["a"] = {}
        node = node["a"]
    return data


def shared_bomb() -> dict[str, Any]:
    data = expand(BASE)
    level: list[Any] = ["lol"] * 10
    for _ in range(6):  # ten million values through shared references, 70 lists in memory
        level = [level] * 10
    data["articles"][0]["related"] = level
    return data


def with_value(path: str, value: Any) -> Callable[[], dict[str, Any]]:
    def data() -> dict[str, Any]:
        d = expand(BASE)
        *parents, last = re.findall(r"[^.\[\]]+", path)
        target: Any = d
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
        return d

    return data


DICT_CASES = [
    ("dict-cycle", cyclic, mailkit.InvalidFixtureError, r"<data>: articles\[0\]\.related\[0\]: contains itself \(a cycle\)"),
    ("dict-10000-deep", deep_dict, mailkit.LimitExceededError, r"<data>: articles\[0\]\.image\.extra(\.a)+: nested deeper than 16"),
    ("dict-shared-references", shared_bomb, mailkit.LimitExceededError, r"<data>: articles\[0\]\.related(\[\d\]){7}: more than 20,000 values"),
    ("dict-5000-digit-int", with_value("articles.0.image.width", 10**5000), mailkit.InvalidFixtureError,
     r"<data>: articles\[0\]\.image\.width: integer larger than 64 bits"),
    ("dict-huge-int-key", with_value("articles.0.image", {10**5000: 1}), mailkit.InvalidFixtureError,
     r"<data>: articles\[0\]\.image: a key is an integer larger than 64 bits"),
    ("dict-float-inf", with_value("articles.0.image.width", float("inf")), mailkit.InvalidFixtureError,
     r"<data>: articles\[0\]\.image\.width: inf is not a finite number"),
    # a key is printed in messages: a newline in one would forge a second line of output
    ("dict-key-with-newline", with_value("articles.0.evil\nmailkit: ok", 1), mailkit.UnsafeInputError,
     r"^<data>: articles\[0\]: key 'evil\\nmailkit: ok' holds control character U\+000A at position 4$"),
    ("dict-key-with-lone-surrogate", with_value("articles.0.bad\ud800", 1), mailkit.UnsafeInputError,
     r"^<data>: articles\[0\]: key 'bad\\ud800' holds lone surrogate U\+D800 at position 3$"),
    ("dict-key-with-bidi-override", with_value("newsletter.\u202eeman", 1), mailkit.UnsafeInputError,
     r"^<data>: newsletter: key '\\u202eeman' holds bidi override U\+202E at position 0$"),
]


@pytest.mark.parametrize("build, error, message", [c[1:] for c in DICT_CASES], ids=[c[0] for c in DICT_CASES])
def test_dict_case(build: Callable[[], dict[str, Any]], error: type[Exception], message: str) -> None:
    data = build()
    start = time.process_time()
    with pytest.raises(error) as info:
        mailkit.render("breaking", data)
    assert re.search(message, str(info.value)), str(info.value)[:300]
    assert time.process_time() - start < FAST


# --- 2. line endings: normalised at load, none reach the message -------------

@pytest.mark.parametrize("field", ["editor_note", "articles.0.body", "articles.0.dek", "articles.0.headline",
                                   "articles.0.image.caption", "sections.0.title"])
@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028"], ids=["crlf", "lone-cr", "u2028"])
def test_line_endings_never_reach_the_message(field: str, newline: str) -> None:
    data = yaml.safe_load(DIGEST.read_text(encoding="utf-8"))
    value = {"articles.0.body": f"<p>One{newline}line</p>{newline}{newline}<p>Two</p>"}.get(
        field, f"First line{newline}second line{newline}{newline}Second paragraph")
    *parents, last = re.findall(r"[^.\[\]]+", field)
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    email = mailkit.render("digest", data)
    for part in (email.html, email.text, email.mjml, email.subject, email.preheader):
        assert "\r" not in part and "\u2028" not in part


def test_a_crlf_blank_line_parts_the_editors_note_into_paragraphs() -> None:
    data = yaml.safe_load(DIGEST.read_text(encoding="utf-8"))
    data["editor_note"] = "First paragraph.\r\n\r\nSecond paragraph.\u2029Third paragraph."
    edition = mailkit.load_edition(data)
    assert edition.editor_note == "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
    email = mailkit.render("digest", edition)
    assert re.search(r"First paragraph\.</p>\s*<p[^>]*>Second paragraph\.</p>\s*<p[^>]*>Third", email.html)


def strings(data: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(data, str):
        return [(path, data)]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in strings(v, f"{path}.{k}" if path else k)]
    if isinstance(data, list):
        return [s for i, v in enumerate(data) for s in strings(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("fixture", ["breaking-china-cyberspying.yaml", "digest-morning-briefing.yaml",
                                     "special-report-inside-the-indictment.yaml"])
def test_no_line_break_but_newline_survives_loading_in_any_text_field(fixture: str) -> None:
    # class-wide: every string of every fixture, with CR, CRLF, U+2028 and U+2029
    # inserted, is either refused or holds none of them once loaded
    data = yaml.safe_load((FIXTURES / fixture).read_text(encoding="utf-8"))
    data["newsletter"]["brand"] = mailkit.load_theme("nbc-news").model_dump()
    data["editor_note"] = "note"
    for path, value in strings(data):
        if path.startswith("$schema"):
            continue
        changed = copy.deepcopy(data)
        target: Any = changed
        *parents, last = re.findall(r"[^.\[\]]+", path)
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        mid = len(value) // 2
        target[int(last) if last.isdigit() else last] = value[:mid] + "\r\n\r\u2028\u2029" + value[mid:]
        try:
            edition = mailkit.load_edition(changed)
        except mailkit.InvalidFixtureError:
            continue
        left = [p for p, s in strings(edition.model_dump(mode="json")) if re.search("[\r\u2028\u2029]", s)]
        assert not left, f"{path}: {left}"


# --- 14. dates at the edges of the calendar -------------------------------------

EDGES = ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00-05:00", "0001-01-01T12:00:00Z",
         "9999-12-31T23:00:00-05:00", "9999-12-31T23:00:00+05:00", "9999-12-31T00:00:00Z"]


@pytest.mark.parametrize("field", ["articles.0.published_at", "articles.0.updated_at",
                                   "sections.0.articles.0.published_at", "sections.0.articles.0.updated_at"])
@pytest.mark.parametrize("value", EDGES)
def test_a_time_no_time_zone_can_show_is_refused_naming_the_field(field: str, value: str) -> None:
    data = yaml.safe_load(DIGEST.read_text(encoding="utf-8"))
    *parents, last = re.findall(r"[^.\[\]]+", field)
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    dotted = re.sub(r"\.(\d+)", r"[\1]", field)
    with pytest.raises(mailkit.InvalidFixtureError, match=re.escape(dotted) + r": .* cannot be shown in every time zone"):
        mailkit.render("digest", data)


@pytest.mark.parametrize("value", ["0001-01-02T00:00:00Z", "9999-12-30T23:59:59Z", "0001-01-02T10:00:00+09:59"])
@pytest.mark.parametrize("theme", ["nbc-news", "harbor-ledger"])
def test_the_last_times_any_zone_can_show_render(value: str, theme: str) -> None:
    data = yaml.safe_load(DIGEST.read_text(encoding="utf-8"))
    data["articles"][0]["published_at"] = value
    data["articles"][0]["updated_at"] = value
    data["sections"][0]["articles"][0]["published_at"] = value
    email = mailkit.render("digest", data, mailkit.RenderOptions(theme=theme))
    assert email.subject


@pytest.mark.parametrize("value, shown", [("0001-01-01", "Monday, January 1, 1"), ("9999-12-31", "Friday, December 31, 9999")])
def test_edition_dates_at_the_ends_of_the_calendar_render(value: str, shown: str) -> None:
    data = yaml.safe_load(DIGEST.read_text(encoding="utf-8"))
    data["date"] = value
    email = mailkit.render("digest", data)
    assert shown in email.text


@pytest.mark.parametrize("text", ["published_at: 0001-01-01T00:00:00+05:00", "published_at: 9999-12-31T23:00:00-05:00"])
def test_edge_dates_written_as_yaml_timestamps(tmp_path: Path, text: str) -> None:
    # PyYAML builds an aware datetime itself; the same check applies
    path = tmp_path / "edge.yaml"
    path.write_text(SEED_TEXT.replace("published_at: 2014-05-20T09:15:00-04:00", text), encoding="utf-8")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"articles\[0\]\.published_at: .* cannot be shown in every time zone"):
        mailkit.render("breaking", path)


# --- every entry point: one line, exit 1, no traceback --------------------------

def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(SEED_TEXT + BOMB, encoding="utf-8")
    return folder


def test_cli_render_and_check_say_one_line(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    bomb = folder / "bomb.yaml"
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for args in (["render", "breaking", str(bomb), "-o", str(tmp_path / "out")],
                 ["check", "breaking", str(bomb)],
                 ["render", "breaking", str(deep), "-o", str(tmp_path / "out")]):
        start = time.process_time()
        result = CliRunner().invoke(main, args)
        assert time.process_time() - start < FAST
        assert result.exit_code == 1, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mailkit: error: "), result.stderr
        assert "Traceback" not in result.output
    # check --all reports the bomb like a linter, on one line, and checks every other fixture
    from mailkit._compose import fixture_pairs

    start = time.process_time()
    broken: list = []
    fixture_pairs((), [folder], broken=broken)
    assert time.process_time() - start < FAST
    assert [p.name for p, _ in broken] == ["bomb.yaml"]
    result = CliRunner().invoke(main, ["check", "--all", "--fixtures", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    reported = [line for line in result.output.splitlines() if "FAIL  loads" in line]
    assert len(reported) == 1 and "InvalidFixtureError" in reported[0], result.output
    assert "bomb.yaml" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_preview_index_shows_the_error_and_every_other_fixture(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    start = time.process_time()
    page = PreviewServer((), [folder]).index().decode("utf-8")
    assert time.process_time() - start < 5  # the index renders the packaged fixtures too
    assert "bomb.yaml: line" in page and "anchor &amp;a refused" in page
    # one broken file does not hide the others
    assert "/render/breaking/breaking-china-cyberspying.yaml" in page


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else json.dumps(str(value))


def test_a_toml_fixture_is_listed_and_renders_like_its_yaml(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    data = expand(BASE)
    (folder / "seed.toml").write_text("".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in data.items()),
                                      encoding="utf-8")
    from mailkit._compose import fixture_pairs

    pairs = fixture_pairs((), [folder])
    assert pairs == [("breaking", folder / "seed.toml"), ("special-report", folder / "seed.toml")]
    assert mailkit.render("breaking", folder / "seed.toml").html == mailkit.render("breaking", data).html


def test_every_datetime_field_is_checked_for_the_calendars_ends() -> None:
    # class-wide: a new datetime field that is a bare AwareDatetime would bring
    # OverflowError back into the templates
    import typing
    from datetime import datetime

    import pydantic

    from mailkit import _models as models

    kinds = (pydantic.AwareDatetime, pydantic.NaiveDatetime, pydantic.PastDatetime, pydantic.FutureDatetime)

    def leaves(annotation: Any, checked: bool) -> list[bool]:
        if typing.get_origin(annotation) is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            return leaves(base, checked or any(getattr(m, "func", None) is models._instant for m in extra))
        if annotation in kinds or (isinstance(annotation, type) and issubclass(annotation, datetime)):
            return [checked]
        return [c for a in typing.get_args(annotation) for c in leaves(a, checked)]

    found = []
    for name in models.__all__:
        model = getattr(models, name)
        if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
            continue
        for field_name, field in model.model_fields.items():
            top = any(getattr(m, "func", None) is models._instant for m in field.metadata)
            for checked in leaves(field.annotation, top):
                found.append(f"{name}.{field_name}")
                assert checked, f"{name}.{field_name} is not an Instant"
    assert found == ["Article.published_at", "Article.updated_at"]
