"""The authority's signature on its papers: decision letters, certificates of silence and
filing receipts are PDF advanced electronic signatures (PAdES B-B, with pyHanko), with the
signing time.

A signer is anything with `sign(pdf, reason=..., location=...) -> bytes` (`Signer`): a PKCS#12
file (`Pkcs12Signer`), a key in an HSM through PKCS#11 (`Pkcs11Signer`), or another service.
Kazakhstan's national CA (NCA RK) also issues GOST 34.10-2015 keys, which pyHanko cannot use:
a GOST signer would be a class here that sends the PDF's digest to an NCANode service and
embeds the CMS it returns, chosen with AGORA_SIGNER=module.path.ClassName (docs/signing.md).

Outside production, a demonstration CA and an authority key signed by it are made in
AGORA_KEY_DIR on first use (`demo_ca.pem` is the trust root to verify with)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEMO_CA, DEMO_P12, DEMO_PASSPHRASE = "demo_ca.pem", "demo_authority.p12", b"agora-demo"


class Signer(Protocol):
    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes: ...


def _run(make_coroutine):
    """Run pyHanko's async API to its end, also where the thread already runs an event loop
    (a page served beside a browser test's loop): there, in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _pades(pdf: bytes, signer, *, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="AuthoritySignature",
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    return _run(lambda: signers.async_sign_pdf(writer, meta, signer=signer)).getvalue()


class Pkcs12Signer:
    def __init__(self, path: str | Path, passphrase: bytes | None):
        from pyhanko.sign import signers

        self.signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
        if self.signer is None:
            raise ImproperlyConfigured(f"cannot read the signing key {path}: wrong file or passphrase")

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        return _pades(pdf, self.signer, reason=reason, location=location)


class Pkcs11Signer:
    """A key that never leaves an HSM (needs `pip install 'pyHanko[pkcs11]'`)."""

    def __init__(self, module: str, token: str, key: str, pin: str):
        from pyhanko.sign import pkcs11

        self.session = pkcs11.open_pkcs11_session(module, token_label=token, user_pin=pin)
        self.signer = pkcs11.PKCS11Signer(self.session, key_label=key)

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        return _pades(pdf, self.signer, reason=reason, location=location)


@functools.cache
def _signer(kind: str, p12: str, passphrase: str, key_dir: str, production: bool) -> Signer:
    if kind == "pkcs11":
        return Pkcs11Signer(**settings.AGORA_SIGNER_PKCS11)
    if kind != "pkcs12":
        return import_string(kind)()
    if p12:
        return Pkcs12Signer(p12, passphrase.encode() or None)
    if production:
        raise ImproperlyConfigured(
            "AGORA_SIGNER_PKCS12 must be set when AGORA_PRODUCTION=1 (docs/signing.md)"
        )
    demo_ca(Path(key_dir))
    return Pkcs12Signer(Path(key_dir) / DEMO_P12, DEMO_PASSPHRASE)


def signer() -> Signer:
    return _signer(
        settings.AGORA_SIGNER,
        settings.AGORA_SIGNER_PKCS12,
        settings.AGORA_SIGNER_PASSPHRASE,
        str(settings.AGORA_KEY_DIR),
        settings.AGORA_PRODUCTION,
    )


def sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    return signer().sign(pdf, reason=reason, location=location)


def demo_ca(key_dir: Path) -> Path:
    """A CA and an authority key it certifies, made once in `key_dir`; returns the CA file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    ca_path = key_dir / DEMO_CA
    if ca_path.exists() and (key_dir / DEMO_P12).exists():
        return ca_path
    key_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    def name(common: str):
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Agora demonstration (not a real authority)"),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = name("Agora demonstration CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("Akimat of Almaty (demonstration)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # digital signature and non-repudiation (content commitment): what a signed letter needs
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"authority", key, cert, [ca], serialization.BestAvailableEncryption(DEMO_PASSPHRASE)
    )
    (key_dir / DEMO_P12).write_bytes(p12)
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return ca_path


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    reasons: list[str]
    signer: str = ""
    signed_at: dt.datetime | None = None


def check_pdf(pdf: bytes, trust_roots: list[Path]) -> SignatureCheck:
    """Is the PDF signed, unchanged since, by a certificate that chains to one of `trust_roots`?"""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for path in trust_roots:
        data = path.read_bytes()
        for _, _, der in pem.unarmor(data, multiple=True) if pem.detect(data) else [(None, None, data)]:
            roots.append(x509.Certificate.load(der))
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception as error:  # noqa: BLE001 (whatever the file is, the answer is "not a signed PDF")
        return SignatureCheck(False, [f"not a PDF that can be read: {error}"])
    if not signatures:
        return SignatureCheck(False, ["the PDF carries no signature"])
    context = ValidationContext(trust_roots=roots)
    status = _run(lambda: async_validate_pdf_signature(signatures[-1], context))
    reasons = []
    if not status.intact:
        reasons.append("the document was changed after it was signed")
    if not status.valid:
        reasons.append("the signature does not verify")
    if not status.trusted:
        reasons.append("the signing certificate does not chain to a trusted root")
    if status.coverage is not None and status.coverage.name != "ENTIRE_FILE":
        reasons.append("the signature does not cover the whole file: something was added after it")
    subject = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    return SignatureCheck(not reasons, reasons, subject, status.signer_reported_dt)
