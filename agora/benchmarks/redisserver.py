"""A Redis for tests that need one: the machine's on 127.0.0.1:6379 when it answers, else a
throwaway redis-server on a free loopback port (installed with apt-get when missing and we
are root), keeping nothing on disk. Standard library only."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from .pgcluster import free_port


def answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Does a Redis answer PING there?"""
    try:
        with socket.create_connection((host, port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def available() -> bool:
    return answers() or shutil.which("redis-server") is not None or _can_install()


def _can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if not _can_install():
        raise RuntimeError("Redis is not installed (apt-get install redis-server, as root).")
    print("redis-server not found; installing it with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=sys.stderr)
    install = ["apt-get", "install", "-y", "-qq", "redis-server"]
    subprocess.run(install, check=True, env=env, stdout=sys.stderr)
    return shutil.which("redis-server") or "/usr/bin/redis-server"


@contextlib.contextmanager
def redis_url(db: int = 13) -> Iterator[str]:
    """A Redis URL on database `db`, emptied first (so a test starts from no counters)."""
    if answers():
        url = f"redis://127.0.0.1:6379/{db}"
        _flush(6379, db)
        yield url
        _flush(6379, db)
        return
    port, directory = free_port(), tempfile.mkdtemp(prefix="agora-redis.")
    process = subprocess.Popen(
        [_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not answers(port=port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the throwaway redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/{db}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def _flush(port: int, db: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        reply = b""
        while reply.count(b"\r\n") < 2:
            reply += s.recv(64)
