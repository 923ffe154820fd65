"""A real spam filter over the message as sent: SpamAssassin's local rules.

When Debian's ``spamassassin`` is installed, :func:`spam_reports` runs it on
complete messages (``message_bytes``) with local tests only (``-L``: no DNS
blocklists, no network), no Bayes database and no user preferences, so the
score depends on the message and the rules the package ships (``sa-update``
is not run: it needs the network). One ``spamassassin --mbox`` process scores
a whole batch: Perl and the rules load once, about a second, instead of once
a message.

The score and the rules that fired come from a header of our own
(``add_header all Mailkit _SCORE_ _TESTSSCORES(,)_``), which SpamAssassin
writes in a fixed, machine-readable form, not from its human report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ._errors import SpamCheckError
from ._message import RenderedEmail, message_bytes
from ._models import Sender

__all__ = ["SPAM_SCORE_LIMIT", "SpamReport", "spam_message", "spam_reports", "spamassassin_path"]

# The score every shipped template x fixture x theme is held to (SpamAssassin
# marks mail as spam at 5.0; a newsletter should not spend any of that).
SPAM_SCORE_LIMIT = 0.5
_HEADER = "Mailkit"
_ARGS = (
    "-L",                      # local tests only: no network
    "-x",                      # never create ~/.spamassassin/user_prefs
    "-p", "/dev/null",         # ... nor read one: only the shipped rules count
    "--mbox",                  # many messages, one Perl start
    "--cf", "use_bayes 0",     # no Bayes database: the same score on every machine
    "--cf", "use_auto_welcomelist 0",
    "--cf", f"add_header all {_HEADER} _SCORE_ _TESTSSCORES(,)_",
)
_REPORT = re.compile(rf"^X-Spam-{_HEADER}: (.*(?:\r?\n[ \t].*)*)", re.MULTILINE)
# each message's mbox "From " line carries its index: spamassassin --mbox
# does not write the messages back in the order it read them
_MBOX_FROM = "From mailkit-{}@localhost Thu Jan  1 00:00:00 1970\n"
_MESSAGE = re.compile(r"^From mailkit-(\d+)@localhost .*$", re.MULTILINE)


@dataclass(frozen=True)
class SpamReport:
    """SpamAssassin's local score of one message and the rules that fired (name, points)."""

    score: float
    rules: tuple[tuple[str, float], ...]

    @property
    def scoring_rules(self) -> tuple[tuple[str, float], ...]:
        """The rules that moved the score (informational 0.001 rules left out), highest first."""
        return tuple(sorted(((n, p) for n, p in self.rules if abs(p) >= 0.01), key=lambda r: -r[1]))

    def summary(self) -> str:
        """``0.7 points: HTML_FONT_LOW_CONTRAST 0.7`` (or ``no scoring rules fired``)."""
        fired = ", ".join(f"{name} {points:g}" for name, points in self.scoring_rules)
        return f"{self.score:.1f} points (local tests): {fired or 'no scoring rules fired'}"


def spamassassin_path() -> str | None:
    """The ``spamassassin`` program, or None when it is not installed."""
    return shutil.which("spamassassin")


def spam_message(email: RenderedEmail) -> bytes:
    """The message a spam filter sees: ``message_bytes`` with a fixed date, Message-ID and reader.

    An edition without ``newsletter.sender`` is sent from its own site's
    domain, as a newsletter would be.
    """
    sender = email.edition.newsletter.sender
    if sender is None:
        host = urlsplit(str(email.edition.newsletter.url)).hostname or "example.org"
        sender = Sender(name=email.edition.newsletter.name, address=f"newsletter@{host.removeprefix('www.')}")
    return message_bytes(email, to="reader@example.org", sender=sender, date=datetime(2014, 5, 20, 12, tzinfo=UTC),
                         message_id=f"<spam-check@{sender.address.rpartition('@')[2]}>")


def _mbox(messages: Sequence[bytes]) -> bytes:
    # mboxrd: a body line starting "From " is quoted so it cannot start a message
    return b"".join(_MBOX_FROM.format(i).encode("ascii") + re.sub(rb"(?m)^(>*From )", rb">\1", m.replace(b"\r\n", b"\n"))
                    + b"\n" for i, m in enumerate(messages))


def _parse(value: str) -> SpamReport:
    score, _, tests = " ".join(value.split()).partition(" ")
    rules = []
    for item in tests.replace(" ", "").split(","):
        name, _, points = item.partition("=")
        if name:
            rules.append((name, float(points or 0)))
    return SpamReport(float(score) + 0.0, tuple(rules))  # + 0.0: "-0.0" reads as 0.0


def spam_reports(messages: Sequence[bytes], *, timeout: float = 120) -> list[SpamReport] | None:
    """SpamAssassin's local report for each message, in order; None when it is not installed.

    Raises :class:`SpamCheckError` when SpamAssassin fails or times out.
    """
    program = spamassassin_path()
    if program is None:
        return None
    if not messages:
        return []
    try:
        run = subprocess.run([program, *_ARGS], input=_mbox(messages), capture_output=True, timeout=timeout,
                             check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SpamCheckError(f"spamassassin did not finish: {err}") from err
    out = run.stdout.decode("utf-8", "replace")
    found: dict[int, SpamReport] = {}
    starts = list(_MESSAGE.finditer(out))
    ends = [n.start() for n in starts[1:]] + [len(out)] * bool(starts)
    for m, end in zip(starts, ends, strict=True):
        head = out[m.end() : end].split("\n\n", 1)[0]
        report = _REPORT.search(head)
        if report:
            found[int(m.group(1))] = _parse(report.group(1))
    if run.returncode != 0 or sorted(found) != list(range(len(messages))):
        detail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {run.returncode}"]
        raise SpamCheckError(f"spamassassin scored {len(found)} of {len(messages)} messages: {detail[0]}")
    return [found[i] for i in range(len(messages))]
