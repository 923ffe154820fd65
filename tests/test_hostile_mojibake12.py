"""Mojibake: UTF-8 text that a CMS or a wire decoded as CP1252/Latin-1 (``donâ€™t``, ``CafÃ©``).

It reached the HTML and the text part of every email and nobody was told. Every
text field and body of an edition is now repaired where the models read it
(ftfy's encoding repair only: no quote uncurling, no entities, no normalisation),
with one ``mojibake-repaired`` warning per field showing the first repair. Real
text in any language stays byte-identical; markup and URLs are never rewritten,
and neither is text inside a body's <code>/<pre> (a tech story quoting mojibake).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def _data(**article: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for key, value in article.items():
        if key in ("caption", "credit"):
            data["articles"][0]["image"][key] = value
        else:
            data["articles"][0][key] = value
    return data


def _mojibake(email: mailkit.RenderedEmail) -> dict[str | None, str]:
    return {w.field: str(w) for w in email.warnings if w.code == "mojibake-repaired"}


# field -> (what the CMS sent, what readers must see)
REPAIRED = {
    "headline": ("Officials say they donâ€™t know", "Officials say they don’t know"),
    "dek": ("The CafÃ© on the corner closed Ã¼ber quickly", "The Café on the corner closed über quickly"),
    "caption": ("â€œQuotedâ€\x9d in a caption", "“Quoted” in a caption"),
    "credit": ("JosÃ© MÃ¼ller / Reuters", "José Müller / Reuters"),
    "dateline": ("SÃ£o Paulo", "São Paulo"),
}


@pytest.mark.parametrize("field", list(REPAIRED))
def test_mojibake_in_a_field_is_repaired_with_one_warning_naming_it(field: str) -> None:
    bad, good = REPAIRED[field]
    email = mailkit.render("breaking", _data(**{field: bad}))
    assert bad not in email.html and bad not in email.text
    assert good in email.html.replace("&#8217;", "’") or good in email.text
    path = f"articles[0].image.{field}" if field in ("caption", "credit") else f"articles[0].{field}"
    found = _mojibake(email)
    assert list(found) == [path]
    assert found[path].startswith(f"{path}: repaired text decoded twice (mojibake): ")


def test_the_warning_shows_the_first_repair_word() -> None:
    email = mailkit.render("breaking", _data(headline="Officials say they donâ€™t know, CafÃ© says"))
    assert _mojibake(email) == {"articles[0].headline": "articles[0].headline: repaired text decoded twice "
                                "(mojibake): 'donâ€™t' -> 'don’t'"}


def test_the_model_holds_the_repaired_text() -> None:
    edition = mailkit.load_edition(_data(headline="Officials say they donâ€™t know"))
    assert edition.articles[0].headline == "Officials say they don’t know"


def test_nbsp_decoded_twice_is_repaired() -> None:
    email = mailkit.render("breaking", _data(dek="It costs 5Â\u00a0dollars"))
    assert "5\u00a0dollars" in email.text or "5 dollars" in email.text
    assert "Â" not in email.text


def test_body_text_nodes_are_repaired_markup_and_urls_are_not() -> None:
    body = ('<p>They donâ€™t agree. <a href="https://news.example/caf%C3%A9?q=Ã©">The CafÃ©</a> '
            '<img src="https://news.example/Ã¼.jpg" alt="A photo"></p>')
    email = mailkit.render("breaking", _data(body=body))
    assert "don’t" in email.text and "The Café" in email.text
    assert "donâ€" not in email.html and "CafÃ©" not in email.html
    assert "q=%C3%83%C2%A9" in email.html or "q=Ã©" in email.html  # the URL as the CMS gave it
    assert list(_mojibake(email)) == ["articles[0].body"]


def test_code_in_a_body_keeps_its_quoted_mojibake() -> None:
    # a tech story about mojibake quotes it on purpose: <code> and <pre> are left alone
    body = "<p>The bug showed <code>donâ€™t</code> instead of the apostrophe.</p><pre>CafÃ©</pre>"
    email = mailkit.render("breaking", _data(body=body))
    assert "donâ€™t" in email.text and "CafÃ©" in email.text
    assert _mojibake(email) == {}


def test_one_warning_per_field_even_with_many_repairs() -> None:
    body = "".join(f"<p>Paragraph {i}: they donâ€™t.</p>" for i in range(50))
    email = mailkit.render("breaking", _data(body=body, headline="CafÃ© owners donâ€™t agree"))
    found = _mojibake(email)
    assert sorted(found) == ["articles[0].body", "articles[0].headline"]
    assert "'CafÃ©' -> 'Café'" in found["articles[0].headline"]


def test_newsletter_and_section_fields_are_repaired() -> None:
    data = copy.deepcopy(BASE)
    data["newsletter"]["footer"]["postal_address"] = "1 Rue du CafÃ©, Paris"
    data["editor_note"] = "We donâ€™t stop."
    edition = mailkit.load_edition(data)
    assert edition.newsletter.footer.postal_address == "1 Rue du Café, Paris"
    assert edition.editor_note == "We don’t stop."


# Real text that must stay byte-identical: ftfy must not "repair" any of it.
LEGITIMATE = [
    "São Paulo e Brasília: ações caem após decisão",  # Portuguese
    "Thủ tướng Việt Nam phát biểu tại Hà Nội",  # Vietnamese
    "Þór Guðmundsson í Reykjavík",  # Icelandic
    "Müller, Größe, Äpfel, Öl, Übermaß",  # German
    "İstanbul'da çığ düştü, Şişli ğüşıöç",  # Turkish
    "Η Αθήνα ψηφίζει σήμερα",  # Greek
    "Москва объявила о переговорах",  # Russian
    "القاهرة تعلن عن اتفاق جديد",  # Arabic
    "北京宣布新措施 東京 서울",  # CJK
    "Emoji 🎉👍🏽 and flags 🇧🇷",
    "Français : « café » à 5 € — déjà vu, naïve, Noël",
    "Ângela Âmbar Â",  # Portuguese capitals with a circumflex
    "Ça va ? À bientôt, Ève",
    "¿Qué? ¡Sí! Ñandú, año",
    "Æsir Øresund Å Åland",
    "curly “quotes” and ‘single’ – dashes … ellipsis",
    "&amp; stays &amp; and ﬁ stays ﬁ and ＡＢＣ stays",
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_real_text_in_many_languages_stays_byte_identical(text: str) -> None:
    edition = mailkit.load_edition(_data(headline=text, dek=text, body=f"<p>{text}</p>"))
    article = edition.articles[0]
    assert article.headline == text and article.dek == text and article.body == f"<p>{text}</p>"


def test_french_no_break_spaces_in_a_body_stay() -> None:
    # "é" then U+00A0 looks like the first two bytes of a UTF-8 sequence decoded twice
    body = "<p>Un café\u00a0! «\u00a0Déjà\u00a0» coûte 5\u00a0€ à Noël\u00a0; ça\u00a0va\u00a0?</p>"
    assert mailkit.load_edition(_data(body=body)).articles[0].body == body


@pytest.mark.parametrize("text", LEGITIMATE)
def test_real_text_gives_no_warning(text: str) -> None:
    email = mailkit.render("breaking", _data(headline=text))
    assert _mojibake(email) == {}


def test_every_fixture_has_no_mojibake_warning() -> None:
    for path in sorted(FIXTURES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "articles" not in data:
            continue
        template = (data.get("templates") or ["breaking"])[0]
        email = mailkit.render(template, path)
        assert _mojibake(email) == {}, path.name


RSS = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
       '<link>https://news.example/</link><item><title>Officials donâ€™t know</title>'
       '<link>https://news.example/1</link><guid>g1</guid><pubDate>Tue, 20 May 2014 09:15:00 -0400</pubDate>'
       '<description>The CafÃ© closed. They donâ€™t say why.</description></item></channel></rss>')


def test_a_feed_entry_with_mojibake_is_repaired() -> None:
    found: list[Any] = []
    edition = mailkit.from_feed(RSS.encode("utf-8"), newsletter=FIXTURES / "feeds" / "newsletter.yaml",
                                on_warning=found.append)
    # said at import too: `mailkit import` writes the repaired text, and its render has nothing left to say
    assert {w.field for w in found if w.code == "mojibake-repaired"} >= {"articles[0].headline"}
    story = edition.articles[0]
    assert story.headline == "Officials don’t know"
    assert "CafÃ©" not in (story.dek or "") + story.body and "donâ€" not in (story.dek or "") + story.body
    email = mailkit.render("digest", edition)
    assert "articles[0].headline" in _mojibake(email)
    assert "donâ€" not in email.text and "don’t" in email.text


def test_the_guard_matches_every_character_decoded_twice() -> None:
    # the cheap check in front of ftfy must let through every mojibake ftfy could repair:
    # any non-ASCII character of these scripts, its UTF-8 read as CP1252 (or Latin-1)
    from mailkit._mojibake import _SUSPECT, suspect

    sample = "éüßñçøÅÞðœ€’“”—…•™Ωπжщ中文日本語한국어ไทยالعربيةעבריתहिन्दी🎉👍🏽\u00a0"
    for ch in sample:
        raw = ch.encode("utf-8")
        for codec in ("cp1252", "latin-1"):
            bad = raw.decode(codec, errors="replace")
            assert _SUSPECT.search(bad) and suspect(bad), (ch, codec)


def test_clean_text_never_reaches_ftfy() -> None:
    from unittest.mock import patch

    from mailkit import _mojibake

    with patch.object(_mojibake, "_fix", side_effect=AssertionError("ftfy called on clean text")):
        for path in sorted(FIXTURES.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "articles" in data:
                mailkit.load_edition(path)


def test_a_circumflex_before_an_ordinary_space_is_left() -> None:
    # ftfy (6.3) repairs "5Â\u00a0dollars" but not "5Â dollars": a CMS that also turned the
    # no-break space into a space left nothing ftfy can tell from a letter "Â" before a space
    edition = mailkit.load_edition(_data(dek="It costs 5Â dollars"))
    assert edition.articles[0].dek == "It costs 5Â dollars"


def test_a_lost_closing_quote_becomes_a_replacement_character() -> None:
    # "â€" then U+FFFD: CP1252 has no character for the byte 0x9D, so the quote is lost upstream
    edition = mailkit.load_edition(_data(dek="â€œQuotedâ€\ufffd he said"))
    assert edition.articles[0].dek == "“Quoted\ufffd he said"


def test_the_warning_stays_short_for_a_long_word() -> None:
    body = "<p>" + "Ã©" * 50_000 + "</p>"
    email = mailkit.render("breaking", _data(body=body))
    (warning,) = _mojibake(email).values()
    assert len(warning) < 200
    assert email.text.count("é") >= 50_000


def test_a_readers_name_is_repaired() -> None:
    assert mailkit.Recipient(email="a@example.org", first_name="JosÃ©").first_name == "José"
    assert mailkit.Recipient(email="a@example.org", first_name="Þór").first_name == "Þór"
