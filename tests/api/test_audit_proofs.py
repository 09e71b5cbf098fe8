"""Issue 19 through the API: a notice filed, its receipt, an officer's decision and the
letter's proof, each checked offline; inclusion and consistency proofs of any event."""

from __future__ import annotations

import base64
import json

import pytest

from agora.audit import checkpoints, merkle, offline
from agora.audit.models import AuditEvent
from tests.api.test_api import API, bearer, body, post


@pytest.fixture
def organizer_token(aigerim):
    from agora.accounts.tokens import create_token

    return create_token(aigerim, "test")[1]


def b64(values):
    return [base64.b64decode(v) for v in values]


def test_file_get_the_receipt_decide_and_prove_the_letter(client, square, organizer_token, dana):
    from agora.notices import services
    from agora.notices.models import Notice

    filed = post(client, "/notices", body(square), organizer_token).json()
    assert filed["receipt"] == f"/api/v1/notices/{filed['id']}/receipt"
    receipt = client.get(filed["receipt"], **bearer(organizer_token))
    assert receipt.status_code == 200, receipt.content
    receipt = receipt.json()
    assert offline.check_receipt(receipt, checkpoints.verifier()).startswith(f"notice {filed['reference']}")
    pdf = client.get(filed["receipt"] + ".pdf", **bearer(organizer_token))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    decision = services.decide(Notice.objects.get(pk=filed["id"]), dana, "accepted", reasoning="Fine.")
    letter = client.get(f"{API}/letters/{decision.reference}", **bearer(organizer_token)).content
    proof = client.get(f"{API}/decisions/{decision.reference}/proof").json()
    assert offline.check_document(letter, proof, checkpoints.verifier()).startswith(
        "this is the decision letter"
    )


def test_no_receipt_of_a_draft_or_of_another_organizer(client, square, organizer_token, bolat):
    from agora.accounts.tokens import create_token

    draft = post(client, "/notices", body(square, submit=False), organizer_token).json()
    assert draft["receipt"] is None
    got = client.get(f"{API}/notices/{draft['id']}/receipt", **bearer(organizer_token))
    assert got.status_code == 409 and "file the notice first" in got.json()["error"]["message"]
    filed = post(client, "/notices", body(square), organizer_token).json()
    other = create_token(bolat, "test")[1]
    assert client.get(f"{API}/notices/{filed['id']}/receipt", **bearer(other)).status_code == 404
    assert client.get(f"{API}/notices/{filed['id']}/receipt").status_code == 401


def test_inclusion_and_consistency_proofs_of_the_log(client, square, organizer_token):
    post(client, "/notices", body(square), organizer_token)
    kept = client.get(f"{API}/audit/checkpoint").json()
    assert kept["note"] == client.get("/audit/checkpoint").content.decode()
    assert kept["key"] == client.get("/audit/key").content.decode().strip()
    for day in range(3):
        post(
            client,
            "/notices",
            body(
                square, starts_at=f"2026-12-2{day}T11:00:00+05:00", ends_at=f"2026-12-2{day}T12:00:00+05:00"
            ),
            organizer_token,
        )
    now = client.get(f"{API}/audit/checkpoint").json()
    assert now["size"] > kept["size"]
    proof = client.get(f"{API}/audit/consistency?first={kept['size']}&second={now['size']}").json()
    assert offline.check_consistency(kept["note"], now["note"], proof, now["key"]).startswith("the log of")
    root = base64.b64decode(now["root_hash"])
    for index in range(now["size"]):
        got = client.get(f"{API}/audit/inclusion?index={index}&size={now['size']}").json()
        row = AuditEvent.objects.filter(seq=index + 1).values().get()
        assert got["index"] == index and got["size"] == now["size"]
        merkle.verify_inclusion(
            index, now["size"], base64.b64decode(got["leaf_hash"]), b64(got["hashes"]), root
        )
    assert row  # every event of the log has its proof


@pytest.mark.parametrize(
    "query, field",
    [
        ("inclusion?index=5&size=999999", "size"),
        ("inclusion?index=9&size=2", "index"),
        ("consistency?first=3&second=2", "first"),
        ("consistency?first=1&second=999999", "second"),
    ],
)
def test_proofs_beyond_the_log_are_refused_in_words(client, square, organizer_token, query, field):
    post(client, "/notices", body(square), organizer_token)
    got = client.get(f"{API}/audit/{query}")
    assert got.status_code == 422, got.content
    assert field in got.json()["error"]["fields"] and "must be from" in got.json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    ["inclusion?index=-1&size=1", "inclusion?index=x&size=1", "consistency?first=0&second=1", "inclusion"],
)
def test_malformed_proof_requests_get_a_clear_error(client, query):
    got = client.get(f"{API}/audit/{query}")
    assert got.status_code == 422 and got.json()["error"]["message"], got.content


def test_the_checkpoint_feed_and_pages(client, square, organizer_token):
    post(client, "/notices", body(square), organizer_token)
    note = client.get("/audit/checkpoint").content.decode()
    feed = client.get("/audit/checkpoints.atom").content.decode()
    assert note.split("\n")[1] in feed and "<entry>" in feed
    size = note.split("\n")[1]
    assert client.get(f"/audit/checkpoint?size={size}").content.decode() == note
    assert client.get("/audit/checkpoint?size=x").status_code == 400
    assert client.get("/audit/checkpoint?size=999999").status_code == 404
    tool = client.get("/audit/agora_verify.py")
    assert tool.status_code == 200 and b"def check_receipt" in tool.content
    assert json.loads(client.get("/audit/digest.json").content)["count"] >= int(size)
