"""Every template x fixture of this project: snapshots and checks (the mailkit pytest plugin).

`mailkit_pair` is parametrised over every pair in templates/ and fixtures/;
`mailkit_snapshot` compares the .mjml, .html, .txt and .yml under tests/test_templates/.
"""

from mailkit._checks import run_checks


def test_snapshot(mailkit_pair, mailkit_snapshot):
    mailkit_snapshot(*mailkit_pair)


def test_checks_pass(mailkit_pair, mailkit_render):
    email = mailkit_render(*mailkit_pair)
    assert [f"{r.name}: {r.detail}" for r in run_checks(email) if not r.ok] == []
