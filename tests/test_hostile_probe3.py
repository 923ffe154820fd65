"""Outside tester's probe of delivery (probe3): each case a hostile input and its outcome, never a hang."""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED

import mailkit
from mailkit.deliver import RetryPolicy, deliver, read_recipients
from mailkit.journal import Journal
from mailkit.smtp import Envelope, MboxTransport, Reply

DISCARD = MboxTransport(Path(os.devnull))
FAST = RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.02)


@pytest.fixture(scope="module")
def prepared() -> mailkit.PreparedEmail:
    return mailkit.prepare("breaking", SEED)


def bounded(call: Callable[[], Any], seconds: float = 10) -> Any:
    """Run ``call`` in a thread: its result, its exception re-raised, or a failure if it hangs."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except BaseException as err:  # noqa: BLE001 - re-raised below, in the test's thread
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"hung for more than {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


# -- the run ends, whatever a transport or the journal raises ------------------------------------


class _Broken:
    connections = 2
    rate_per_connection = None

    def __init__(self, on_send: Callable[[], None]) -> None:
        self.on_send = on_send

    def connect(self) -> _Broken:
        return self

    def send(self, envelope: Envelope, raw: bytes) -> Reply:
        self.on_send()
        return Reply(250, "ok")

    def close(self) -> None:
        pass


def test_an_unexpected_error_in_a_transport_stops_the_run_as_a_send_error_not_a_hang(prepared):  # type: ignore[no-untyped-def]
    def boom() -> None:
        raise ValueError("a third-party transport's bug")

    readers = [mailkit.Recipient(email=f"r{n}@example.org") for n in range(5)]
    with pytest.raises(mailkit.SendError, match="ValueError: a third-party transport's bug") as caught:
        bounded(lambda: deliver(prepared, readers, _Broken(boom)))
    assert isinstance(caught.value.__cause__, ValueError)


def test_a_journal_that_fails_mid_run_stops_it_naming_the_journal_not_a_hang(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "j.sqlite"
    from mailkit.deliver import BulkMessages, campaign_id
    journal = Journal(path, campaign_id(BulkMessages(prepared)))
    readers = [mailkit.Recipient(email=f"r{n}@example.org") for n in range(5)]
    # the journal's database goes away under the run (as a full disk or a deleted file would fail it)
    with pytest.raises(mailkit.SendError, match=r"journal .*j\.sqlite: "):
        bounded(lambda: deliver(prepared, readers, _Broken(journal.db.close), journal=journal))


# -- two runs on one journal -------------------------------------------------------------------


def test_a_second_run_on_a_journal_in_use_is_refused_so_nothing_is_sent_twice(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "j.sqlite"
    first = Journal(path, "c" * 64)
    first.begin([(0, "a@example.org")])
    with pytest.raises(mailkit.SendError, match="in use by another run"):
        Journal(path, "c" * 64, resume=True)
    first.close()
    Journal(path, "c" * 64, resume=True).close()  # once the first run has ended, it resumes


# -- recipients files --------------------------------------------------------------------------


def test_a_spreadsheets_csv_with_a_bom_and_crlf_is_read(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffemail,first_name\r\na@example.org,Zoë\r\n".encode())
    (reader,) = read_recipients(path)
    assert isinstance(reader, mailkit.Recipient) and (reader.email, reader.first_name) == ("a@example.org", "Zoë")


def test_a_row_with_more_values_than_columns_fails_that_reader_naming_the_line(prepared, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([["email", "first_name"], ["a@example.org", "A"],
                                   ["b@example.org", "B"] + ["x"] * 100_000, ["c@example.org", "C"]])
    report = bounded(lambda: deliver(prepared, read_recipients(path), DISCARD))
    assert (report.sent, report.failed) == (2, 1)
    ((position, email, state, reply),) = report.problems
    assert (position, email, state) == (1, "b@example.org", "failed")
    assert reply.startswith("r.csv line 3: 100002 values, but the header names 2 columns")


def test_a_10_mb_field_is_refused_naming_the_file_and_line(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text("email,first_name\na@example.org,A\nb@example.org," + "x" * 10_000_000 + "\n")
    with pytest.raises(mailkit.InvalidFixtureError, match=r"r\.csv: line 3: CSV: field larger than field limit"):
        list(read_recipients(path))
