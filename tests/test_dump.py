"""The nightly file of the whole register: every public row, the same as the JSONL export,
served whole, announced on the register page; before the first night, a clear answer."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from django.core.management import call_command

from agora.register import dump
from tests.conftest import body, file_rally


@pytest.fixture(autouse=True)
def dump_folder(settings, tmp_path):
    settings.REGISTER_DUMP_DIR = tmp_path / "dumps"
    return settings.REGISTER_DUMP_DIR


def test_before_the_first_night_the_file_is_not_there_and_the_answer_says_so(client, db):
    answer = client.get("/register-full.jsonl.gz", HTTP_ACCEPT_LANGUAGE="ru")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "not_yet" and "каждую ночь" in error["message"]
    assert "register-full.jsonl.gz" not in client.get("/register/").content.decode()


def test_the_dump_holds_every_public_row_as_the_export_gives_it(client, square, aigerim, capsys):
    for hour in (9, 11, 13):
        file_rally(aigerim, square, hour, purpose=f"Rally at {hour}")
    call_command("dump-register")
    assert "3 rows" in capsys.readouterr().out
    answer = client.get("/register-full.jsonl.gz")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/gzip"
    packed = body(answer)
    lines = gzip.decompress(packed).decode().splitlines()
    exported = body(client.get("/register.jsonl")).decode().splitlines()
    assert [json.loads(x) for x in lines] == [json.loads(x) for x in exported]
    text = "\n".join(lines)
    assert len(lines) == 3 and "Seitkali" not in text and "+7 701" not in text  # no private person named
    about = dump.latest()
    assert about["rows"] == 3 and about["sha256"] == hashlib.sha256(packed).hexdigest()
    page = client.get("/register/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert 'href="/register-full.jsonl.gz"' in page and "3 хабарлама" in page


def test_a_new_dump_replaces_the_old_one_whole(square, aigerim, dump_folder):
    file_rally(aigerim, square, 9)
    first = dump.write()
    file_rally(aigerim, square, 11)
    second = dump.write()
    assert (first["rows"], second["rows"]) == (1, 2)
    assert sorted(p.name for p in dump_folder.iterdir()) == [
        dump.NAME,
        f"{dump.NAME}.json",
    ]  # no partial left
    assert dump.latest()["sha256"] == second["sha256"] != first["sha256"]
