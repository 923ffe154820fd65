"""Golden files for every feed fixture (fixtures/feeds/) rendered as a digest.

Like tests/test_snapshots.py: regenerate on purpose with ``--force-regen``,
read the diff, and commit it saying why. Each feed is imported with the
newsletter beside it, so these pin the import (mapping, merging, order) and
the render together.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import mailkit
from mailkit.pytest_plugin import check_snapshot

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


def feed_files() -> list[Path]:
    return sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".json"))


def newsletter_for(feed: Path) -> Path:
    own = FEEDS / f"newsletter-{feed.stem.split('-')[0]}.yaml"  # arabic-rss.xml -> newsletter-arabic.yaml
    return own if own.is_file() else FEEDS / "newsletter.yaml"


@pytest.mark.parametrize("feed", feed_files(), ids=lambda p: p.name)
def test_feed_as_digest(feed: Path, file_regression, data_regression) -> None:  # type: ignore[no-untyped-def]
    warnings: list[str] = []
    edition = mailkit.from_feed(feed, newsletter=newsletter_for(feed), on_warning=warnings.append)
    email = mailkit.render("digest", edition)
    check_snapshot(email, f"digest--feed-{feed.stem}", file_regression, data_regression)
    # what the import skipped or dropped is pinned too: the render's own warnings
    # (in the .yml above) never say that a feed entry was left out
    # (file paths relative to the checkout, so that every clone writes the same file)
    root = f"{FEEDS.parent.parent}/"
    data_regression.check({"import_warnings": [w.replace(root, "") for w in warnings]},
                          basename=f"digest--feed-{feed.stem}--import")


def test_every_kind_of_feed_has_a_fixture() -> None:
    names = {p.name for p in feed_files()}
    assert {"newsroom-rss.xml", "newsroom-atom.xml", "newsroom-jsonfeed.json", "ninjs-item.json",
            "ninjs-package.json", "broken-rss.xml", "arabic-rss.xml"} <= names
