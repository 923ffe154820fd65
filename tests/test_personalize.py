"""Render once, personalise per recipient: equal to a full render, byte for byte."""

from __future__ import annotations

import ast
import dataclasses
import multiprocessing
import pickle
import string
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import lxml.html
import pytest
import yaml
from conftest import FIXTURES, ROOT, SEED, matrix, pair_id
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mailkit
from mailkit._slots import html_escape

GREETING_TEMPLATE = """{#- A greeting that uses every recipient field -#}
{% extends "layouts/base.mjml.j2" %}
{% import "partials/components.mjml.j2" as ui with context %}
{% block content %}
<mj-section><mj-column><mj-text css-class="mk-text">
<h1>Hello {{ recipient.first_name_or("there") }}</h1>
<p>Hi {{ recipient.first_name }}, this copy of {{ article.headline }} was sent to {{ recipient.email }} because you asked for alerts about this story and others like it.</p>
<p><a href="{{ article.url }}" title="For {{ recipient.first_name }}">Read it</a></p>
</mj-text></mj-column></mj-section>
{% endblock %}
"""


def author_dir(tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("templates")
    (folder / "greeting.mjml.j2").write_text(GREETING_TEMPLATE, encoding="utf-8")
    return str(folder)


names = st.one_of(
    st.sampled_from(["", "Ana", "<b>&amp;</b>", "O'Brien \"Bob\"", "Zoë 🎉", "محمد", "שָׁלוֹם", "x" * 200, "a\\b"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u202a\u202b\u202c\u202d\u202e\ufffe\uffff"), max_size=60),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, params=st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), st.text(max_size=12).filter(lambda s: s.strip() == s and "\n" not in s and "\x00" not in s), max_size=2))
@example(name="<b>&amp;</b>", params={"q": "a&b=<c>"})
@example(name="O'Brien \"Bob\"", params={})
def test_personalize_equals_full_render(tmp_path_factory, name: str, params: dict) -> None:  # type: ignore[no-untyped-def]
    try:
        recipient = mailkit.Recipient(email="reader@example.org", first_name=name, link_params=params,
                                      unsubscribe_url="https://example.org/u?id=7&t=x")
    except mailkit.MailkitError:
        return
    except ValueError:  # a name mailkit refuses (control characters ...): no render to compare
        return
    options = mailkit.RenderOptions(template_dirs=(_dir(tmp_path_factory),))
    prepared = _prepared(options)
    mine = prepared.personalize(recipient)
    full = mailkit.render("greeting", SEED, options, recipient=recipient)
    assert (mine.html, mine.text, mine.mjml) == (full.html, full.text, full.mjml)
    # the name is there, escaped, and never changes the document's structure
    assert mine.html.count("<a ") == full.html.count("<a ") == _prepared(options).personalize(None).html.count("<a ")
    if recipient.first_name:
        assert recipient.first_name in mine.text
    # and a browser's parser reads back exactly the name, in text and in an attribute
    root = lxml.html.fromstring(mine.html)
    assert root.xpath("string(//h1)").split() == f"Hello {recipient.first_name or 'there'}".split()
    assert root.xpath("//a[text()='Read it']/@title") == [f"For {recipient.first_name}"]


_cache: dict = {}


def _dir(factory) -> str:  # type: ignore[no-untyped-def]
    if "dir" not in _cache:
        _cache["dir"] = author_dir(factory)
    return _cache["dir"]


def _prepared(options: mailkit.RenderOptions) -> mailkit.PreparedEmail:
    if "prepared" not in _cache:
        _cache["prepared"] = mailkit.prepare("greeting", SEED, options)
    return _cache["prepared"]


def test_fallback_and_per_recipient_links(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "greeting.mjml.j2").write_text(GREETING_TEMPLATE, encoding="utf-8")
    options = mailkit.RenderOptions(template_dirs=(tmp_path,))
    prepared = mailkit.prepare("greeting", SEED, options)
    anon = prepared.personalize(None)
    assert "Hello there" in anon.html
    ana = prepared.personalize(mailkit.Recipient(email="ana@example.org", first_name="Ana",
                                                 unsubscribe_url="https://example.org/u?id=1&t=a",
                                                 link_params={"rid": "42"}))
    assert "Hello Ana" in ana.html and "Hello Ana" in ana.text
    assert 'href="https://example.org/u?id=1&amp;t=a"' in ana.html
    assert "https://example.org/u?id=1&t=a" in ana.text
    assert "n110321?rid=42" in ana.html and "n110321?rid=42" in ana.text
    assert "rid=42" not in anon.html


def test_prepared_pickles_and_is_thread_safe() -> None:
    prepared = mailkit.prepare("breaking", SEED)
    clone = pickle.loads(pickle.dumps(prepared))
    readers = [mailkit.Recipient(email=f"r{i}@example.org", first_name=f"Reader {i}") for i in range(40)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(prepared.personalize, readers))
    assert [r.html for r in results] == [clone.personalize(r).html for r in readers]
    # and after use, still equal
    assert pickle.loads(pickle.dumps(prepared)) == clone == prepared


def _personalize_in_worker(prepared: mailkit.PreparedEmail, address: str) -> mailkit.RenderedEmail:
    return prepared.personalize(mailkit.Recipient(email=address, link_params={"rid": address[:2]}))


def test_worker_processes_personalise_a_prepared_email() -> None:
    # what an alert service does with a big list: prepare once, fan out to
    # processes (spawned: nothing inherited but what pickles), collect emails
    prepared = mailkit.prepare("digest", FIXTURES / "digest-morning-briefing.yaml")
    addresses = [f"r{i}@example.org" for i in range(6)]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        emails = list(pool.map(_personalize_in_worker, [prepared] * len(addresses), addresses))
    for address, email in zip(addresses, emails, strict=True):
        assert email == _personalize_in_worker(prepared, address)
        assert email.mjml == _personalize_in_worker(prepared, address).mjml
        assert f"rid={address[:2]}" in email.html


def test_forged_tokens_in_article_text_stay_text() -> None:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["articles"][0]["headline"] = "mk000000000000xemailq and mkxemailq"
    email = mailkit.render("breaking", data, recipient=mailkit.Recipient(email="secret@example.org"))
    assert "secret@example.org" not in email.html
    assert "mk000000000000xemailq" in email.html


def test_link_tagging_adds_utm_before_fragments() -> None:
    from mailkit._links import add_query

    assert add_query("https://e.com/a?x=1#top", {"utm_source": "nl"}) == "https://e.com/a?x=1&utm_source=nl#top"
    assert add_query("https://e.com/a#top", {"utm_source": "nl"}) == "https://e.com/a?utm_source=nl#top"
    tagging = mailkit.LinkTagging(campaign="digest-2014-05-21")
    email = mailkit.render("digest", "fixtures/digest-morning-briefing.yaml", mailkit.RenderOptions(link_tagging=tagging))
    assert ("n110321?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=digest-2014-05-21"
            "&amp;utm_content=story-1") in email.html
    assert "utm_content=story-2" in email.html
    assert "unsubscribe?list=morning-briefing&amp;source=email\"" in email.html  # footer links untouched


def test_personalize_sets_every_field_of_rendered_email() -> None:
    email = mailkit.prepare("breaking", SEED).personalize(mailkit.Recipient(email="a@example.org"))
    assert set(email.__dict__) == {f.name for f in dataclasses.fields(mailkit.RenderedEmail)}
    assert email.mjml.startswith("<mjml") and set(email.__dict__) >= {"mjml"}


HOSTILE_READER = mailkit.Recipient(
    email="o'neil@example.org", first_name='<b>"Zoë"</b> & co', link_params={"a": "x&y", "b": "<z>"},
    unsubscribe_url="https://example.org/u?a=1&b=2", preferences_url="https://example.org/p?x='1'",
)


def _generated_code(tree: ast.AST) -> Iterator[ast.Call]:
    # exec/eval/compile of source text, and an object's __dict__ replaced wholesale
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in {"exec", "eval", "compile"}:
            yield node
        # setattr(obj, "__dict__", ...), object.__setattr__ under any name
        elif len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "__dict__":
            yield node


def test_no_mailkit_module_generates_code_or_replaces_a_dict() -> None:
    # personalize() once generated a fill function per prepared email with
    # exec() and set a RenderedEmail's __dict__ in one go, to save about a
    # tenth of its time; plain code holds the target (bench/run.py, section 3)
    found = [f"{path.name}:{call.lineno}" for path in sorted((ROOT / "mailkit").rglob("*.py"))
             for call in _generated_code(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []
    sample = ("exec(compile(src, '<x>', 'exec'), ns)\nobject.__setattr__(e, '__dict__', d)\nre.compile('x')\n"
              "_set = object.__setattr__\n_set(e, '__dict__', d)\n")
    assert sorted(c.lineno for c in _generated_code(ast.parse(sample))) == [1, 1, 2, 5]


@pytest.mark.parametrize("pair", matrix(), ids=pair_id)
def test_fill_puts_each_value_at_its_token(pair: tuple[str, Path]) -> None:
    # Parts.fill (picked values, one slice assignment) against the plainest
    # loop: static text, then the token's value, in turn
    prepared = mailkit.prepare(*pair)
    for reader in (None, HOSTILE_READER):
        email = prepared.personalize(reader)
        values = prepared.personalize_values(reader)
        for part, escape, got in ((prepared.html, html_escape, email.html), (prepared.text, str, email.text)):
            expected = part.static[0] + "".join(escape(values[slot]) + static
                                                for slot, static in zip(part.slots, part.static[1:], strict=True))
            assert got == expected


def test_personalised_email_is_what_the_constructor_makes() -> None:
    """RenderedEmail._personalised fills __dict__ instead of running the frozen dataclass's
    __init__ (a fifth of personalize): every field set, nothing else, equal to the constructor's."""
    prepared = mailkit.prepare("breaking", SEED)
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana", link_params={"rid": "7"},
                               unsubscribe_url="https://example.org/u?sig=a&b")
    email = prepared.personalize(reader)
    fields = {f.name for f in dataclasses.fields(mailkit.RenderedEmail)}
    assert set(vars(email)) == fields
    built = mailkit.RenderedEmail(**{name: getattr(email, name) for name in fields})
    assert email == built and email.mjml == built.mjml
    assert not hasattr(mailkit.RenderedEmail, "__post_init__")  # which _personalised would skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        email.html = ""  # type: ignore[misc]


def test_prepared_pickle_is_the_same_before_and_after_use() -> None:
    # the Celery store names a prepared email by the SHA-256 of its pickle: what a
    # personalize caches (the footer, the shared fields) is not part of it
    prepared = mailkit.prepare("breaking", SEED)
    before = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    prepared.personalize(mailkit.Recipient(email="ana@example.org"))
    assert pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL) == before
    assert pickle.loads(before).personalize(None) == prepared.personalize(None)


# ------------------------------------------- the lines a build re-wraps per recipient, found by C searches

@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["raw", "p", "heading1"]),
                          st.text(alphabet="0123456789 mkxq\n", max_size=40)), max_size=30))
def test_lines_holding_finds_every_line_with_a_nonce(lines: list[tuple[str, str]]) -> None:
    from mailkit._personalize import _lines_holding
    nonces = ("12345", "999")
    found = _lines_holding(lines, nonces)
    assert found == sorted(set(found))
    assert {i for i, (_, line) in enumerate(lines) if any(n in line for n in nonces)} <= set(found)


def test_lines_holding_reads_across_lines_and_empty_ones() -> None:
    from mailkit._personalize import _lines_holding
    lines = [("p", ""), ("p", "a 123"), ("raw", ""), ("p", "45 b"), ("p", "x12345y"), ("p", ""), ("p", "12345")]
    # "123" + "45" read across two lines is a candidate, checked line by line afterwards
    assert _lines_holding(lines, ("12345",)) == [1, 4, 6]
    assert _lines_holding([], ("1",)) == [] and _lines_holding([("p", "none")], ("1",)) == []
