"""Issue 19: filing receipts, signed letters and certificates of silence, checked by the
offline verifier (and `agora letter verify`); each tampering is refused with its reason."""

from __future__ import annotations

import ast
import base64
import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from agora.audit import checkpoints, offline
from agora.audit.models import AuditEvent
from agora.notices import services
from agora.notices.models import Letter
from agora.notices.signing import DEMO_CA, check_pdf
from agora.notices.workflow import Status
from tests.conftest import file, future

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "agora_verify.py"


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def filed(square, aigerim, client):
    notice = file(aigerim, square, future(hour=10), future(hour=12), purpose="For clean air")
    client.force_login(aigerim)
    return notice


def get_receipt(client, notice, fmt="json"):
    response = client.get(f"/receipts/{notice.reference}.{fmt}")
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content) if fmt == "json" else response.content


def test_the_organizer_gets_a_receipt_that_verifies_offline(filed, client):
    receipt = get_receipt(client, filed)
    assert receipt["reference"] == filed.reference
    assert receipt["filed_at"].endswith("+05:00") and receipt["time_zone"] == "Asia/Almaty"
    assert receipt["event"]["event"] == "notice.filed" and receipt["index"] == receipt["event"]["seq"] - 1
    said = offline.check_receipt(receipt, checkpoints.verifier())
    assert said.startswith(f"notice {filed.reference} was filed at")
    # kept: the same receipt on the next request
    assert get_receipt(client, filed) == receipt


@pytest.mark.parametrize(
    "tamper, why",
    [
        (lambda r: r["event"].update(at="2000-01-01T00:00:00.000000+00:00"), "was changed"),
        (lambda r: r["event"]["data"].update(extra=1), "was changed"),
        (lambda r: r.update(fingerprint="0" * 64), "fingerprint"),
        (lambda r: r.update(reference="ALA-2026-999999"), "another reference"),
        (lambda r: r.update(filed_at="2026-11-01T10:00:00+05:00"), "not the filing time in the log"),
        (lambda r: r.update(time_zone="Europe/Berlin"), "not in its time_zone"),
        (lambda r: r.update(time_zone="Mars/Olympus"), "no time zone"),
        (lambda r: r.update(index=r["index"] + 1), "index"),
        (
            lambda r: r["proof"]["hashes"].append(base64.b64encode(b"\0" * 32).decode()),
            "longer than the tree",
        ),
        (lambda r: r["proof"].update(size=r["proof"]["size"] + 1), "checkpoint for"),
        (lambda r: r.update(checkpoint=r["checkpoint"].replace("\n\n", "\nextra\n\n")), "does not verify"),
    ],
)
def test_a_tampered_receipt_is_refused_with_its_reason(filed, client, tamper, why):
    receipt = get_receipt(client, filed)
    other = file(filed.organizer.user, filed.venue, future(days=20, hour=10), future(days=20, hour=11))
    get_receipt(client, other)  # the log grows: the proof of the first has hashes to change
    changed = copy.deepcopy(receipt)
    tamper(changed)
    with pytest.raises(offline.ProofError, match=why):
        offline.check_receipt(changed, checkpoints.verifier())


def test_a_receipt_proof_hash_changed_is_refused(filed, client):
    for _ in range(3):
        file(filed.organizer.user, filed.venue, future(days=25, hour=10), future(days=25, hour=11))
    receipt = get_receipt(client, filed)
    assert receipt["proof"]["hashes"], "a tree of several events has a proof"
    receipt["proof"]["hashes"][0] = base64.b64encode(b"\1" * 32).decode()
    with pytest.raises(offline.ProofError, match="another root"):
        offline.check_receipt(receipt, checkpoints.verifier())


def test_the_pdf_receipt_is_signed_and_carries_the_json(filed, client, settings):
    pdf = get_receipt(client, filed, "pdf")
    check = check_pdf(pdf, [Path(settings.AGORA_KEY_DIR) / DEMO_CA])
    assert check.ok, check.reasons
    attached = PdfReader(io.BytesIO(pdf)).attachments
    [(name, [content])] = attached.items()
    assert name == f"{filed.reference}-receipt.json"
    assert json.loads(content) == get_receipt(client, filed)
    assert filed.reference in text_of(pdf) and "UTC+5" in text_of(pdf)


@pytest.mark.parametrize("lang, title", [("en", "Filing receipt"), ("ru", "Расписка"), ("kk", "қолхат")])
def test_the_pdf_receipt_is_in_the_notice_language(square, aigerim, client, lang, title):
    notice = file(aigerim, square, future(hour=10), future(hour=12), language=lang)
    client.force_login(aigerim)
    assert title.lower() in text_of(get_receipt(client, notice, "pdf")).lower()


def test_no_receipt_for_someone_else_or_a_draft(filed, client, bolat, square):
    client.force_login(bolat)
    assert client.get(f"/receipts/{filed.reference}.json").status_code == 404
    client.logout()
    assert client.get(f"/receipts/{filed.reference}.json").status_code == 302  # to sign in
    client.force_login(filed.organizer.user)
    assert client.get(f"/receipts/{filed.reference}.txt").status_code == 404


@pytest.fixture
def accepted(filed, dana):
    return services.decide(filed, dana, "accepted", reasoning="Nothing stands in the way.")


def test_a_signed_letter_and_its_proof_verify_and_one_changed_byte_does_not(
    accepted, client, settings, tmp_path
):
    pdf = bytes(client.get(f"/letters/{accepted.reference}.pdf").content)
    proof = json.loads(client.get(f"/decisions/{accepted.reference}/proof.json").content)
    key = checkpoints.verifier()
    assert "decision letter" in offline.check_document(pdf, proof, key)
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    with pytest.raises(offline.ProofError, match="SHA-256 differs"):
        offline.check_document(bytes(changed), proof, key)
    # pyHanko: the signature covers the file, chains to the CA, and the letter is in the log
    ca = Path(settings.AGORA_KEY_DIR) / DEMO_CA
    check = check_pdf(pdf, [ca])
    assert check.ok and check.signed_at is not None, check.reasons
    (tmp_path / "letter.pdf").write_bytes(pdf)
    out = io.StringIO()
    call_command("letter", "verify", str(tmp_path / "letter.pdf"), "--trust", str(ca), stdout=out)
    assert out.getvalue().startswith("yes: signed by")
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    with pytest.raises(CommandError, match="no: "):
        call_command("letter", "verify", str(tmp_path / "changed.pdf"), "--trust", str(ca))


def test_a_letter_is_not_trusted_against_another_root(accepted, client, tmp_path):
    from agora.notices.signing import demo_ca

    other = demo_ca(tmp_path / "other")
    pdf = bytes(client.get(f"/letters/{accepted.reference}.pdf").content)
    check = check_pdf(pdf, [other])
    assert not check.ok and "trusted root" in " ".join(check.reasons)


def test_the_deadline_job_issues_a_certificate_of_silence(square, aigerim, pinned_clock, client):
    notice = file(aigerim, square, future(hour=10), future(hour=12), language="en")
    pinned_clock.move_to(notice.decision_due_at)
    call_command("run-deadlines", stdout=io.StringIO())
    notice.refresh_from_db()
    assert notice.status == Status.DEEMED_ACCEPTED
    decision = notice.decisions.get()
    letter = Letter.objects.get(decision=decision)  # issued by the job, not on first view
    text = text_of(bytes(letter.pdf))
    assert "Certificate of silence" in text and "made no decision by the deadline" in text
    assert "deemed accepted" in text.lower()
    proof = json.loads(client.get(f"/decisions/{decision.reference}/proof.json").content)
    said = offline.check_document(bytes(letter.pdf), proof, checkpoints.verifier())
    assert "certificate of silence" in said
    client.force_login(aigerim)
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert "certificate of silence" in page.lower()


def test_the_offline_tool_runs_alone_and_says_why(filed, client, tmp_path):
    (tmp_path / "r.pdf").write_bytes(get_receipt(client, filed, "pdf"))
    given_pdf = [sys.executable, "-I", str(VERIFIER), "receipt", str(tmp_path / "r.pdf"), "--key", "x+y+z"]
    done = subprocess.run(given_pdf, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "is a PDF: give the receipt as JSON" in done.stdout, done.stdout
    receipt = get_receipt(client, filed)
    (tmp_path / "r.json").write_text(json.dumps(receipt))
    (tmp_path / "key").write_text(checkpoints.verifier())
    run = [
        sys.executable,
        "-I",
        str(VERIFIER),
        "receipt",
        str(tmp_path / "r.json"),
        "--key",
        str(tmp_path / "key"),
    ]
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("yes: "), done.stdout + done.stderr
    receipt["event"]["actor"] = "someone else"
    (tmp_path / "r.json").write_text(json.dumps(receipt))
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and done.stdout.startswith("no: ") and "was changed" in done.stdout


def test_the_offline_tool_needs_only_the_standard_library_and_cryptography():
    tree = ast.parse(VERIFIER.read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - {"cryptography", "__future__"} <= set(sys.stdlib_module_names)
    assert VERIFIER.resolve() == (ROOT / "agora" / "audit" / "offline.py")  # one file, not a copy


def test_a_decision_issues_its_letter_when_it_commits_and_a_visit_issues_nothing(
    filed, dana, client, django_capture_on_commit_callbacks
):
    from agora.audit import tree

    with django_capture_on_commit_callbacks(execute=True):
        decision = services.decide(filed, dana, "accepted", reasoning="Nothing stands in the way.")
    letter = Letter.objects.get(decision=decision)  # by the job queue (inline in tests)
    issued = AuditEvent.objects.get(event="letter.issued", object_id=str(decision.pk))
    assert issued.data["sha256"] == letter.sha256 and issued.data["kind"] == "letter"
    size = tree.log_size()
    client.logout()
    for path in (f"/decisions/{decision.reference}/", f"/decisions/{decision.reference}/proof.json"):
        assert client.get(path).status_code == 200
    assert tree.log_size() == size


def test_a_decision_whose_letter_is_not_issued_yet_says_so(filed, dana, client):
    decision = services.decide(filed, dana, "accepted", reasoning="Nothing stands in the way.")
    client.logout()
    page = client.get(f"/decisions/{decision.reference}/").content.decode()
    assert "Being issued" in page
    assert client.get(f"/decisions/{decision.reference}/proof.json").status_code == 404
    got = client.get(f"/api/v1/decisions/{decision.reference}/proof")
    assert got.status_code == 404 and "not issued yet" in got.json()["error"]["message"]


def test_anyone_can_prove_when_a_notice_was_filed(filed, client):
    client.logout()
    page = client.get(f"/register/{filed.reference}/").content.decode()
    assert f"/register/{filed.reference}/filing-proof.json" in page
    proof = json.loads(client.get(f"/register/{filed.reference}/filing-proof.json").content)
    assert "Aigerim" not in json.dumps(proof)  # what the public log holds: no personal data
    assert offline.check_receipt(proof, checkpoints.verifier()).startswith(f"notice {filed.reference}")
    assert client.get("/register/ALA-1900-000000/filing-proof.json").status_code == 404
