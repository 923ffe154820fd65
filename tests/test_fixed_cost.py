"""The fixed cost of a small render (issue #17, session 9): the render's glue and the
compose stage's machinery do less per render, and give the same bytes (the snapshot
tests hold every byte of every template x fixture; these hold the shortcuts to the
long way they replace)."""

from __future__ import annotations

from pathlib import Path

import pytest

import mailkit
import mailkit._personalize
from mailkit._personalize import PreparedEmail

FIXTURES = Path(__file__).parent.parent / "fixtures"
BREAKING = FIXTURES / "breaking-china-cyberspying.yaml"
DIGEST = FIXTURES / "digest-morning-briefing.yaml"


# ---------------------------------------------------------------- the render's glue


def test_a_render_without_a_reader_fills_the_prepared_email_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # the deliverability checks read the newsletter's own email (no reader); a render
    # without a reader returns that one, with the warnings, not a second fill of a copy
    calls: list[object] = []
    personalize = PreparedEmail.personalize

    def counted(self: PreparedEmail, recipient: mailkit.Recipient | None = None) -> mailkit.RenderedEmail:
        calls.append(recipient)
        return personalize(self, recipient)

    renderer = mailkit.Renderer()
    renderer.render("breaking", BREAKING)
    monkeypatch.setattr(PreparedEmail, "personalize", counted)
    renderer.render("breaking", BREAKING)
    assert calls == [None]
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana")
    renderer.render("breaking", BREAKING, reader)
    assert calls == [None, None, reader]


@pytest.mark.parametrize(("template", "fixture", "options"), [
    ("breaking", BREAKING, {}),
    ("digest", DIGEST, {}),
    ("digest", DIGEST, {"strict": False, "max_body_chars": 200, "theme": "harbor-ledger"}),
])
def test_a_render_without_a_reader_is_the_prepared_email_for_no_reader(template: str, fixture: Path,
                                                                       options: dict[str, object]) -> None:
    renderer = mailkit.Renderer(**options)  # type: ignore[arg-type]
    email = renderer.render(template, fixture)
    prepared = renderer.prepare(template, fixture)
    long_way = prepared.personalize(None)
    assert email == long_way
    assert email.warnings == prepared.warnings == long_way.warnings
    assert [w.code for w in email.warnings] == [w.code for w in long_way.warnings]
    assert email.mjml == long_way.mjml
    assert email.html_parts is not None and long_way.html_parts is not None
    assert email.html_parts[1] == long_way.html_parts[1]
    # a reader's email is the prepared email's, with the warnings
    reader = mailkit.Recipient(email="ana@example.org", first_name="Ana", link_params={"rid": "7"})
    assert renderer.render(template, fixture, reader) == prepared.personalize(reader)
