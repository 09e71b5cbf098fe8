"""No two bookings hold overlapping time on one zone: enforced by the database.

PostgreSQL: an exclusion constraint over (zone, [starts_at, held_until)) with btree_gist.
SQLite: triggers that abort an insert or update creating an overlap (writers are also
serialised by BEGIN IMMEDIATE, see settings). A booking released in full
(held_until = starts_at) holds nothing and is left out of both.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

PG_ADD = """
ALTER TABLE scheduling_booking ADD CONSTRAINT booking_no_overlap_per_zone
EXCLUDE USING gist (zone_id WITH =, tstzrange(starts_at, held_until, '[)') WITH &&)
WHERE (held_until > starts_at);
"""
PG_DROP = "ALTER TABLE scheduling_booking DROP CONSTRAINT booking_no_overlap_per_zone;"

# Kept inline (not imported from agora.scheduling.dbguard) so this migration never changes.
SQLITE_CHECK = """
WHEN NEW.held_until > NEW.starts_at AND EXISTS (
  SELECT 1 FROM scheduling_booking AS b
  WHERE b.zone_id = NEW.zone_id AND b.id IS NOT NEW.id
    AND b.held_until > b.starts_at
    AND b.starts_at < NEW.held_until AND NEW.starts_at < b.held_until)
BEGIN SELECT RAISE(ABORT, 'booking_no_overlap_per_zone: overlapping booking on this zone'); END;
"""
SQLITE_ADD = [
    f"CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON scheduling_booking {SQLITE_CHECK}",
    f"CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE ON scheduling_booking {SQLITE_CHECK}",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS booking_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS booking_no_overlap_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        BtreeGistExtension(),  # a no-op on SQLite
        migrations.RunPython(
            _run({"postgresql": [PG_ADD], "sqlite": SQLITE_ADD}),
            _run({"postgresql": [PG_DROP], "sqlite": SQLITE_DROP}),
        ),
    ]
