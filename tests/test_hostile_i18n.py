"""Hostile and broken input around translation: values in translated sentences,
translators' catalogs, language tags. Each case renders safely or fails with a
named MailkitError naming the catalog and the message.
"""

from __future__ import annotations

import copy
from pathlib import Path

import lxml.html
import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from conftest import SEED

import mailkit
from mailkit._i18n import catalog_locales

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def edition(lang: str, **changes: object) -> dict:
    data = copy.deepcopy(BASE)
    data["language"] = lang
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        target[last] = value
    return data


def scripts(html: str) -> list[str]:
    root = lxml.html.document_fromstring(html)
    return [el.tag for el in root.iter("script", "iframe", "object") if isinstance(el.tag, str)]


def catalog_folder(root: Path, lang: str, entries: dict, raw: bytes | None = None) -> Path:
    folder = root / "locales" / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    if raw is not None:
        (folder / "messages.mo").write_bytes(raw)
        return root
    catalog = Catalog(locale=lang, domain="messages")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    with (folder / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return root


@pytest.mark.parametrize("lang", ["fr", "ar", "ja"])
@pytest.mark.parametrize("name", [
    "</mj-text><mj-raw><script>alert(1)</script></mj-raw>",
    "%(names)s %(place)s %s %%",  # printf syntax in a value is text, never a format
    "{{ 7*7 }} {% trans %}x{% endtrans %}",
])
def test_a_value_in_a_translated_sentence_is_text(name: str, lang: str) -> None:
    # the byline ("By %(names)s"), the endnote ("%(name)s reported from %(place)s."),
    # the footer ("You’re receiving %(newsletter)s ...") all take a hostile value
    data = edition(lang)
    data["articles"][0]["authors"] = [{"name": name, "reported_from": name}]
    data["newsletter"]["name"] = name.replace("<", "‹")  # the sender name is a header: validated elsewhere
    email = mailkit.render("breaking", data)
    assert scripts(email.html) == []
    assert name in email.text  # shown as written, nothing formatted or run
    assert "49" not in email.text.split(name)[0][-5:]


def test_a_translation_with_markup_is_text(tmp_path: Path) -> None:
    folder = catalog_folder(tmp_path, "fr", {"Unsubscribe": "<script>alert(1)</script>Se désinscrire",
                                             "By %(names)s": "<b>Par</b> %(names)s"})
    email = mailkit.render("breaking", edition("fr"), mailkit.RenderOptions(template_dirs=(folder,)))
    assert scripts(email.html) == [] and "<b>Par</b>" not in email.html
    assert "<script>alert(1)</script>Se désinscrire" in email.text and "<b>Par</b> M. Alex Johnson" in email.text


@pytest.mark.parametrize(("translation", "expect"), [
    ("Par %(nmes)s", "KeyError"),  # a translator's typo in a placeholder name
    ("Par %(names)", "at position 4, only %(name)s placeholders"),  # a cut placeholder
    ("Par %(names)d", "at position 4, only %(name)s placeholders"),  # a number format for text
])
def test_a_translation_with_a_wrong_placeholder_is_a_catalog_error(tmp_path: Path, translation: str,
                                                                   expect: str) -> None:
    folder = catalog_folder(tmp_path, "fr", {"By %(names)s": translation})
    with pytest.raises(mailkit.CatalogError) as info:
        mailkit.render("breaking", edition("fr"), mailkit.RenderOptions(template_dirs=(folder,)))
    message = str(info.value)
    assert "locales/fr/LC_MESSAGES/messages.mo" in message and "'By %(names)s'" in message and expect in message
    assert isinstance(info.value, mailkit.TemplateError)


@pytest.mark.parametrize("raw", [b"", b"\xde\x12\x04\x95" + b"\xff" * 40, b"msgid \"x\"\nmsgstr \"y\"\n"],
                         ids=["empty", "truncated", "a-po-file-named-mo"])
def test_a_broken_catalog_file_is_a_catalog_error(tmp_path: Path, raw: bytes) -> None:
    folder = catalog_folder(tmp_path, "fr", {}, raw=raw)
    with pytest.raises(mailkit.CatalogError, match=r"locales/fr/LC_MESSAGES/messages\.mo: not a compiled message"):
        mailkit.render("breaking", edition("fr"), mailkit.RenderOptions(template_dirs=(folder,)))


def test_a_broken_catalog_for_a_story_language_is_a_catalog_error(tmp_path: Path) -> None:
    # a story's own language is loaded while the template renders: the same named error, not a TemplateError wrapper
    folder = catalog_folder(tmp_path, "de", {}, raw=b"broken")
    data = yaml.safe_load((SEED.parent / "digest-morning-briefing.yaml").read_text(encoding="utf-8"))
    data["articles"][0]["language"] = "de"
    with pytest.raises(mailkit.CatalogError, match=r"locales/de/LC_MESSAGES/messages\.mo"):
        mailkit.render("digest", data, mailkit.RenderOptions(template_dirs=(folder,)))


@pytest.mark.parametrize("tag", ["../../etc", "fr/../../x", "..", "fr\x00", "", "a" * 300])
def test_a_language_tag_never_names_a_folder_outside_the_catalogs(tag: str) -> None:
    assert all(part.replace("_", "").isalnum() for part in catalog_locales(tag))


def test_a_story_language_without_a_catalog_is_named_in_a_warning() -> None:
    data = yaml.safe_load((SEED.parent / "digest-morning-briefing.yaml").read_text(encoding="utf-8"))
    data["sections"][0]["articles"][0]["language"] = "sw"
    email = mailkit.render("digest", data)
    assert "sections[0].articles[0].language: no message catalog for language 'sw': its labels are in English" in email.warnings
