"""The public register's filtered pages on a large generated register.

Notices are generated in bulk inside the database (generate_series on PostgreSQL), then
each filter is timed through the same code the page uses (queries.filtered +
queries.page): the first page, and a deep page reached by cursor.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import CommandError
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
