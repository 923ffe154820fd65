"""Models and fixture loading: validation, field paths, file formats, schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, SEED, fixture_files

import mailkit
from mailkit._fixtures import edition_schema, load_edition, theme_schema


def seed_data() -> dict:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_every_fixture_loads(path: Path) -> None:
    edition = load_edition(path)
    assert edition.templates, "a fixture names the templates it is meant for"


def test_seed_fixture_is_faithful_to_the_seed() -> None:
    seed = (FIXTURES.parent.parent / "shared" / "seeds" / "000_b9fc330efc646867.txt")
    edition = load_edition(SEED)
    article = edition.lead
    assert article.headline == "China Summons Envoy, Suspends Security Deal in Cyberspying Spat"
    assert article.image and article.image.credit == "Lintao Zhang / Getty Images, file"
    assert edition.newsletter.name == "Breaking News Emails"
    if seed.exists():  # the seed lives beside the repository, in shared/
        text = " ".join(seed.read_text(encoding="utf-8").split())
        for chunk in article.body.split("</p>"):
            para = " ".join(chunk.replace("<p>", "").split())
            if para:
                assert para in text


def test_loads_from_json_yaml_and_dict(tmp_path: Path) -> None:
    data = seed_data()
    as_json = tmp_path / "seed.json"
    as_json.write_text(json.dumps(data, default=str), encoding="utf-8")
    a = load_edition(SEED)
    b = load_edition(as_json)
    c = load_edition(data)
    assert a == b == c


def test_error_names_file_and_field_path(tmp_path: Path) -> None:
    data = seed_data()
    data["articles"] = [copy.deepcopy(data["articles"][0]) for _ in range(3)]
    data["articles"][2]["image"]["src"] = "not a url"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(mailkit.InvalidFixtureError) as info:
        load_edition(path)
    assert str(info.value).startswith(f"{path}: articles[2].image.src: ")
    assert "URL" in str(info.value)
    assert info.value.errors[0][0] == "articles[2].image.src"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d["articles"][0].pop("headline"), "articles[0].headline", "required field missing"),
        (lambda d: d["articles"][0].update(headlin="x"), "articles[0].headlin", "unknown field"),
        (lambda d: d["articles"][0].update(published_at="2014-05-20T09:15:00"), "articles[0].published_at", "timezone"),
        (lambda d: d["newsletter"]["footer"].update(unsubscribe_url="javascript:alert(1)"),
         "newsletter.footer.unsubscribe_url", "scheme 'javascript' not allowed"),
        (lambda d: d["articles"][0]["image"].update(width=-1), "articles[0].image.width", "greater than 0"),
        (lambda d: d.update(articles=[]), "articles", "at least 1"),
    ],
)
def test_invalid_fields(change, path: str, message: str) -> None:  # type: ignore[no-untyped-def]
    data = seed_data()
    change(data)
    with pytest.raises(mailkit.InvalidFixtureError) as info:
        load_edition(data)
    assert f"{path}: " in str(info.value)
    assert message.lower() in str(info.value).lower()


def test_relative_urls_resolve_against_article_and_newsletter() -> None:
    data = seed_data()
    data["articles"][0]["url"] = "/news/world/story-n1"
    data["articles"][0]["image"]["src"] = "images/a.jpg"
    edition = load_edition(data)
    assert edition.lead.url == "https://www.nbcnews.com/news/world/story-n1"
    assert edition.lead.image is not None
    assert edition.lead.image.src == "https://www.nbcnews.com/news/world/images/a.jpg"


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("newsletter:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"broken.yaml: YAML syntax error at line \d+"):
        load_edition(path)


def test_unknown_theme_is_named() -> None:
    data = seed_data()
    data["newsletter"]["brand"] = "no-such-theme"
    with pytest.raises(mailkit.InvalidFixtureError, match=r"newsletter\.brand: no theme named 'no-such-theme'"):
        load_edition(data)


def test_published_schemas_are_current() -> None:
    assert json.loads((FIXTURES / "schema.json").read_text(encoding="utf-8")) == edition_schema()
    assert json.loads((FIXTURES / "theme.schema.json").read_text(encoding="utf-8")) == theme_schema()


def test_direction_follows_language() -> None:
    assert load_edition(FIXTURES / "breaking-arabic-rtl.yaml").dir == "rtl"
    assert load_edition(SEED).dir == "ltr"


def test_models_keep_pydantic_core_nested_validation() -> None:
    # mailkit._models wraps __init__ to raise InvalidFixtureError and marks the
    # wrapper as pydantic's own, so pydantic-core keeps validating nested models
    # itself (with full field paths). If pydantic stops reading the marker,
    # this fails rather than nested errors silently losing their paths.
    for model in (mailkit.Article, mailkit.Edition, mailkit.Recipient, mailkit.Image):
        assert model.__pydantic_custom_init__ is False, model
    with pytest.raises(mailkit.InvalidFixtureError, match=r"^Section: articles\[0\]\.image\.width: ") as info:
        mailkit.Section(title="World", articles=[{"headline": "H", "url": "https://example.org/a",
                                                  "published_at": "2014-05-20T10:00:00Z",
                                                  "image": {"src": "https://example.org/i.jpg", "alt": "", "width": 0,
                                                            "height": 10}}])
    assert info.value.errors == [("articles[0].image.width", "Input should be greater than 0")]


# -- addresses: the plain ones are checked without email-validator -------------------------

_ATOM = "abcdefghijklmnopqrstuvwxyz0123456789_+-"
_LABEL = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _address_parts() -> object:
    from hypothesis import strategies as st

    atoms = st.text(alphabet=_ATOM + "AZ.!#", min_size=1, max_size=70)
    labels = st.text(alphabet=_LABEL + "A", min_size=1, max_size=66)
    tlds = st.one_of(st.sampled_from(["com", "org", "test", "local", "onion", "arpa", "invalid", "localhost", "x",
                                      "museum", "xn--p1ai", "c0m"]), st.text(alphabet="abz9-", min_size=1, max_size=64))
    return st.tuples(atoms, st.lists(labels, min_size=0, max_size=5), tlds).map(
        lambda p: f"{p[0]}@{'.'.join([*p[1], p[2]])}")


def test_a_plain_address_is_what_email_validator_makes_of_it() -> None:
    """Every address mailkit accepts without email-validator (lowercase ASCII, no Punycode,
    no special-use domain) is one email-validator accepts and returns unchanged."""
    from email_validator import validate_email
    from hypothesis import given, settings

    from mailkit._models import _PLAIN_ADDRESS, ascii_address

    @settings(max_examples=1500, deadline=None)
    @given(_address_parts())
    def check(address: str) -> None:
        fast = _PLAIN_ADDRESS.fullmatch(address) is not None and len(address) <= 254
        try:
            expected = validate_email(address, check_deliverability=False, allow_smtputf8=False,
                                      allow_display_name=False, allow_quoted_local=False,
                                      allow_domain_literal=False).ascii_email
        except ValueError:
            expected = None
        ascii_address.cache_clear()
        try:
            ours = ascii_address(address)
        except ValueError:
            ours = None
        assert ours == expected, address
        if fast and address.rpartition(".")[2] not in {"arpa", "invalid", "local", "localhost", "onion", "test"}:
            assert expected == address

    check()
    for address in ["ana@example.org", "a.b+c_d-e@news.example.co.uk", "x@a-b.io", f"{'a' * 64}@example.org",
                    f"a@{'b' * 63}.com"]:
        assert _PLAIN_ADDRESS.fullmatch(address), address
    for address in ["Ana@example.org", "ana@Example.org", "ana@xn--80ak6aa92e.com", "ana@ab--cd.com", "ana@example.test",
                    "ana@localhost", "a..b@example.org", ".a@example.org", f"{'a' * 65}@example.org",
                    f"a@{'b' * 64}.com", "ana@-example.org", "ana@example-.org", "ana@example.c0m", "ana@example.org\n",
                    "Ana <ana@example.org>", "ana@[127.0.0.1]", "\"ana\"@example.org", "ana@example.org."]:
        assert not _PLAIN_ADDRESS.fullmatch(address) or address.rpartition(".")[2] == "test", address


def test_the_special_use_names_are_email_validators() -> None:
    import email_validator

    from mailkit._models import _SPECIAL_USE_TLDS

    assert set(email_validator.SPECIAL_USE_DOMAIN_NAMES) == _SPECIAL_USE_TLDS
    assert all("." not in name for name in _SPECIAL_USE_TLDS)  # a suffix check of the last label suffices


def test_a_cli_render_of_plain_addresses_loads_no_email_validator(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """email-validator compiles about 13 ms of patterns at import; a fixture whose
    addresses are all plain (the seed's sender, reply-to and unsubscribe mailto) needs none."""
    import json
    import subprocess
    import sys

    probe = ("import sys, json, runpy, atexit\n"  # printed at exit: the command's process ends at once
             "atexit.register(lambda: print(json.dumps(sorted(sys.modules))))\n"
             f"sys.argv = ['mailkit', 'render', 'breaking', 'fixtures/breaking-china-cyberspying.yaml', '-o', {str(tmp_path)!r}]\n"
             "try:\n    runpy.run_module('mailkit', run_name='__main__', alter_sys=True)\n"
             "except SystemExit as e:\n    assert not e.code, e.code\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "email_validator" not in json.loads(out.splitlines()[-1])
    assert (tmp_path / "breaking--breaking-china-cyberspying.html").exists()
    # an address that is not plain still goes through email-validator, with its reason
    data = yaml.safe_load(Path("fixtures/breaking-china-cyberspying.yaml").read_text(encoding="utf-8"))
    data["newsletter"]["sender"]["address"] = "ana@example..org"
    with pytest.raises(mailkit.InvalidFixtureError, match=r"newsletter\.sender\.address: .*not a plain address"):
        mailkit.load_edition(data)
