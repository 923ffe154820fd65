"""DKIM signatures (RFC 6376) for delivered messages, with dkimpy (``pip install 'mailkit[dkim]'``).

    >>> signer = DkimSigner(selector="alerts", domain="example.org",
    ...                     private_key=Path("alerts.private").read_bytes())   # doctest: +SKIP
    >>> mailkit.deliver(prepared, readers, transport, dkim=signer)             # doctest: +SKIP

Each message gets its own signature (its body differs per reader): the
headers a reader sees and a forwarder should not change are signed, with
relaxed/simple canonicalisation, rsa-sha256 with an RSA key in PEM. (dkimpy's
ed25519-sha256 needs PyNaCl, which mailkit[dkim] does not install, and a raw
base64 key rather than PEM: ``algorithm="ed25519-sha256"`` fails with a
SendError before anything is sent.)
"""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import SendError

__all__ = ["SIGNED_HEADERS", "DkimSigner"]

# what mailkit writes and a reader relies on; Date and Message-ID tie the signature to this copy
SIGNED_HEADERS = (b"From", b"To", b"Subject", b"Date", b"Message-ID", b"Reply-To", b"List-Id",
                  b"List-Unsubscribe", b"List-Unsubscribe-Post", b"MIME-Version", b"Content-Type")


@dataclass(frozen=True, kw_only=True)
class DkimSigner:
    """Signs with ``private_key`` (an RSA key in PEM) as ``selector._domainkey.domain``."""

    selector: str
    domain: str
    private_key: bytes
    algorithm: str = "rsa-sha256"

    def __post_init__(self) -> None:
        try:
            import dkim  # noqa: F401
        except ImportError as err:
            raise SendError("DKIM signing needs dkimpy: pip install 'mailkit[dkim]'") from err
        if b"PRIVATE KEY" not in self.private_key and self.algorithm == "rsa-sha256":
            raise SendError(f"DKIM key for {self.selector}._domainkey.{self.domain}: not a PEM private key")

    def sign(self, raw: bytes) -> bytes:
        """``raw`` with a DKIM-Signature header in front."""
        import dkim

        try:
            header = dkim.sign(raw, self.selector.encode("ascii"), self.domain.encode("ascii"), self.private_key,
                               include_headers=list(SIGNED_HEADERS), signature_algorithm=self.algorithm.encode(),
                               linesep=b"\r\n")
        except (dkim.DKIMException, ValueError, UnicodeError) as err:
            raise SendError(f"DKIM signing as {self.selector}._domainkey.{self.domain} failed: {err}") from err
        return bytes(header) + raw
