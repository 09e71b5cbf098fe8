"""The SQLite half of the no-overlap guarantee (PostgreSQL's is an exclusion constraint,
migration 0002). SQLite drops a table's triggers whenever a migration rebuilds the table,
so they are (re)created after every `migrate` as well as by migration 0002."""

SQLITE_CHECK = """
WHEN NEW.held_until > NEW.starts_at AND EXISTS (
  SELECT 1 FROM scheduling_booking AS b
  WHERE b.zone_id = NEW.zone_id AND b.id IS NOT NEW.id
    AND b.held_until > b.starts_at
    AND b.starts_at < NEW.held_until AND NEW.starts_at < b.held_until)
BEGIN SELECT RAISE(ABORT, 'booking_no_overlap_per_zone: overlapping booking on this zone'); END;
"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS booking_no_overlap_{op.lower()} "
    f"BEFORE {op} ON scheduling_booking {SQLITE_CHECK}"
    for op in ("INSERT", "UPDATE")
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS booking_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS booking_no_overlap_update;",
]


def ensure_sqlite_triggers(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scheduling_booking'")
        if cursor.fetchone():
            for sql in SQLITE_TRIGGERS:
                cursor.execute(sql)


def on_post_migrate(sender, using, **kwargs) -> None:
    from django.db import connections

    ensure_sqlite_triggers(connections[using])
