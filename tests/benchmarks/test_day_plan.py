"""`agora bench day-plan` at a small size: the busy day is built, both pages answer as the
officer meets them, and what the plan found is consistent with its own bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_the_day_plan_bench_times_both_pages_on_a_busy_day(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    command = [sys.executable, "-m", "agora.cli", "bench", "day-plan", "--notices", "12", "--accepted", "3"]
    out = subprocess.run(
        [*command, "--repeat", "1", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    report = json.loads(out)
    assert report["accepted_before"] == 3 and report["waiting"] >= 12  # the demo's own come on top
    assert report["paper_process"] <= report["plan_accommodates"] <= report["waiting"]
    assert report["plan_accommodates"] - report["plan_in_part"] <= report["proven_bound"]
    assert report["with_moves_accommodates"] >= report["plan_accommodates"] - report["plan_in_part"]
    for page in ("day_plan_page", "decision_page"):
        assert report[f"{page}_median_s"] > 0 and report[f"{page}_queries"] > 0


def test_the_day_plan_bench_refuses_sizes_it_cannot_build():
    done = subprocess.run(
        [sys.executable, "-m", "agora.cli", "bench", "day-plan", "--notices", "0"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "--notices and --repeat must be at least 1" in done.stderr
