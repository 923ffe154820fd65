"""Labels in the reader's language: gettext catalogs, negotiation, plurals, lists, threads."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mailkit import RenderOptions, render
from mailkit._i18n import catalog_locales, labels
from mailkit._paths import FIXTURES_DIR, TEMPLATES_DIR

ROOT = Path(__file__).resolve().parent.parent
LOCALES = TEMPLATES_DIR / "locales"
LANGUAGES = ["en", "es", "fr", "de", "pt", "it", "ar", "he", "fa", "zh", "ja", "hi"]
SEED = FIXTURES_DIR / "breaking-china-cyberspying.yaml"
DIGEST = FIXTURES_DIR / "digest-morning-briefing.yaml"


def _edition(path: Path, lang: str) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["language"] = lang
    return data


def _extracted() -> set[str]:
    """The message ids pybabel extract finds with the documented mapping (babel.cfg)."""
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trim_blocks": "true",
               "lstrip_blocks": "true"}
    found = set()
    for d, method, opts in ((ROOT / "templates", [("**.j2", "jinja2")], {"**.j2": options}),
                            (ROOT / "mailkit", [("**.py", "python")], {})):
        keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "text": None}
        for _f, _l, msgid, _c, _ctx in extract_from_dir(str(d), method, opts, keywords=keywords):
            found.add(msgid if isinstance(msgid, str) else msgid[0])
    return found


def _catalog_dirs() -> list[Path]:
    return sorted(p for p in LOCALES.iterdir() if p.is_dir())


def test_twelve_languages_have_a_catalog() -> None:
    have = {p.name for p in _catalog_dirs()}
    for lang in LANGUAGES:
        assert set(catalog_locales(lang)) & have, lang


def test_every_catalog_translates_every_message_and_none_is_fuzzy() -> None:
    wanted = _extracted()
    with (LOCALES / "messages.pot").open("rb") as f:
        assert {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id} == wanted, \
            "messages.pot is stale: run the pybabel extract line in babel.cfg"
    for d in _catalog_dirs():
        with (d / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f)
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        assert ids == wanted, (d.name, wanted ^ ids)
        for m in catalog:
            if not m.id:
                continue
            assert not m.fuzzy, (d.name, m.id)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            assert all(strings), (d.name, m.id)
            if not isinstance(m.id, tuple):
                # every placeholder of the message, and no other, in the translation
                assert set(re.findall(r"%\((\w+)\)s", m.id)) == set(re.findall(r"%\((\w+)\)s", m.string)), m.id


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_compiled_catalogs_match_their_sources() -> None:
    # the .mo files are committed beside the .po (the build needs no network and no step):
    # `pybabel compile -d templates/locales -D messages` after editing a .po
    for d in _catalog_dirs():
        with (d / "LC_MESSAGES" / "messages.po").open("rb") as f:
            po = {_key(m.id): _key(m.string) for m in read_po(f) if m.id}
        mo = {_key(m.id): _key(m.string) for m in read_mo(io.BytesIO((d / "LC_MESSAGES" / "messages.mo").read_bytes()))
              if m.id}
        assert po == mo, f"{d.name}: messages.mo is stale: run pybabel compile -d templates/locales -D messages"


def _english_labels() -> list[str]:
    """The English label texts, cut at placeholders: the words that must not appear in another language."""
    parts: list[str] = []
    for msgid in _extracted():
        parts += [p.strip(" .:") for p in re.split(r"%\(\w+\)s", msgid)]
    return sorted({p for p in parts if len(p) >= 2}, key=len, reverse=True)


def _visible(html: str) -> str:
    html = re.sub(r"<(style|title|head)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"<[^>]+>", " ", html)


def _blank_catalog(root: Path, lang: str) -> Path:
    """A template folder whose catalog for ``lang`` turns every label into "¤": what is left
    of the English label words in a render then comes from the stories, not from labels."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    name = next(n for n in catalog_locales(lang) if (LOCALES / n).is_dir())
    catalog = Catalog(locale=name, domain="messages")
    with (LOCALES / "messages.pot").open("rb") as f:
        for m in read_po(f):
            if m.id:
                catalog.add(m.id, ("¤", "¤") if isinstance(m.id, tuple) else "¤")
    folder = root / "locales" / name / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return root


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
@pytest.mark.parametrize("template", ["breaking", "special-report", "digest"])
def test_no_english_label_in_another_language(template: str, lang: str, tmp_path: Path) -> None:
    fixture = DIGEST if template == "digest" else SEED
    email = render(template, _edition(fixture, lang))
    assert not [w for w in email.warnings if "catalog" in w]
    blank = render(template, _edition(fixture, lang), RenderOptions(template_dirs=(_blank_catalog(tmp_path, lang),)))
    # a word the language shares with English ("Photo" in French) is its own, not an English leftover
    own = " ".join(str(labels(lang, [TEMPLATES_DIR]).translations.gettext(m)) for m in _extracted())
    # the fixtures' stories are English: a label word may be in a story, as often as without any label
    for label in [x for x in _english_labels() if x not in own]:
        for where, part, story_only in (("html", _visible(email.html), _visible(blank.html)),
                                        ("text", email.text, blank.text)):
            assert part.count(label) == story_only.count(label), (template, lang, where, label)


def test_dates_lists_and_direction_follow_the_language() -> None:
    fr = render("breaking", _edition(SEED, "fr"))
    assert "20 mai 2014" in fr.text and "Alex Johnson, Catherine Chomiak et Alexander Smith" in fr.text
    assert "Photo : Lintao" in fr.text  # the text part writes the non-breaking space as a space
    ar = render("breaking", _edition(SEED, "ar"))
    assert 'dir="rtl"' in ar.html and "عاجل" in ar.text and "مايو" in ar.text
    ja = render("breaking", _edition(SEED, "ja"))
    assert "速報" in ja.text and "執筆：" in ja.text and "、" in ja.text
    en = render("breaking", SEED)
    assert "By M. Alex Johnson, Catherine Chomiak and Alexander Smith" in en.text  # the newsroom's style: no serial comma


# a dateline's digits, taken from the text part's line that holds the month's name
_DIGIT = re.compile(r"\d")


@pytest.mark.parametrize(("lang", "month", "digits"), [
    ("fa", "اردیبهشت", "۰۱۲۳۴۵۶۷۸۹"),  # Persian: CLDR's default numbering system is "arabext"
    ("ar-EG", "مايو", "٠١٢٣٤٥٦٧٨٩"),  # Egyptian Arabic: "arab"
    ("hi-u-nu-deva", "मई", "०१२३४५६७८९"),  # Hindi asking for Devanagari digits: "deva"
    ("ar-EG-u-nu-arabext", "مايو", "۰۱۲۳۴۵۶۷۸۹"),
    # no catalog: English labels, so English dates beside them (Bengali's own would be "beng")
    ("bn", "May", "0123456789"),
    ("ne", "May", "0123456789"),
    ("ar", "مايو", "0123456789"),  # Arabic without a region: CLDR's default is "latn"
    ("hi", "मई", "0123456789"),  # Hindi: "latn"
    ("fa-u-nu-latn", "اردیبهشت", "0123456789"),  # the tag's own choice (BCP 47 "-u-nu-") wins
    ("ar-u-nu-arab", "مايو", "٠١٢٣٤٥٦٧٨٩"),
])
def test_dates_are_written_with_the_languages_own_digits(lang: str, month: str, digits: str) -> None:
    # Babel writes every date with ASCII digits (python-babel/babel#446); a Persian reader reads ۲۰۱۴
    text = render("breaking", _edition(SEED, lang)).text
    line = next(line for line in text.splitlines() if month in line)
    found = set(_DIGIT.findall(line))
    assert found and found <= set(digits), (line, digits)


@pytest.mark.parametrize(("lang", "dateline"), [
    # the seed's time, 2014-05-20 09:15 EDT, is 30 Ordibehesht 1393 in Iran's Solar Hijri calendar
    ("fa", "۳۰ اردیبهشت ۱۳۹۳، ساعت"),
    ("fa-IR-u-nu-latn", "30 اردیبهشت 1393، ساعت"),
    ("fa-u-ca-gregory", "۲۰ مهٔ ۲۰۱۴، ساعت"),  # the tag's own calendar (BCP 47 "-u-ca-") wins
    ("fa-AF", "۲۰ می ۲۰۱۴، ساعت"),  # Afghanistan's Solar Hijri months have other names: Gregorian
    ("th", "May 20, 2014"),  # no Thai catalog: English labels, so an English date (the Buddhist era: below)
    ("ar", "20 مايو 2014"),
])
def test_dates_are_in_the_calendar_the_languages_press_uses(lang: str, dateline: str) -> None:
    # Babel formats only the Gregorian calendar: an Iranian reader's dates were "۲۰ مهٔ ۲۰۱۴"
    text = render("breaking", _edition(SEED, lang)).text
    assert dateline in text, [line for line in text.splitlines() if "2014" in line or "۲۰۱۴" in line or "139" in line]


def test_the_edition_date_is_in_its_calendar_too() -> None:
    # formatted in the language itself (as with a catalog for it, from template_dirs): Thailand's
    # Buddhist era is the Gregorian year plus 543
    from datetime import date

    from mailkit._compose import format_date

    days = {lang: (format_date({"lang": lang}, date(2026, 11, 28)), format_date({"lang": lang}, date(2026, 11, 28), "short"))
            for lang in ("fa", "th", "en", "de")}
    assert days == {"fa": ("شنبه ۷ آذر ۱۴۰۵", "شنبه ۷ آذر"), "th": ("วันเสาร์ที่ 28 พฤศจิกายน พ.ศ. 2569", "วันเสาร์ที่ 28 พฤศจิกายน"),
                    "en": ("Saturday, November 28, 2026", "Saturday, November 28"),
                    "de": ("Samstag, 28. November 2026", "Sa., 28. November")}


def test_counts_are_written_with_the_languages_own_digits() -> None:
    from mailkit._i18n import _number

    assert [_number(1234567, lang) for lang in ("en", "de", "fa", "fa-u-nu-latn", "ar-EG", "bn")] == [
        "1,234,567", "1.234.567", "۱٬۲۳۴٬۵۶۷", "1,234,567", "١٬٢٣٤٬٥٦٧", "১২,৩৪,৫৬৭"]
    fa = render("digest", _edition(DIGEST, "fa")).text
    assert "خبر" in fa and not re.search(r"[0-9]+ خبر", fa) and re.search(r"[۰-۹]+ خبر", fa)


def test_plurals_follow_each_language() -> None:
    ar = labels("ar", [TEMPLATES_DIR]).translations
    assert [ar.ngettext("%(count)s story", "%(count)s stories", n) for n in (1, 2, 5, 11, 100)] == [
        "خبر واحد", "خبران", "%(count)s أخبار", "%(count)s خبرًا", "%(count)s خبر"]
    digest = render("digest", DIGEST)
    assert re.search(r"\b\d+ stories\b", digest.text)
    one = _edition(FIXTURES_DIR / "digest-single-story.yaml", "en")
    assert "1 story" in render("digest", one).text


@pytest.mark.parametrize(("lang", "catalog"), [
    ("pt-BR", "pt"), ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("fr-CA", "fr"), ("de-AT", "de"),
])
def test_a_region_variant_falls_back_to_its_language(lang: str, catalog: str) -> None:
    assert catalog in catalog_locales(lang)
    email = render("breaking", _edition(SEED, lang))
    assert not email.warnings or all("catalog" not in w for w in email.warnings)
    assert "BREAKING NEWS" not in email.text


@pytest.mark.parametrize("lang", ["sw", "zh-Hant", "zh-TW", "ko"])
def test_a_language_without_a_catalog_is_english_with_a_warning(lang: str) -> None:
    # zh-Hant never gets the Simplified catalog: English, and a warning naming the language
    email = render("breaking", _edition(SEED, lang))
    assert "BREAKING NEWS" in email.text
    assert f"lang: no message catalog for language {lang!r}: its labels are in English" in email.warnings


def test_renders_in_several_languages_at_once_do_not_mix() -> None:
    langs = ["fr", "ja", "ar", "de"] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        emails = list(pool.map(lambda lang: render("breaking", _edition(SEED, lang)), langs))
    band = {"fr": "ALERTE INFO", "ja": "速報", "ar": "عاجل", "de": "EILMELDUNG"}
    for lang, email in zip(langs, emails, strict=True):
        assert band[lang] in email.text
        assert not [other for other in band.values() if other != band[lang] and other in email.text], lang


def test_a_story_in_another_language_gets_its_own_labels() -> None:
    data = _edition(DIGEST, "en")
    data["articles"][0]["language"] = "fr"
    email = render("digest", data)
    assert "Lire l’article complet" in email.text and "Unsubscribe" in email.text


def test_an_authors_catalog_is_found_and_overrides(tmp_path: Path) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="fr", domain="messages")
    catalog.add("Unsubscribe", "Ne plus recevoir cette lettre")
    catalog.add("Weather alert", "Alerte météo")
    folder = tmp_path / "locales" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    (tmp_path / "weather.mjml.j2").write_text(
        '{% extends "layouts/base.mjml.j2" %}{% import "partials/components.mjml.j2" as ui with context %}'
        '{% block band %}{{ ui.band(_("Weather alert")) }}{% endblock %}'
        '{% block content %}{{ ui.story(article, _("Weather alert"), _("Read the full story")) }}{% endblock %}',
        encoding="utf-8")
    email = render("weather", _edition(SEED, "fr"), RenderOptions(template_dirs=(tmp_path,)))
    assert "Alerte météo" in email.text and "Ne plus recevoir cette lettre" in email.text
    assert "Lire l’article complet" in email.text  # the packaged catalog fills in


def test_links_heading_in_the_text_part() -> None:
    assert "\nLiens\u00a0:\n" in render("breaking", _edition(SEED, "fr")).text
    assert "\nLinks:\n" in render("breaking", SEED).text


@pytest.mark.parametrize("fixture", ["breaking-japanese", "breaking-chinese"])
def test_chinese_and_japanese_text_wraps_by_columns_and_kinsoku(fixture: str) -> None:
    # a CJK character takes two columns in a terminal and words have no spaces between them:
    # before, a Japanese paragraph was one line of 200 columns
    from mailkit._text import columns

    text = render("breaking", FIXTURES_DIR / f"{fixture}.yaml").text
    for line in text.splitlines():
        assert columns(line) <= 78 or re.fullmatch(r"(?:https?://|mailto:)\S+", line), line
        assert not line.startswith(("。", "、", "，", "」", "）", "ー")), line  # kinsoku: no closing mark first
    assert max(columns(line) for line in text.splitlines() if not line.startswith("http")) > 70  # lines are filled


def test_updated_the_same_day_where_the_reader_is_shows_the_time_only() -> None:
    # published 22:15 and updated 00:02 in Tokyo are the same day in London (the brand's zone)
    assert "更新：16:02 BST" in render("breaking", FIXTURES_DIR / "breaking-japanese.yaml").text


def test_an_author_translates_a_scaffolded_template_with_pybabel(tmp_path: Path) -> None:
    # the README's workflow, end to end: new-template, extract, init, translate, compile, render
    import subprocess
    import sys

    from click.testing import CliRunner

    from mailkit._cli import main

    assert CliRunner().invoke(main, ["new-template", "storm-watch", "--root", str(tmp_path)]).exit_code == 0
    templates = tmp_path / "templates"
    pybabel = str(Path(sys.executable).parent / "pybabel")

    def run(*args: str) -> None:
        subprocess.run([pybabel, "-q", *args], cwd=templates, check=True, capture_output=True)

    run("extract", "-F", "locales/babel.cfg", "-o", "locales/messages.pot", ".")
    run("init", "-i", "locales/messages.pot", "-d", "locales", "-l", "fr")
    po = templates / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    assert "STORM WATCH" in catalog and "Read the full story" in catalog
    catalog["STORM WATCH"].string = "ALERTE TEMPÊTE"
    from babel.messages.pofile import write_po

    with po.open("wb") as f:
        write_po(f, catalog)
    run("compile", "-d", "locales")
    fixture = _edition(tmp_path / "fixtures" / "storm-watch-example.yaml", "fr")
    email = render("storm-watch", fixture, RenderOptions(template_dirs=(templates,)))
    assert "ALERTE TEMPÊTE" in email.text
    assert "Lire l’article complet" in email.text  # not translated by the author: mailkit's catalog


def test_script_fonts_only_where_the_email_holds_that_script() -> None:
    # named in every inline style, the Arabic, Hebrew and Devanagari fonts cost
    # about 7 KB on the forty-story digest and pushed it over Gmail's clip
    from mailkit._i18n import script_font_stack

    assert script_font_stack("Georgia, serif", ["en", "fr"]) == "Georgia, serif"
    assert script_font_stack("Georgia, serif", ["en", "ar", "he"]) == \
        "Georgia, 'Noto Naskh Arabic', Tahoma, 'Noto Serif Hebrew', serif"
    assert script_font_stack("Arial, sans-serif", ["hi-IN"]) == "Arial, 'Noto Sans Devanagari', 'Nirmala UI', sans-serif"
    english = render("digest", FIXTURES_DIR / "digest-forty-stories.yaml")
    assert "Noto" not in english.html and not any("clip" in w for w in english.warnings)
    mixed = render("digest", FIXTURES_DIR / "digest-languages-and-images.yaml")
    assert "'Noto Sans Arabic'" in mixed.html and "'Noto Sans Hebrew'" in mixed.html and "Devanagari" not in mixed.html
