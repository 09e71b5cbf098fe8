"""Agora served by gunicorn on loopback, as in production: several worker processes on
one database. Started in its own process group so that `kill()` can SIGKILL the lot."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from .pgcluster import free_port


class Server:
    def __init__(
        self, database_url: str, *, workers: int = 5, log_path: str | None = None, env: dict | None = None
    ):
        self.database_url = database_url
        self.extra_env = env or {}
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or os.devnull
        self.process: subprocess.Popen | None = None

    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "agora.settings",
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "60",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            # the load is the point here; the limits have their own tests
            "AGORA_API_RATE_ANONYMOUS": "1000000/m",
            "AGORA_API_RATE_TOKEN": "1000000/m",
            "HUEY_IMMEDIATE": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            **self.extra_env,
        }

    def start(self, timeout: float = 60) -> Server:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the server's lifetime
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "agora.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--backlog",
                "2048",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
            ],  # fmt: skip
            env=self.env(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer /healthz in {timeout} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no cleanup, no graceful shutdown."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
