#!/usr/bin/env bash
# Make the upgrade drill's databases for a release: its code (a git tag or commit) migrates a
# fresh SQLite file and a fresh PostgreSQL database and loads the demo city, with this
# checkout's virtualenv. tests/test_upgrade.py upgrades them to the current code.
#   tools/upgrade_fixture.sh 0.4.0 8405c8b
set -euo pipefail
version=$1 commit=$2
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$(mktemp -d) work=$(mktemp -d)
git -C "$here" worktree add -q "$tree" "$commit"
trap 'git -C "$here" worktree remove --force "$tree"; rm -rf "$work"' EXIT
export PYTHONPATH=$tree DJANGO_SETTINGS_MODULE=agora.settings HUEY_IMMEDIATE=1
export AGORA_KEY_DIR=$work/keys AGORA_DUMP_DIR=$work/dumps
agora() { (cd "$tree" && "$here/.venv/bin/python" -m agora.cli "$@"); }
DATABASE_URL=sqlite:///$work/agora.sqlite3 agora migrate -v0
DATABASE_URL=sqlite:///$work/agora.sqlite3 agora load-demo
gzip -9 -c "$work/agora.sqlite3" > "$here/tests/upgrade/agora-$version.sqlite3.gz"
db=agora_fixture_$$
createdb -h 127.0.0.1 -U postgres "$db"
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db agora migrate -v0
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db agora load-demo
pg_dump -h 127.0.0.1 -U postgres --no-owner --no-privileges "$db" | gzip -9 > "$here/tests/upgrade/agora-$version.postgresql.sql.gz"
dropdb -h 127.0.0.1 -U postgres "$db"
echo "made tests/upgrade/agora-$version.{sqlite3,postgresql.sql}.gz; write its .json manifest (migrations, counts)"
