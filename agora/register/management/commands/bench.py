"""`agora bench register`: the public register's filtered pages on a large generated register.

Runs on a temporary database of its own (your data is not touched): on PostgreSQL when
DATABASE_URL points at one (the production case), else on SQLite. Notices are generated
in bulk inside the database (generate_series on PostgreSQL), then each filter is timed
through the same code the page uses (queries.filtered + queries.page), first page and a
deep page reached by cursor.
"""

from __future__ import annotations

import json
import os
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

FILTERS = {
    "newest": {},
    "venue": {"venue": "VENUE"},
    "type": {"type": "picket"},
    "status": {"outcome": "refused"},
    "venue+type+range": {
        "venue": "VENUE",
        "type": "rally",
        "date_from": "2025-03-01",
        "date_to": "2025-06-30",
    },
    "text": {"q": "transport"},
}


class Command(BaseCommand):
    help = "Benchmarks. `agora bench register --notices N`: filtered register pages on N generated notices."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        register = sub.add_parser("register", help="the public register's filtered pages")
        register.add_argument("--notices", type=int, default=1_000_000)
        register.add_argument("--repeat", type=int, default=5)
        register.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, what, notices, repeat, format, **options):
        if notices < 100 or repeat < 1:
            raise CommandError("--notices must be at least 100 and --repeat at least 1.")
        if connection.vendor != "sqlite":
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"agora_bench_{os.getpid()}"
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            report = run_register_bench(notices, repeat)
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
        if format == "json":
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"register bench on {report['database']}: {report['notices']} notices "
            f"(generated in {report['generate_seconds']} s)"
        )
        for name, row in report["filters"].items():
            self.stdout.write(
                f"  {name:18} first page p50 {row['first_p50_ms']:7.1f} ms (max {row['first_max_ms']:.1f})"
                f"   deep page p50 {row['deep_p50_ms']:7.1f} ms   rows {row['rows']}"
            )


def run_register_bench(count: int, repeat: int) -> dict:
    from agora.demo import load_demo
    from agora.register import queries
    from agora.register.generate import generate_notices

    made = load_demo()
    began = time.perf_counter()
    generate_notices(count, made)
    generated = time.perf_counter() - began
    results = {}
    for name, raw in FILTERS.items():
        data = {k: (made["square"] if v == "VENUE" else v) for k, v in raw.items()}
        form = queries.RegisterFilter({k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()})
        if not form.is_valid():
            raise CommandError(f"bench filter {name} is invalid: {form.errors}")
        first, deep, rows = [], [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            items, cursor = queries.page(queries.filtered(form.cleaned_data), None)
            rows = [queries.public_row(n) for n in items]
            first.append((time.perf_counter() - t) * 1000)
            # a deep page: ten pages on, by cursor
            for _ in range(10):
                if cursor is None:
                    break
                t = time.perf_counter()
                items, cursor = queries.page(queries.filtered(form.cleaned_data), cursor)
                [queries.public_row(n) for n in items]
            deep.append((time.perf_counter() - t) * 1000)
        results[name] = {
            "rows": len(rows),
            "first_p50_ms": round(statistics.median(first), 2),
            "first_max_ms": round(max(first), 2),
            "deep_p50_ms": round(statistics.median(deep), 2),
        }
    return {
        "database": connection.vendor,
        "notices": count,
        "generate_seconds": round(generated, 1),
        "filters": results,
    }
