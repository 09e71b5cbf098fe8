"""The CSV export on PostgreSQL: one `COPY (SELECT …) TO STDOUT` that writes every row in
the database, formatted there exactly as `queries._row` and `views.register_csv` write it
in Python (times in the place's zone with their offset, a notice's first and last decision,
its first firm booking, the grounds of all its decisions in order, formulas neutralised in
the fields people write), so rows leave at the speed PostgreSQL writes them instead of
Python's (~9,000 a second at 1,000,000 notices). tests/test_exports.py holds the two to
the same rows; SQLite keeps the Python path."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.utils.translation import gettext

from agora.notices.models import Decision, Notice
from agora.rules.models import Jurisdiction
from agora.scheduling.models import MOVED, Booking, Offer
from agora.venues.models import Venue

from .queries import CSV_FIELDS

# the register reads the organizer only as `public_name` does (kind, organization name, id)
Organizer = Notice._meta.get_field("organizer").related_model
# views.FORMULA_PIECE in PostgreSQL's regular expressions (a real tab and carriage return)
FORMULA = "(^|[;,\t])(\\s*)(?=[=+\\-@\t\r])"


def _safe(expression: str) -> str:
    return f"regexp_replace({expression}, '{FORMULA}', '\\1\\2''', 'g')"


def _iso(expression: str) -> str:
    """ISO 8601 in the jurisdiction's zone with its offset, as Python's isoformat writes it
    (microseconds only when there are some); '' for none."""
    local = f"({expression} AT TIME ZONE j.timezone)"
    offset = f"({local} - ({expression} AT TIME ZONE 'UTC'))"
    return (
        f"CASE WHEN {expression} IS NULL THEN '' ELSE "
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN mod(date_part('microseconds', {expression})::bigint, 1000000) <> 0"
        f" THEN '.' || to_char({local}, 'US') ELSE '' END"
        f" || CASE WHEN {offset} < interval '0' THEN '-' ELSE '+' END"
        f" || to_char(CASE WHEN {offset} < interval '0' THEN -{offset} ELSE {offset} END, 'HH24:MI') END"
    )


def _statement(ids_sql: str) -> str:
    notice, decision, booking, offer = (m._meta.db_table for m in (Notice, Decision, Booking, Offer))
    organizer, venue, jurisdiction = (m._meta.db_table for m in (Organizer, Venue, Jurisdiction))
    columns = {
        "reference": "n.reference",
        "type": "n.assembly_type",
        "topic": _safe("coalesce(n.topic, '')"),
        "purpose": _safe("n.purpose"),
        "organizer": _safe(
            f"CASE WHEN o.kind = '{Organizer.Kind.ORGANIZATION}' THEN o.organization_name"
            " ELSE replace(%s, '%%(n)s', o.id::text) END"
        ),
        "venue": _safe("coalesce(v.name->>'en', '')"),
        "venue_id": "n.venue_id::text",
        "requested_start": _iso("n.starts_at"),
        "requested_end": _iso("n.ends_at"),
        "booked_start": _iso("b.starts_at"),
        "booked_end": _iso("b.ends_at"),
        "filed_at": _iso("n.filed_at"),
        "status": "n.status",
        "decision": "coalesce(l.outcome, '')",
        "decision_reference": "coalesce(l.reference, '')",
        "grounds": _safe("coalesce(g.grounds, '')"),
        "reasoning": _safe("coalesce(l.reasoning, '')"),
        "decided_at": _iso("f.decided_at"),
        "hours_to_decision": "CASE WHEN f.decided_at IS NULL OR n.filed_at IS NULL THEN '' ELSE"
        " round(extract(epoch FROM (f.decided_at - n.filed_at)) / 3600, 1)::text END",
        "decided_after_deadline": "CASE WHEN f.decided_at IS NULL THEN ''"
        " WHEN n.decision_due_at IS NOT NULL AND f.decided_at > n.decision_due_at THEN 'True'"
        " ELSE 'False' END",
    }
    assert list(columns) == CSV_FIELDS, "the COPY export must write the CSV export's columns"
    select = ",\n  ".join(f'{sql} AS "{name}"' for name, sql in columns.items())
    # only table names and the models' own constants are formatted in; what a reader sent
    # (the filters) and the translated words go as parameters
    # notices in the register's order, each with its own lookups by its id: rows leave as
    # they are made. The orderings are written as row values so that PostgreSQL looks a
    # notice's decisions up by notice (and sorts its few), never by walking the decisions'
    # time index for each notice (minutes at 100,000 notices).
    # The filtered notices come first, in order, behind OFFSET 0 (so the filter is applied
    # before the lookups, not after them for every notice, and the order carries through).
    return f"""COPY (SELECT
  {select}
FROM (SELECT * FROM {notice} WHERE id IN ({ids_sql}) ORDER BY filed_at DESC, id DESC OFFSET 0) n
JOIN {organizer} o ON o.id = n.organizer_id
JOIN {venue} v ON v.id = n.venue_id
JOIN {jurisdiction} j ON j.id = n.jurisdiction_id
LEFT JOIN LATERAL (SELECT d.outcome, d.reference, d.reasoning FROM {decision} d
  WHERE d.notice_id = n.id ORDER BY (d.decided_at, d.id) DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (SELECT d.decided_at FROM {decision} d
  WHERE d.notice_id = n.id ORDER BY (d.decided_at, d.id) LIMIT 1) f ON true
LEFT JOIN LATERAL (SELECT bk.starts_at, bk.ends_at FROM {booking} bk
  LEFT JOIN {offer} so ON so.id = bk.offer_id
  LEFT JOIN {decision} ad ON ad.id = bk.alternative_id
  WHERE bk.notice_id = n.id AND (bk.offer_id IS NULL OR so.state = '{Offer.State.ACCEPTED}')
    AND (bk.alternative_id IS NULL OR ad.alternative_answer = 'accepted')
    AND bk.release_reason <> '{MOVED}'
  ORDER BY (bk.starts_at, bk.id) LIMIT 1) b ON true
LEFT JOIN LATERAL (SELECT string_agg(x.g, ' ' ORDER BY x.at, x.did, x.i) AS grounds FROM (
    SELECT DISTINCT ON (e.g) e.g, d.decided_at AS at, d.id AS did, e.i
    FROM {decision} d, jsonb_array_elements_text(d.grounds) WITH ORDINALITY AS e(g, i)
    WHERE d.notice_id = n.id ORDER BY e.g, d.decided_at, d.id, e.i) x) g ON true
ORDER BY n.filed_at DESC, n.id DESC
) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"""  # noqa: S608 (our own constants)


def csv_lines(rows) -> Iterator[bytes]:
    """The CSV of every notice `rows` (a queryset of notices) selects, as PostgreSQL writes
    it (a line at a time)."""
    ids_sql, ids_params = rows.order_by().values("id").query.sql_with_params()
    params = (gettext("private organizer no. %(n)s"), *ids_params)  # in the order they appear
    yield (",".join(f'"{name}"' for name in CSV_FIELDS) + "\n").encode()  # quoted, as every cell
    with connection.cursor() as cursor, cursor.cursor.copy(_statement(ids_sql), params) as copy:
        for block in copy:
            yield bytes(block)
