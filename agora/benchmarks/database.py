"""A temporary database beside the configured one, so benchmarks never touch real data."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def temporary_database(*, on_disk: bool = False) -> Iterator[str]:
    """Create a fresh, migrated database and point this process at it; yields a
    DATABASE_URL for other processes (a server) to reach the same database.

    `on_disk`: SQLite would otherwise be in memory, out of reach of other processes.
    """
    test = settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor == "sqlite":
        if on_disk:
            test["NAME"] = os.path.join(tempfile.gettempdir(), f"agora_bench_{os.getpid()}.sqlite3")
    else:
        test["NAME"] = f"agora_bench_{os.getpid()}"
    original = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield _url_of(name)
    finally:
        connection.close()
        connection.creation.destroy_test_db(original, verbosity=0)


def _url_of(name: str) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))
