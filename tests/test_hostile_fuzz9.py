"""The ninth outside tester's catalogue: every field of an edition, hostile, mechanically.

A mutation fuzzer: each fixture is loaded as a plain dict, every leaf and container
path gets each of a hostile set of values, and the edition is rendered with a
packaged template that fits. The outcome is either a safe email (no script, no
javascript: URL, no event attribute in the HTML, no CR/LF in a header) or a
named MailkitError whose message names the path (or its top-level field). Any
other exception, a message without the field, or a render over 5 s is a defect.

Deterministic: a fixed seed picks a bounded sample for the suite; `wide()` runs
every path x value x template (run by hand: python tests/test_hostile_fuzz9.py).
"""

from __future__ import annotations

import copy
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import mailkit

ROOT = Path(__file__).parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("*.yaml"))


def _deep(n: int) -> list[Any]:
    out: list[Any] = []
    for _ in range(n):
        out = [out]
    return out


HOSTILE: list[tuple[str, Any]] = [
    ("none", None), ("empty", ""), ("zero", 0), ("minus1", -1), ("big", 2**63),
    ("huge", 1e308), ("nan", float("nan")), ("inf", float("inf")), ("true", True),
    ("list", []), ("dict", {}), ("long", "x" * 100_000), ("nul", "\0"),
    ("surrogate", "\ud800"), ("rlo", "\u202e"), ("script", "<script>alert(1)</script>"),
    ("js", "javascript:alert(1)"), ("baddate", "2024-13-45T99:99"),
    ("maxdate", "9999-12-31T23:59:59+14:00"), ("mindate", "0001-01-01"),
    ("deep", None),  # replaced by a fresh 1,000-deep list each use
]
# markup, not text: "javascript:alert(1)" as a headline is words (escaped), as an href a link
BAD_HTML = re.compile(r"<script|(?:href|src|action|background)\s*=\s*[\"']?\s*javascript:|\sonerror\s*=", re.IGNORECASE)


def value(name: str) -> Any:
    if name == "deep":
        return _deep(1000)
    return copy.deepcopy(dict(HOSTILE)[name])


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every leaf and container path under node (the root itself excluded)."""
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from paths(child, (*prefix, i))


def dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def generic(path: tuple[Any, ...]) -> str:
    """The path with list indexes folded: articles[*].image.width."""
    return dotted(tuple("*" if isinstance(p, int) else p for p in path)).replace("[*]", "[*]")


def mutate(data: dict[str, Any], path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return out


def load(fixture: Path) -> dict[str, Any]:
    return yaml.safe_load(fixture.read_text(encoding="utf-8"))


def check(template: str, data: dict[str, Any], path: tuple[Any, ...], full: bool = False) -> str | None:
    """None when the outcome is as promised, else a description of the defect."""
    where = dotted(path)
    start = time.perf_counter()
    try:
        email = mailkit.render(template, data)
        if full:
            prepared = mailkit.prepare(template, data)
            reader = mailkit.Recipient(email="ana@example.org", first_name="Ana")
            personal = prepared.personalize(reader)
            message = personal.to_message(sender={"name": "A", "address": "a@example.org"})
            raw = message.as_bytes()
            head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
            for name, val in message.items():
                if "\r" in str(val) or "\n" in str(val).replace("\n ", "").replace("\n\t", ""):
                    return f"{where}: header {name} holds CR/LF"
            del head
    except mailkit.MailkitError as err:
        elapsed = time.perf_counter() - start
        if elapsed > 5:
            return f"{where}: {elapsed:.1f}s before {type(err).__name__}"
        text = str(err)
        top = str(path[0])
        if top not in text:
            return f"{where}: {type(err).__name__} without the field: {text[:200]!r}"
        return None
    except RecursionError as err:
        return f"{where}: RecursionError {err!s:.100}"
    except Exception as err:  # noqa: BLE001 - any other type is the defect
        return f"{where}: {type(err).__name__}: {err!s:.200}"
    elapsed = time.perf_counter() - start
    if elapsed > 5:
        return f"{where}: render took {elapsed:.1f}s"
    if BAD_HTML.search(email.html):
        return f"{where}: {BAD_HTML.search(email.html).group(0)} reaches the HTML"  # type: ignore[union-attr]
    if "\r" in email.subject or "\n" in email.subject:
        return f"{where}: subject holds CR/LF"
    return None


def cases(seed: int | None = None, per_path: int | None = None) -> list[tuple[str, str, tuple[Any, ...], str]]:
    """(fixture stem, template, path, value name): every generic path once, in the first fixture holding it."""
    seen: set[str] = set()
    out = []
    rng = random.Random(seed)
    for fixture in FIXTURES:
        data = load(fixture)
        for path in paths(data):
            key = generic(path)
            if key in seen or path[0] == "templates":
                continue
            seen.add(key)
            names = [n for n, _ in HOSTILE]
            if per_path is not None:
                names = rng.sample(names, per_path)
            for name in names:
                out.append((fixture.stem, data["templates"][0], path, name))
    return out


def wide(limit: int | None = None) -> list[str]:
    defects = []
    all_cases = cases()
    for i, (stem, template, path, name) in enumerate(all_cases[:limit]):
        data = mutate(load(ROOT / "fixtures" / f"{stem}.yaml"), path, value(name))
        problem = check(template, data, path)
        if problem:
            line = f"{stem} {template} {name}: {problem}"
            defects.append(line)
            print(line, flush=True)
        if i % 200 == 0:
            print(f"# {i}/{len(all_cases)}", file=sys.stderr, flush=True)
    return defects


SAMPLE = cases(seed=9, per_path=2)
SAMPLE = random.Random(9).sample(SAMPLE, 120)


@pytest.mark.parametrize(("stem", "template", "path", "name"), SAMPLE,
                         ids=[f"{c[0]}-{dotted(c[2])}-{c[3]}" for c in SAMPLE])
def test_edition_field_hostile(stem: str, template: str, path: tuple[Any, ...], name: str) -> None:
    data = mutate(load(ROOT / "fixtures" / f"{stem}.yaml"), path, value(name))
    assert check(template, data, path, full=SAMPLE.index((stem, template, path, name)) % 10 == 0) is None


@pytest.mark.parametrize("name", ["long", "nul", "surrogate", "deep", "dict", "big"])
def test_brand_of_any_value_is_a_named_error_or_a_theme(name: str) -> None:
    # a 100,000-character brand was OSError: [Errno 36] File name too long, from
    # Path.is_file() in the theme lookup
    data = mutate(load(FIXTURES[0]), ("newsletter", "brand"), value(name))
    assert check("breaking", data, ("newsletter", "brand")) is None


if __name__ == "__main__":
    wide()


# --- RenderOptions / Renderer arguments of the wrong type or value

OPTIONS = ("theme", "inliner", "limits", "template_dirs", "strict", "max_body_chars", "text_engine",
           "link_tagging", "ignore", "text", "inline")


def _option_outcome(call: Any, option: str) -> str | None:
    try:
        call()
    except mailkit.MailkitError as err:
        return None if option in str(err) else f"{type(err).__name__} without {option}: {str(err)[:200]!r}"
    except Exception as err:  # noqa: BLE001 - any other type is the defect
        return f"{type(err).__name__}: {err!s:.200}"
    return None


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", ["deep", "long", "nul", "surrogate", "dict", "nan", "none"])
def test_render_option_of_any_value_is_named(option: str, name: str) -> None:
    # a 1,000-deep list as strict, ignore, inliner, ... was RecursionError (the
    # error message's repr of the value); template_dirs of 100,000 characters, "\0"
    # or a lone surrogate was OSError, ValueError, UnicodeEncodeError
    fixture = FIXTURES[0]
    assert _option_outcome(lambda: mailkit.render("breaking", fixture, {option: value(name)}), option) is None
    assert _option_outcome(lambda: mailkit.Renderer(**{option: value(name)}).render("breaking", fixture),
                           option) is None


# --- Recipient fields, through Recipient, prepare(...).personalize and BulkMessages

READER = {"email": "ana@example.org", "first_name": "Ana", "unsubscribe_url": "https://example.org/u",
          "preferences_url": "https://example.org/p", "link_params": {"rid": "1"}}
RECIPIENT_CASES = [(field, kind, name) for field in READER for kind in (("value", "key") if field == "link_params"
                   else ("value",)) for name, _ in HOSTILE]


def _reader(field: str, kind: str, name: str) -> dict[str, Any]:
    out = dict(READER)
    bad = value(name)
    if field != "link_params":
        out[field] = bad
    elif kind == "value":
        out[field] = {"rid": bad}
    else:
        out[field] = {bad: "1"} if isinstance(bad, str | int | float | None) else bad
    return out


@pytest.fixture(scope="module")
def prepared() -> Any:
    return mailkit.prepare("breaking", FIXTURES[0])


@pytest.mark.parametrize(("field", "kind", "name"), RECIPIENT_CASES)
def test_recipient_field_hostile(prepared: Any, field: str, kind: str, name: str) -> None:
    # personalize() and BulkMessages.message() given a mapping (as render(recipient=)
    # takes) were AttributeError: 'dict' object has no attribute 'link_params'
    bulk = mailkit.BulkMessages(prepared, sender={"name": "A", "address": "a@example.org"})
    data = _reader(field, kind, name)
    calls = [lambda: prepared.personalize(mailkit.Recipient(**data)), lambda: prepared.personalize(data),
             lambda: bulk.message(data), lambda: bulk.message(mailkit.Recipient(**data))]
    for call in calls:
        try:
            out = call()
        except mailkit.MailkitError as err:
            assert field in str(err), str(err)[:200]
            continue
        html = out.html if hasattr(out, "html") else out.split(b"Content-Type: text/html", 1)[-1].decode("latin-1")
        assert not BAD_HTML.search(html), field
        if isinstance(out, bytes):
            head = out.split(b"\r\n\r\n", 1)[0]
            assert all(line[:1] in (b" ", b"\t") or b":" in line for line in head.split(b"\r\n")), head[:300]


@pytest.mark.parametrize("reader", ["ana@example.org", 1, ["ana@example.org"]])
def test_personalize_of_a_wrong_type_is_named(prepared: Any, reader: Any) -> None:
    with pytest.raises(mailkit.MailkitError, match="recipient"):
        prepared.personalize(reader)
    with pytest.raises(mailkit.MailkitError, match="recipient"):
        mailkit.BulkMessages(prepared, sender="a@example.org").message(reader)


# --- an error message is bounded whatever the input: a 100,000-character key or name
# was echoed whole (a 100,000-character message, a log line per bad edition)

@pytest.mark.parametrize("where", [("articles", 0), ("newsletter",), (), ("newsletter", "footer")])
def test_unknown_key_of_100000_characters_is_named_briefly(where: tuple[Any, ...]) -> None:
    data = load(FIXTURES[0])
    node = data
    for part in where:
        node = node[part]
    node["x" * 100_000] = 1
    with pytest.raises(mailkit.MailkitError) as info:
        mailkit.render("breaking", data)
    assert len(str(info.value)) < 2_000
    assert "unknown field" in str(info.value) and dotted(where) in str(info.value)


def test_theme_of_100000_characters_is_named_briefly() -> None:
    data = mutate(load(FIXTURES[0]), ("newsletter", "brand"), "x" * 100_000)
    for call in (lambda: mailkit.render("breaking", data),
                 lambda: mailkit.render("breaking", FIXTURES[0], {"theme": "x" * 100_000})):
        with pytest.raises(mailkit.MailkitError) as info:
            call()
        assert len(str(info.value)) < 2_000 and ("brand" in str(info.value) or "theme" in str(info.value))


# --- render()'s and prepare()'s own arguments of any type

@pytest.mark.parametrize("name", [n for n, _ in HOSTILE])
@pytest.mark.parametrize("argument", ["template", "edition"])
def test_render_argument_of_any_value_is_named(argument: str, name: str) -> None:
    # a template of 0, [] or a list 1,000 deep was TypeError (int + str), an edition of
    # 0, 1e308 or [] TypeError (expected str, bytes or os.PathLike object); a template
    # or an edition path of 100,000 characters was echoed whole in the message
    bad = value(name)
    args = (bad, FIXTURES[0]) if argument == "template" else ("breaking", bad)
    for call in (mailkit.render, mailkit.prepare):
        with pytest.raises(mailkit.MailkitError) as info:
            call(*args)
        assert len(str(info.value)) < 2_000


# --- the fields of the limits and link_tagging options

@pytest.mark.parametrize("name", ["big", "huge", "inf", "nan"])
@pytest.mark.parametrize("limit", ["max_file_bytes", "max_body_bytes", "max_stories"])
def test_limit_of_any_number_is_named(limit: str, name: str) -> None:
    # max_file_bytes=2**63 was OverflowError, =1e308 or inf TypeError (file.read(n))
    outcome = _option_outcome(lambda: mailkit.Renderer(limits={limit: value(name)}).render("breaking", FIXTURES[0]),
                              limit)
    assert outcome is None


@pytest.mark.parametrize("name", ["surrogate", "deep", "long", "zero", "dict"])
@pytest.mark.parametrize("field", ["source", "medium", "campaign"])
def test_link_tagging_field_of_any_value_is_named(field: str, name: str) -> None:
    # a lone surrogate was UnicodeEncodeError (urlencode), a list 1,000 deep RecursionError
    outcome = _option_outcome(lambda: mailkit.render("breaking", FIXTURES[0], {"link_tagging": {field: value(name)}}),
                              f"link_tagging.{field}")
    assert outcome is None


@pytest.mark.parametrize("name", ["none", "empty", "zero", "minus1", "big", "huge", "true", "deep"])
def test_text_width_of_any_value_is_named(name: str) -> None:
    # text={"width": None} was TypeError, 0 re.error, -1 ValueError, 2**63 OverflowError
    outcome = _option_outcome(lambda: mailkit.render("breaking", FIXTURES[0], {"text": {"width": value(name)}}),
                              "text.width")
    assert outcome is None
