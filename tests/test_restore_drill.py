"""The backup and restore drill of docs/operations.md, performed: a database with the demo
city is dumped with pg_dump, restored with pg_restore into an empty database, and the
restored copy must verify its audit chain, extend the digest taken before the backup,
keep its constraints and triggers, and take new writes."""

import contextlib
import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from agora.benchmarks import pgcluster

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not ON_POSTGRES and not pgcluster.available(),
        reason="needs PostgreSQL (DATABASE_URL or postgresql installed)",
    ),
]


@contextlib.contextmanager
def server():
    if ON_POSTGRES:
        yield os.environ["DATABASE_URL"]
    else:
        with pgcluster.throwaway() as url:
            yield url


def with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def agora(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "agora.settings"}
    done = subprocess.run([sys.executable, "-m", "agora.cli", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done.stdout


def tool(name: str) -> str:
    found = pgcluster._bin()
    return os.path.join(found, name) if found else name


def test_a_pg_dump_restores_into_a_working_verifiable_database(tmp_path):
    pid = os.getpid()
    source_name, copy_name = f"agora_drill_{pid}", f"agora_drill_copy_{pid}"
    with server() as base:
        with psycopg.connect(base, autocommit=True) as admin:
            for name in (source_name, copy_name):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
        source, copy = with_name(base, source_name), with_name(base, copy_name)
        try:
            agora(source, "migrate", "--noinput")
            agora(source, "load-demo")
            digest = tmp_path / "digest.json"
            digest.write_text(agora(source, "audit", "digest"))
            before = json.loads(digest.read_text())

            dump = tmp_path / "agora.dump"
            subprocess.run([tool("pg_dump"), "-Fc", "--no-owner", "-d", source, "-f", str(dump)], check=True)
            subprocess.run(
                [tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", copy, str(dump)], check=True
            )

            assert f"audit log intact: {before['count']} events" in agora(copy, "audit", "verify")
            assert "extends the digest" in agora(copy, "audit", "verify", "--from-digest", str(digest))
            with psycopg.connect(source) as a, psycopg.connect(copy) as b:
                count = "SELECT count(*) FROM notices_notice"
                assert a.execute(count).fetchone() == b.execute(count).fetchone()
                constraints = b.execute("SELECT conname FROM pg_constraint WHERE contype = 'x'").fetchall()
                assert constraints, "the no-overlap exclusion constraint came back"
                triggers = b.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()
                assert triggers, "the append-only audit trigger came back"
            agora(copy, "migrate", "--check")  # at the code's schema
            write = (
                "from django.contrib.auth import get_user_model; "
                "from agora.accounts.tokens import create_token; "
                "create_token(get_user_model().objects.get(username='aigerim'), 'after restore')"
            )
            agora(copy, "shell", "-c", write)  # the restored copy takes writes, chained on
            assert f"audit log intact: {before['count'] + 1} events" in agora(copy, "audit", "verify")
        finally:
            with psycopg.connect(base, autocommit=True) as admin:
                for name in (source_name, copy_name):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
