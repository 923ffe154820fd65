"""DKIM: each delivered message carries a signature that dkimpy verifies against a stub DNS answer."""

from __future__ import annotations

import base64
import subprocess

import pytest
from conftest import SEED

import mailkit
from mailkit._deliver import deliver
from mailkit._smtp import DirectoryTransport

dkim = pytest.importorskip("dkim", reason="mailkit[dkim] (dkimpy) is not installed")
from mailkit._dkim import DkimSigner  # noqa: E402


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "alerts.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    public_der = subprocess.run(["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"], check=True,
                                capture_output=True).stdout
    return private.read_bytes(), b"v=DKIM1; k=rsa; p=" + base64.b64encode(public_der)


def test_delivered_messages_verify_against_the_published_key(key_pair, tmp_path):  # type: ignore[no-untyped-def]
    private, record = key_pair
    prepared = mailkit.prepare("breaking", SEED)
    domain = mailkit.BulkMessages(prepared).sender.address.rpartition("@")[2]
    signer = DkimSigner(selector="alerts", domain=domain, private_key=private)
    readers = [mailkit.Recipient(email=f"r{i}@example.org", first_name="Ana") for i in range(3)]
    report = deliver(prepared, readers, DirectoryTransport(tmp_path), dkim=signer)
    assert report.sent == 3
    asked = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record

    for path in sorted(tmp_path.glob("*.eml")):
        raw = path.read_bytes()
        assert raw.startswith(b"DKIM-Signature: ")
        assert dkim.verify(raw, dnsfunc=dns)
        assert not dkim.verify(raw.replace(b"Ana", b"Bob", 1), dnsfunc=dns)  # any change breaks it
    assert set(asked) == {f"alerts._domainkey.{domain}.".encode()}


def test_a_bad_key_fails_once_before_anything_is_sent(tmp_path):  # type: ignore[no-untyped-def]
    prepared = mailkit.prepare("breaking", SEED)
    signer = DkimSigner(selector="alerts", domain="example.org",
                        private_key=b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(mailkit.SendError, match=r"DKIM signing as alerts\._domainkey\.example\.org failed"):
        deliver(prepared, [mailkit.Recipient(email="a@example.org")], DirectoryTransport(tmp_path), dkim=signer)
    assert not list(tmp_path.glob("*.eml"))


