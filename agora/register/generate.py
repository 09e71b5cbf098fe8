"""Bulk-generated notices for benchmarks: a register of any size, in seconds, inside the
database (generate_series on PostgreSQL; batched inserts elsewhere). Benchmarks only."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction

from agora.notices.models import Notice
from agora.notices.workflow import Status

TYPES = ["rally", "picket", "meeting", "march"]
TOPICS = ["environment", "transport", "city", "prices", "rights", "media"]
STATES = [
    Status.ACCEPTED,
    Status.REFUSED,
    Status.HELD,
    Status.SUBMITTED,
    Status.WITHDRAWN,
    Status.DEEMED_ACCEPTED,
    Status.ACCEPTED_WITH_CONDITIONS,
    Status.NOT_HELD,
]
PURPOSES = [
    "Rally for clean air",
    "Picket for public transport",
    "Meeting on city parks",
    "March for fair elections",
    "Rally against tariff increases",
    "Picket for safer crossings",
    "Meeting on housing",
    "Rally for independent media",
]
START = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)


def generate_notices(count: int, made: dict) -> None:
    almaty = made["almaty"]
    venues = list(almaty.venues.values_list("pk", flat=True))
    organizers = list(Notice.objects.values_list("organizer_id", flat=True).distinct())
    rulebook = almaty.rulebook_id
    if connection.vendor == "postgresql":
        _generate_sql(count, almaty.pk, venues, organizers, rulebook)
    else:
        _generate_orm(count, almaty.pk, venues, organizers, rulebook)


def _generate_sql(count, jurisdiction, venues, organizers, rulebook) -> None:
    sql = """
    INSERT INTO notices_notice (reference, jurisdiction_id, organizer_id, assembly_type, topic, purpose,
        venue_id, starts_at, ends_at, expected_participants, equipment, stewards, language, status,
        created_at, filed_at, decision_due_at, rulebook_id, violations, withdraw_reason, appeal_text,
        secret)
    SELECT 'BEN-' || i, %(j)s, (%(organizers)s::bigint[])[1 + i %% %(no)s],
        (%(types)s::text[])[1 + i %% 4],
        (%(topics)s::text[])[1 + (i / 5) %% %(nt)s],
        (%(purposes)s::text[])[1 + (i / 7) %% %(np)s] || ' #' || i,
        (%(venues)s::bigint[])[1 + (i / 3) %% %(nv)s],
        day + (i %% 10) * interval '1 hour', day + (i %% 10 + 2) * interval '1 hour',
        10 + i %% 500, '', 0, 'ru', (%(states)s::text[])[1 + (i / 11) %% %(ns)s], now(),
        day - interval '12 days' + i * interval '1 millisecond', day - interval '7 days',
        %(rb)s, '[]', '', '', md5(random()::text) || md5(random()::text)
    FROM generate_series(1, %(n)s) AS i,
        LATERAL (SELECT %(start)s::timestamptz + (i %% 730) * interval '1 day' AS day) AS d
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "j": jurisdiction,
                "organizers": organizers,
                "no": len(organizers),
                "types": TYPES,
                "topics": TOPICS,
                "nt": len(TOPICS),
                "purposes": PURPOSES,
                "np": len(PURPOSES),
                "venues": venues,
                "nv": len(venues),
                "states": [str(s) for s in STATES],
                "ns": len(STATES),
                "start": START,
                "rb": rulebook,
                "n": count,
            },
        )
    with connection.cursor() as cursor:
        # as autovacuum would, after a bulk load (inside a transaction, a test's, only ANALYZE can)
        cursor.execute(
            "ANALYZE notices_notice" if connection.in_atomic_block else "VACUUM ANALYZE notices_notice"
        )


def _generate_orm(count, jurisdiction, venues, organizers, rulebook) -> None:
    rng = random.Random(1)
    batch = []
    for i in range(1, count + 1):
        day = START + dt.timedelta(days=i % 730, hours=i % 10)
        batch.append(
            Notice(
                reference=f"BEN-{i}",
                jurisdiction_id=jurisdiction,
                organizer_id=organizers[i % len(organizers)],
                assembly_type=TYPES[i % 4],
                topic=TOPICS[(i // 5) % len(TOPICS)],
                purpose=f"{PURPOSES[(i // 7) % len(PURPOSES)]} #{i}",
                venue_id=venues[(i // 3) % len(venues)],
                starts_at=day,
                ends_at=day + dt.timedelta(hours=2),
                expected_participants=10 + rng.randrange(500),
                status=STATES[(i // 11) % len(STATES)],
                filed_at=day - dt.timedelta(days=12) + dt.timedelta(milliseconds=i),
                decision_due_at=day - dt.timedelta(days=7),
                rulebook_id=rulebook,
            )
        )
        if len(batch) == 5000:
            Notice.objects.bulk_create(batch)
            batch = []
    Notice.objects.bulk_create(batch)
