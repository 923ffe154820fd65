"""Leftovers an outsider hits: each case a clear input and its expected outcome.

- language tags: what BCP 47 allows renders (with its language's labels,
  dates and direction); junk is an InvalidFixtureError naming the field;
- a story's image alt text carries the story's lang and dir;
- max_body_chars and a first paragraph longer than the limit;
- ``mailkit check --all`` reports every broken fixture, not the first.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from conftest import FIXTURES, SEED

import mailkit
from mailkit._cli import main
from mailkit._text import columns

ARABIC = yaml.safe_load((FIXTURES / "breaking-arabic-rtl.yaml").read_text(encoding="utf-8"))
SEED_DATA = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def with_language(data: dict, tag: str) -> dict:  # type: ignore[type-arg]
    data = copy.deepcopy(data)
    data["newsletter"]["language"] = tag
    for a in data["articles"]:
        a.pop("language", None)
    data.pop("language", None)
    return data


# -- 1. language tags --------------------------------------------------------

VALID_TAGS = [
    "ar-u-nu-latn",      # Arabic with Latin digits (a Unicode locale extension)
    "zh-Hant-TW",        # script and region
    "sr-Latn",           # Serbian in Latin letters
    "en-GB-oxendict",    # a variant
    "de-CH-1996",        # a numeric variant
    "es-419",            # a UN M.49 region
    "en-US-x-twain",     # private use
    "zh-yue-HK",         # an extended language subtag
    "sgn-BE-FR",         # a grandfathered (regular) tag
    "i-klingon",         # a grandfathered (irregular) tag
    "x-newsroom",        # private use only
    "EN-gb",             # case does not matter in BCP 47
]


@pytest.mark.parametrize("tag", VALID_TAGS)
def test_a_valid_bcp47_tag_loads_and_renders(tag: str) -> None:
    email = mailkit.render("breaking", with_language(SEED_DATA, tag))
    assert f'lang="{tag}"' in email.html


INVALID_TAGS = [
    ('en"><script>alert(1)</script>', "markup"),
    ("en-" + "-".join(["abcdefgh"] * 40), "300 characters"),
    ("en\r\nBcc: victim@example.org", "CRLF"),
    ("en-", "trailing hyphen"),
    ("-en", "leading hyphen"),
    ("en--US", "empty subtag"),
    ("en-a", "a singleton with nothing after it"),
    ("en-u", "an extension singleton alone"),
    ("en_US", "underscore: a POSIX locale, not a BCP 47 tag"),
    ("abcdefghi", "a language subtag of 9 letters"),
    ("en-US-x", "private use with nothing after it"),
    ("e", "one letter"),
    ("", "empty"),
    ("en US", "a space"),
    ("ar-١٢", "non-ASCII digits"),
]


@pytest.mark.parametrize(("tag", "why"), INVALID_TAGS, ids=[w for _, w in INVALID_TAGS])
def test_junk_in_a_language_tag_is_refused_naming_the_field(tag: str, why: str) -> None:
    data = copy.deepcopy(SEED_DATA)
    data["articles"][0]["language"] = tag
    with pytest.raises(mailkit.InvalidFixtureError, match=r"articles\[0\]\.language: .*BCP 47") as err:
        mailkit.render("breaking", data)
    assert "\n" not in str(err.value).split("language:", 1)[1].strip() or why == "CRLF"
    assert len(str(err.value)) < 400  # the tag is not repeated at length


def test_a_tag_with_extensions_falls_back_to_its_language_for_labels_dates_and_direction() -> None:
    """``ar-u-nu-latn`` is Arabic: the Arabic catalog, CLDR's Arabic dates and lists, right to left.
    The email equals the one for ``ar`` but for the lang attribute."""
    plain = mailkit.render("breaking", with_language(ARABIC, "ar"))
    tagged = mailkit.render("breaking", with_language(ARABIC, "ar-u-nu-latn"))
    assert 'lang="ar-u-nu-latn" dir="rtl"' in tagged.html
    assert tagged.html.replace('lang="ar-u-nu-latn"', 'lang="ar"') == plain.html
    assert tagged.text == plain.text
    assert not tagged.warnings


@pytest.mark.parametrize(("tag", "like"), [
    ("de-CH-1996", "de-CH"), ("en-GB-oxendict", "en-GB"), ("fr-FR-x-desk", "fr-FR"), ("he-IL-u-ca-hebrew", "he-IL"),
])
def test_variants_and_extensions_use_the_catalog_and_cldr_data_of_the_tag_without_them(tag: str, like: str) -> None:
    fixture = {"de": "breaking-german.yaml", "en": "breaking-china-cyberspying.yaml",
               "fr": "breaking-french.yaml", "he": "breaking-hebrew-rtl.yaml"}[like[:2]]
    data = yaml.safe_load((FIXTURES / fixture).read_text(encoding="utf-8"))
    base = mailkit.render("breaking", with_language(data, like))
    tagged = mailkit.render("breaking", with_language(data, tag))
    assert tagged.text == base.text
    assert tagged.html.replace(f'lang="{tag}"', f'lang="{like}"') == base.html


def test_direction_comes_from_the_language_whatever_follows_it() -> None:
    from mailkit._models import direction_of

    assert direction_of("ckb-u-nu-latn") == "rtl"   # Sorani, known to CLDR only
    assert direction_of("fa-IR-x-desk") == "rtl"
    assert direction_of("ha-u-nu-latn") == "ltr"
    assert direction_of("uz-Arab-AF") == "rtl"
    assert direction_of("i-klingon") == "ltr"


# -- 2. a story's image in its own language ----------------------------------

def test_a_story_image_alt_text_is_in_the_story_language() -> None:
    """digest-languages-and-images: an English edition with French, Arabic and Hebrew
    stories; each story's <img> carries its lang and dir (its alt text is read in
    that language), as its caption and credit do."""
    fixture = FIXTURES / "digest-languages-and-images.yaml"
    data = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    email = mailkit.render("digest", fixture)
    root = lxml.html.document_fromstring(email.html)
    stories = [a for s in data["sections"] for a in s["articles"]] + data["articles"]
    checked = set()
    for story in stories:
        img = story.get("image")
        if not img or not img.get("alt"):
            continue
        found = [el for el in root.iter("img") if el.get("alt") == img["alt"]]
        assert found, story["headline"]
        lang = story.get("language")
        for el in found:
            owner = next((e for e in el.iterancestors() if e.get("lang")), None)
            seen = el.get("lang") or (owner.get("lang") if owner is not None else None)
            assert seen == (lang or "en"), (story["headline"], seen)
            if lang:
                assert el.get("dir") == mailkit._models.direction_of(lang)
                checked.add(lang)
    assert checked >= {"fr", "ar", "he"}
    # the marker the templates use to ask for it never reaches the email
    assert "mk-voice" not in email.html


# -- 3. max_body_chars and a first paragraph longer than the limit -----------

def test_a_first_paragraph_longer_than_the_limit_is_kept_whole_with_a_warning() -> None:
    data = copy.deepcopy(SEED_DATA)
    first = "The ministry said the talks would resume next week. " * 40  # about 2,100 characters
    data["articles"][0]["body"] = f"<p>{first.strip()}</p><p>A second paragraph.</p><p>A third one.</p>"
    email = mailkit.render("breaking", data, mailkit.RenderOptions(max_body_chars=500))
    n = len(first.strip())
    assert (f"articles[0].body: first paragraph is {n:,} characters, longer than max_body_chars 500: kept whole"
            in email.warnings)
    # the paragraph is whole, what follows it is cut, and the link follows
    assert first.strip() in email.html and "A second paragraph." not in email.html
    assert "mk-continue" in email.html


@pytest.mark.parametrize("body", ["<p>" + "Word " * 400 + "</p>", "Word " * 400, "<div><p>" + "Word " * 400 + "</p></div>"],
                         ids=["one-paragraph", "text-without-paragraphs", "paragraph-in-a-div"])
def test_a_body_of_one_long_paragraph_is_kept_whole_with_a_warning(body: str) -> None:
    data = copy.deepcopy(SEED_DATA)
    data["articles"][0]["body"] = body
    email = mailkit.render("breaking", data, mailkit.RenderOptions(max_body_chars=500))
    # 2,000 characters (1,999 where the loader strips the last space of a text-only body)
    pattern = r"articles\[0\]\.body: first paragraph is (?:1,999|2,000) characters, longer than max_body_chars 500: kept whole"
    assert [w for w in email.warnings if re.fullmatch(pattern, w)], email.warnings
    assert "mk-continue" not in email.html  # nothing was cut: no link to the rest


def test_a_first_paragraph_within_the_limit_gives_no_warning() -> None:
    data = copy.deepcopy(SEED_DATA)
    data["articles"][0]["body"] = "<p>Short.</p>" + "<p>Another paragraph here.</p>" * 50
    email = mailkit.render("breaking", data, mailkit.RenderOptions(max_body_chars=500))
    assert not [w for w in email.warnings if "max_body_chars" in w]


# -- 4. check --all reports every broken fixture -----------------------------

def test_check_all_reports_every_broken_fixture_and_checks_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    good = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    (folder / "a-good.yaml").write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    bad_field = copy.deepcopy(good)
    bad_field["articles"][0]["image"]["src"] = "not a url"
    (folder / "b-bad-field.yaml").write_text(yaml.safe_dump(bad_field, allow_unicode=True), encoding="utf-8")
    (folder / "c-not-yaml.yaml").write_text("articles: [\n  - headline: {", encoding="utf-8")
    bad_lang = copy.deepcopy(good)
    bad_lang["articles"][0]["language"] = 'en"><b>'
    (folder / "d-bad-language.yaml").write_text(yaml.safe_dump(bad_lang, allow_unicode=True), encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    result = CliRunner().invoke(main, ["check", "--all", "--fixtures", str(folder), "--templates", str(templates)])
    assert result.exit_code == 1, result.output
    out = result.output
    # every broken fixture is named with its error, each on its own line
    assert re.search(r"b-bad-field\.yaml.*articles\[0\]\.image\.src", out), out
    assert re.search(r"c-not-yaml\.yaml", out), out
    assert re.search(r"d-bad-language\.yaml.*articles\[0\]\.language", out), out
    # the good one and the packaged fixtures were still checked
    assert re.search(r"breaking x .*a-good\.yaml", out), out
    assert "breaking x " in out and "digest x " in out
    assert "Traceback" not in out


def test_check_all_json_lists_the_broken_fixtures(tmp_path: Path) -> None:
    import json

    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "broken.yaml").write_text("templates: [breaking]\narticles: 3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--all", "--json", "--fixtures", str(folder)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert [Path(b["fixture"]).name for b in report["broken"]] == ["broken.yaml"]
    assert "InvalidFixtureError" in report["broken"][0]["error"]
    assert report["results"]  # the packaged fixtures were checked


# -- 5. Persian: zero-width non-joiners and wrapping in the text part --------

def test_persian_text_part_keeps_every_zwnj_word_whole_and_wraps_at_spaces() -> None:
    fixture = FIXTURES / "breaking-persian-rtl.yaml"
    data = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    email = mailkit.render("breaking", fixture)
    assert 'lang="fa" dir="rtl"' in email.html and not email.warnings
    story = data["articles"][0]
    source = " ".join([story["headline"], story["dek"], re.sub(r"<[^>]+>", " ", story["body"])])
    words = {w.strip("«»،؛.:") for w in source.split() if "\u200c" in w}
    assert len(words) >= 20
    lines = email.text.splitlines()
    for word in words:  # a word is never split at its non-joiner, nor the non-joiner dropped
        assert any(word in line for line in lines), word
    for line in lines:
        assert not line.startswith("\u200c") and not line.endswith("\u200c"), line
        # (in columns: a non-joiner takes none in a terminal)
        assert columns(line) <= 78 or line.startswith("https://"), line
    # the labels are Persian, the digits in the text are the newsroom's own
    assert "فوری" in email.text and "۵٫۹" in email.text and "عکس: رویترز" in email.text
    assert "Photo:" not in email.text and "Read the full story" not in email.text
