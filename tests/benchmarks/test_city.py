"""`agora bench city` at a small size: every row of issue 17's table, each with its value,
unit, target and whether it is met, and the statistics it times are the summary's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from agora.benchmarks.city import TARGETS


@pytest.mark.slow
def test_the_city_bench_reports_every_row_beside_its_target(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    command = [sys.executable, "-m", "agora.cli", "bench", "city", "--notices", "1000", "--repeat", "1"]
    out = subprocess.run(
        [*command, "--format", "json"], env=env, capture_output=True, text=True, timeout=600, check=True
    ).stdout
    report = json.loads(out)
    assert report["notices"] == 1000 and report["bookings"] > 0 and report["decisions"] > 0
    assert set(report["rows"]) == set(TARGETS)
    for name, row in report["rows"].items():
        assert set(row) >= {"value", "unit", "target", "ok"}, name
        assert row["value"] >= 0 and row["unit"] == TARGETS[name][0], name
        limit = float(row["target"].split()[1])
        assert row["ok"] == (
            row["value"] <= limit if row["target"].startswith("<=") else row["value"] >= limit
        )
    assert report["all_ok"] == all(row["ok"] for row in report["rows"].values())
