"""`agora bench register | race | submit | verify | city | log | day-plan`: see README, "Benchmarks".

Each runs on a temporary database of its own (your data is not touched): on PostgreSQL
when DATABASE_URL points at one. `race` and `submit` need PostgreSQL as in production:
without DATABASE_URL they start a throwaway cluster (agora/benchmarks/pgcluster.py), run
themselves against it, and remove it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from agora.benchmarks import pgcluster
from agora.benchmarks.database import temporary_database


class Command(BaseCommand):
    help = (
        "Benchmarks: register (filtered pages), race (concurrent bookings), submit (notices per "
        "second), verify (the audit log replayed on years of history), city, log (the log's proofs), "
        "day-plan (the day plan page on a busy day)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        register = sub.add_parser("register", help="the public register's filtered pages")
        register.add_argument("--notices", type=int, default=1_000_000)
        register.add_argument("--repeat", type=int, default=5)
        race = sub.add_parser("race", help="concurrent notices and accepts for overlapping slots")
        race.add_argument("--clients", type=int, default=200)
        race.add_argument("--requests", type=int, default=2000)
        race.add_argument("--organizers", type=int, default=50)
        race.add_argument("--seed", type=int, default=1)
        race.add_argument(
            "--kill-after",
            type=int,
            default=None,
            help="SIGKILL the server after this many answers, restart it and carry on",
        )
        verify = sub.add_parser("verify", help="agora audit verify's time and memory on years of history")
        verify.add_argument("--notices", type=int, default=1_000_000)
        submit = sub.add_parser("submit", help="notices filed per second through the API vs. /healthz")
        submit.add_argument("--clients", type=int, default=16)
        submit.add_argument("--requests", type=int, default=1000)
        submit.add_argument("--organizers", type=int, default=20)
        city = sub.add_parser("city", help="the city at scale: each figure of issue 17 beside its target")
        city.add_argument("--notices", type=int, default=1_000_000)
        city.add_argument("--repeat", type=int, default=3)
        city.add_argument("--explain", metavar="FILE", help="write the slowest queries' plans (PostgreSQL)")
        log = sub.add_parser("log", help="the audit log's Merkle tree and proofs; signing letters")
        log.add_argument("--events", type=int, default=1_000_000)
        log.add_argument("--repeat", type=int, default=3)
        plan = sub.add_parser("day-plan", help="the day plan and decision pages on a busy day")
        plan.add_argument("--notices", type=int, default=60, help="notices waiting for the day")
        plan.add_argument("--accepted", type=int, default=12, help="accepted rallies that could move")
        plan.add_argument("--seed", type=int, default=1)
        plan.add_argument("--repeat", type=int, default=3)
        for each in (register, race, submit, verify, city, log, plan):
            each.add_argument("--format", choices=["text", "json"], default="text")
            if each in (race, submit):
                each.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)

    def handle(self, *args, what, format, **options):
        if what in ("race", "submit") and "DATABASE_URL" not in os.environ:
            return self._on_throwaway_cluster()
        report = getattr(self, f"_{what.replace('-', '_')}")(**options)
        if format == "json":
            self.stdout.write(json.dumps(report, default=str))
        elif what == "city":
            self._city_table(report)
        else:
            self.stdout.write(f"{what} bench on {report.get('database', connection.vendor)}:")
            for key, value in report.items():
                self.stdout.write(f"  {key:24} {value}")
        if what == "race" and (report["overlaps"] or report["lost"] or report["server_errors"]):
            raise CommandError("the race broke a promise: see overlaps, lost and server_errors above")

    def _city_table(self, report):
        self.stdout.write(
            f"city bench on {report['database']}: {report['notices']:,} notices, "
            f"{report['bookings']:,} bookings, {report['decisions']:,} decisions "
            f"(generated in {report['generate_seconds']} s)"
        )
        self.stdout.write(f"  {'what':28} {'value':>12} {'target':>12}  ok")
        for name, row in report["rows"].items():
            value = f"{row['value']:g} {row['unit']}"
            target = f"{row['target']} {row['unit']}"
            self.stdout.write(f"  {name:28} {value:>12} {target:>12}  {'yes' if row['ok'] else 'NO'}")

    def _on_throwaway_cluster(self):
        if not pgcluster.available():
            raise CommandError("needs PostgreSQL: set DATABASE_URL, or install postgresql (apt-get).")
        with pgcluster.throwaway() as url:
            done = subprocess.run(
                [sys.executable, "-m", "agora.cli", *sys.argv[1:]], env={**os.environ, "DATABASE_URL": url}
            )
        if done.returncode:
            raise CommandError(f"the benchmark failed (exit {done.returncode})")

    def _register(self, *, notices, repeat, **_):
        from agora.benchmarks.register import run_register_bench

        if notices < 100 or repeat < 1:
            raise CommandError("--notices must be at least 100 and --repeat at least 1.")
        with temporary_database():
            return run_register_bench(notices, repeat)

    def _city(self, *, notices, repeat, explain=None, **_):
        from agora.benchmarks.city import run_city_bench

        if notices < 100 or repeat < 1:
            raise CommandError("--notices must be at least 100 and --repeat at least 1.")
        with temporary_database():
            return run_city_bench(notices, repeat, explain)

    def _log(self, *, events, repeat, **_):
        from django.test import override_settings

        from agora.benchmarks.log import keys_for_bench, run_log_bench

        if events < 1 or repeat < 1:
            raise CommandError("--events and --repeat must be at least 1.")
        with temporary_database(), keys_for_bench() as keys, override_settings(AGORA_KEY_DIR=Path(keys)):
            return run_log_bench(events, repeat)

    def _day_plan(self, *, notices, accepted, seed, repeat, **_):
        from agora.benchmarks.day_plan import run_day_plan_bench

        if notices < 1 or accepted < 0 or repeat < 1:
            raise CommandError("--notices and --repeat must be at least 1, --accepted at least 0.")
        with temporary_database():
            return run_day_plan_bench(notices, accepted, seed, repeat)

    def _verify(self, *, notices, **_):
        from agora.benchmarks.verify import run_verify_bench

        if notices < 100:
            raise CommandError("--notices must be at least 100.")
        with temporary_database(on_disk=True) as url:
            return run_verify_bench(notices, url)

    def _server_bench(self, run, *, organizers, workers, clients, requests):
        from agora.benchmarks.race import prepare
        from agora.benchmarks.server import Server

        if clients < 1 or requests < 1 or workers < 1:
            raise CommandError("--clients, --requests and --workers must be at least 1.")
        with temporary_database(on_disk=True) as url:
            world = prepare(organizers)
            log = os.path.join(tempfile.gettempdir(), f"agora-bench-server-{os.getpid()}.log")
            server = Server(url, workers=workers, log_path=log)
            try:
                server.start()
                report = run(server, world)
            finally:
                server.stop()
            connection.close()
            return {"database": connection.vendor, "workers": workers, **report, "server_log": log}

    def _race(self, *, clients, requests, organizers, seed, kill_after, workers, **_):
        from agora.benchmarks.race import check, run_load, summarise

        def run(server, world):
            done = run_load(
                server, world, clients=clients, requests=requests, seed=seed, kill_after=kill_after
            )
            return summarise(done, check(done["results"]), clients=clients)

        return self._server_bench(
            run, organizers=organizers, workers=workers, clients=clients, requests=requests
        )

    def _submit(self, *, clients, requests, organizers, workers, **_):
        from agora.benchmarks.submit import run_submit

        def run(server, world):
            return run_submit(server, world, clients=clients, requests=requests)

        return self._server_bench(
            run, organizers=organizers, workers=workers, clients=clients, requests=requests
        )
