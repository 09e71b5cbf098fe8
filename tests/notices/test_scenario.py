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


BERLIN = """
id: berlin-test
title: "Two assemblies on Alexanderplatz"
rulebook: de-be-versfg
jurisdiction: {slug: berlin, name: {en: Berlin}, prefix: BER}
places:
  alexanderplatz: {name: {en: Alexanderplatz}, lat: 52.5219, lon: 13.4132,
                   zones: [{slug: north, name: {en: North}}, {slug: south, name: {en: South}}]}
officers: [polizei]
organizers:
  A: {full_name: Anna}
  B: {kind: organization, full_name: Ben, organization_name: Mieterverein}
steps:
  - {at: "2026-12-21 09:00", file: A, type: assembly, place: alexanderplatz, purpose: Rents,
     from: "2026-12-28 10:00", to: "2026-12-28 12:00", participants: 40}
  - {at: "2026-12-23 11:00", file: B, type: assembly, place: alexanderplatz, purpose: Rents too,
     from: "2026-12-28 10:00", to: "2026-12-28 12:00", participants: 40}
  - {at: "2026-12-23 12:00", decide: A, outcome: accepted}
  - {at: "2026-12-28 09:30", check_in: A}
"""


@pytest.mark.django_db
def test_any_case_replays_from_its_file_under_its_own_rulebook(tmp_path):
    from agora.notices.scenario import load, replay_file

    path = tmp_path / "berlin.yaml"
    path.write_text(BERLIN)
    result = replay_file(load(path))
    a, b = result["notices"]["A"], result["notices"]["B"]
    assert result["rulebook"] == "de-be-versfg" and result["scenario"] == "berlin-test"
    assert a["status"] == "accepted" and a["checked_in"] == "2026-12-28T09:30:00+01:00"
    assert b["status"] == "submitted"
    # B filed at 11:00 on the 23rd, one hour after the last lawful moment (48 h, Christmas not counted)
    assert "pre-check: late_notice" in result["steps"][2]
    assert result["allocation"] is None and result["flags"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("purpose: Rents,", "purpose: Rents,"),  # nothing changed: a valid file (the control)
        ("decide: A, outcome: accepted", "decide: C, outcome: accepted"),
        ("check_in: A}", "check_in: A, check_out: A}"),
        ("participants: 40}", "participants: -3}"),
    ],
)
def test_a_malformed_scenario_is_refused_naming_the_step(tmp_path, change, message):
    from agora.notices.scenario import ScenarioError, load

    path = tmp_path / "bad.yaml"
    path.write_text(BERLIN.replace(change, message, 1))
    if change == message:
        assert load(path).id == "berlin-test"
        return
    with pytest.raises(ScenarioError, match=r"^bad.yaml: .*steps"):
        load(path)


def test_the_command_names_an_unknown_scenario_or_rulebook(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "agora.cli", "scenario", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    missing = run("no-such-case")
    assert missing.returncode != 0 and "no such scenario file (shipped: almaty-2022-03-19)" in missing.stderr
    unknown = run("almaty-2022-03-19", "--rulebook", "mars-2099")
    assert unknown.returncode != 0 and "unknown rulebook 'mars-2099'" in unknown.stderr
