"""Full-text search of notice purposes for the public register: a GIN index on PostgreSQL
(SQLite searches with LIKE)."""

from django.db import migrations

PG_ADD = (
    "CREATE INDEX IF NOT EXISTS register_purpose_search ON notices_notice "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(purpose, '')))"
)
PG_DROP = "DROP INDEX IF EXISTS register_purpose_search"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [("notices", "0005_register_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
