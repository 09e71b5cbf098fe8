"""`agora letter verify FILE.pdf --trust CA.pem`: is this a letter (or certificate, or receipt)
the authority signed, unchanged, by a certificate chaining to a root you trust, and in the log?"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agora.audit import checkpoints, offline, proofs
from agora.audit.models import AuditEvent
from agora.notices.signing import check_pdf


class Command(BaseCommand):
    help = (
        "Verify a signed PDF from Agora: its signature, its certificate chain and its place in the audit log."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        verify = commands.add_parser("verify", help="verify a decision letter or certificate of silence")
        verify.add_argument("file", type=Path)
        verify.add_argument(
            "--trust",
            type=Path,
            action="append",
            required=True,
            help="a trust root (PEM or DER certificate); repeat for more",
        )

    def handle(self, *args, file: Path, trust: list[Path], **options):
        try:
            pdf = file.read_bytes()
            for root in trust:
                root.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {error.filename}: {error.strerror}") from None
        signature = check_pdf(pdf, trust)
        problems = list(signature.reasons)
        logged = self._logged(pdf, problems)
        if problems:
            raise CommandError("no: " + "; ".join(problems))
        when = f" at {signature.signed_at:%Y-%m-%d %H:%M:%S %Z}" if signature.signed_at else ""
        self.stdout.write(f"yes: signed by {signature.signer}{when}; {logged}")

    def _logged(self, pdf: bytes, problems: list[str]) -> str:
        sha256 = hashlib.sha256(pdf).hexdigest()
        event = (
            AuditEvent.objects.filter(event="letter.issued", data__sha256=sha256)
            .values_list("seq", flat=True)
            .first()
        )
        if event is None:
            problems.append("the audit log records no letter with this file's SHA-256")
            return ""
        bundle = proofs.bundle(event, "letter")
        try:
            said = offline.check_document(pdf, bundle, checkpoints.verifier())
        except offline.ProofError as error:
            problems.append(str(error))
            return ""
        return said
