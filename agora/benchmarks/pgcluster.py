"""A throwaway PostgreSQL cluster on a free loopback port, for CI and the benchmarks.

    python3 -m agora.benchmarks.pgcluster start   → prints `export AGORA_PG_URL=… PGDATA_DIR=…`
    python3 -m agora.benchmarks.pgcluster stop DIR
    python3 -m agora.benchmarks.pgcluster ci      → the machine's server on 127.0.0.1:5432 when
                                                    it answers (PGDATA_DIR empty), else `start`

Standard library only (CI calls it before anything is installed). Installs PostgreSQL with
apt-get when it is missing and we are root; as root the cluster runs as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator


def _bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


def available() -> bool:
    return _bin() is not None or (os.geteuid() == 0 and shutil.which("apt-get") is not None)


def _install() -> str:
    if _bin() is None:
        if os.geteuid() != 0:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql, as root).")
        print("PostgreSQL not found; installing it with apt-get", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env, stdout=sys.stderr
        )
    return _bin()


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> tuple[str, str]:
    """Start a cluster; returns (database URL, its directory)."""
    binary = _install()
    directory = tempfile.mkdtemp(prefix="agora-pg.")
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    port = free_port()
    data = os.path.join(directory, "data")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": sys.stderr}
    subprocess.run(
        _as_owner(
            [f"{binary}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
        ),
        check=True,
        **quiet,
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
    subprocess.run(
        _as_owner(
            [
                f"{binary}/pg_ctl",
                "-D",
                data,
                "-l",
                os.path.join(directory, "log"),
                "-w",
                "-o",
                options,
                "start",
            ]
        ),
        check=True,
        **quiet,
    )
    subprocess.run(
        _as_owner([f"{binary}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "agora"]),
        check=True,
    )
    return f"postgres://postgres@127.0.0.1:{port}/agora", directory


def stop(directory: str) -> None:
    binary = _bin()
    if binary:
        subprocess.run(
            _as_owner(
                [f"{binary}/pg_ctl", "-D", os.path.join(directory, "data"), "-m", "fast", "-w", "stop"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def throwaway() -> Iterator[str]:
    """A cluster for the duration of a `with`; yields its URL (database `agora`, created)."""
    url, directory = start()
    try:
        yield url
    finally:
        stop(directory)


# the tests need no durability: commits do not wait for the disk (as the throwaway cluster's
# fsync=off), so CI's PostgreSQL pass is not slowed by a shared server's settings
MACHINE = "postgres://postgres@127.0.0.1:5432/agora_ci?options=-c%20synchronous_commit%3Doff"


def machine_answers() -> bool:
    """Does the machine's PostgreSQL answer on 127.0.0.1:5432 as `postgres` (trust)?"""
    psql = shutil.which("psql")
    if psql is None:
        return False
    done = subprocess.run(
        [psql, "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", "postgres", "-Atc", "select 1"],
        capture_output=True,
        text=True,
        timeout=10,
        env={**os.environ, "PGCONNECT_TIMEOUT": "3"},
    )
    return done.returncode == 0 and done.stdout.strip() == "1"


if __name__ == "__main__":
    if sys.argv[1:2] == ["ci"] and machine_answers():
        subprocess.run(  # the database the URL names (it may be there from an earlier run)
            ["createdb", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "agora_ci"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(f"export AGORA_PG_URL='{MACHINE}' PGDATA_DIR=", flush=True)
    elif sys.argv[1:2] in (["start"], ["ci"]):
        url, directory = start()
        print(f"export AGORA_PG_URL={url} PGDATA_DIR={directory}")
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        if sys.argv[2]:  # empty: the machine's server, which is not ours to stop
            stop(sys.argv[2])
    else:
        sys.exit("usage: python3 -m agora.benchmarks.pgcluster start | ci | stop DIR")
