"""CPU and memory bombs found by growing each input and measuring (scale11).

Each case: an input grown towards its limit, and its outcome: it renders with
output and time in proportion to it, or it fails at once with a named
:class:`mailkit.MailkitError` naming the field. Bounds are generous (only a
superlinear path or an amplification breaks them); times are CPU times, the
minimum of a few runs, never a microbenchmark.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from conftest import SEED

import mailkit

BASE = yaml.safe_load(SEED.read_text(encoding="utf-8"))


def cpu(fn: Callable[[], Any], runs: int = 3) -> float:
    """The least CPU time of ``runs`` calls of ``fn`` (a MailkitError counts as done)."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        try:
            fn()
        except mailkit.MailkitError:
            pass
        best = min(best, time.process_time() - start)
    return best


def linked_edition(links: int = 200) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["articles"][0]["body"] = "<p>" + "".join(f'<a href="https://e.example/{i}">x</a> ' for i in range(links)) + "</p>"
    return data


# --- a reader's link_params: added to every link of the email, so their size multiplies ---
# Before: 10 parameters of 5,000 characters (50 KB of reader record) made a 20 MB email,
# 100 of them a 200 MB one (4.5 s), 1,000 a 2 GB one (66 s).

@pytest.mark.parametrize("params", [
    {f"k{i}": "v" * 5_000 for i in range(10)},  # long values
    {f"k{i}": "v" for i in range(2_000)},  # many parameters
    {"k": "é" * 300},  # percent-encoding makes each character 6
])
def test_a_readers_link_params_over_the_limit_are_refused_naming_the_field(params: dict[str, str]) -> None:
    with pytest.raises(mailkit.InvalidFixtureError, match=r"recipient: link_params: .*over the limit of 1000"):
        mailkit.prepare("breaking", linked_edition()).personalize({"email": "a@example.com", "link_params": params})
    with pytest.raises(mailkit.InvalidFixtureError, match=r"link_params: .*over the limit of 1000"):
        mailkit.Recipient(email="a@example.com", link_params=params)


def test_link_params_at_the_limit_keep_the_email_in_proportion() -> None:
    params = {f"k{i:02d}": "v" * 45 for i in range(20)}  # 20 x (3 + 1 + 45) + 19 = 999 characters
    prepared = mailkit.prepare("breaking", linked_edition())
    bare = prepared.personalize({"email": "a@example.com"})
    email = prepared.personalize({"email": "a@example.com", "link_params": params})
    assert "k19=" + "v" * 45 in email.html
    # about 210 links, each 1,000 characters longer (twice in the HTML part, its href and the text part's list)
    assert len(email.html) + len(email.text) < 3 * (len(bare.html) + len(bare.text)) + 210 * 3_000
