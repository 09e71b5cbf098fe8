"""PRODUCT.md §6: the acceptance scenario, under the status quo and under `fair`."""

import json
import os
import subprocess
import sys

import pytest

from agora.notices.scenario import replay

DAY = "2022-03-19T"


@pytest.mark.django_db
def test_status_quo_a_blocks_the_square_and_b_is_refused():
    result = replay("kz-2020")
    a, b = result["notices"]["A"], result["notices"]["B"]
    assert a["decision"] == "accepted" and a["status"] == "held"
    assert a["zones"] == ["east", "west"]  # the whole square
    assert (a["booking_start"], a["booking_end"]) == (DAY + "09:00:00+06:00", DAY + "20:00:00+06:00")
    assert a["checked_out"] == DAY + "14:00:00+06:00"
    assert a["held_until"] == a["booking_end"]  # leaving at 14:00 released nothing
    assert b["status"] == "refused" and b["grounds"] == ["venue_booked"] and b["booking_start"] is None
    assert result["offers"] == []
    assert {"notice": "A", "kind": "underused", "displaced": ["B"]} in result["flags"]
    assert all(f["notice"] == "A" for f in result["flags"])


@pytest.mark.django_db
def test_fair_caps_a_and_accommodates_b_the_same_afternoon():
    result = replay("fair")
    a, b = result["notices"]["A"], result["notices"]["B"]
    assert a["decision"] == "accepted_with_conditions" and a["status"] == "held"
    assert (a["booking_start"], a["booking_end"]) == (DAY + "09:00:00+06:00", DAY + "13:00:00+06:00")
    assert b["decision"] == "accepted" and b["status"] == "held"
    assert (b["booking_start"], b["booking_end"]) == (DAY + "14:00:00+06:00", DAY + "18:00:00+06:00")
    assert not any(n["status"] in ("refused", "deemed_refused") for n in result["notices"].values())
    # A left at 12:00: the rest of its interval was released at once
    assert a["held_until"] == DAY + "12:00:00+06:00"
    assert result["flags"] == []
    assert result["allocation"]["accommodated"] == result["allocation"]["bound"] == 2


@pytest.mark.parametrize("rulebook", ["kz-2020", "fair"])
def test_the_command_prints_json_on_a_temporary_database(rulebook, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'untouched.sqlite3'}"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "agora.cli",
            "scenario",
            "almaty-2022-03-19",
            "--rulebook",
            rulebook,
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    result = json.loads(out)
    assert set(result) >= {"rulebook", "steps", "notices", "offers", "flags"}
    assert result["rulebook"] == rulebook
    expected_b = "refused" if rulebook == "kz-2020" else "held"
    assert result["notices"]["B"]["status"] == expected_b
    untouched = tmp_path / "untouched.sqlite3"
    assert not untouched.exists() or untouched.stat().st_size == 0
