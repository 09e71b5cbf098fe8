"""Rate limits that hold with many workers: one atomic increment per request in the shared
cache (Redis in production), so concurrent requests cannot slip past a count; a bad token is
counted like an anonymous call."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from agora.api import core

API = "/api/v1"
REDIS = "redis://127.0.0.1:6379/15"


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


BACKENDS = [
    pytest.param({"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, id="locmem"),
    pytest.param(
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
        id="redis",
        marks=pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379"),
    ),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_sixty_four_threads_against_a_limit_of_120_let_exactly_120_through(backend, monkeypatch):
    with override_settings(CACHES={"default": backend}):
        monkeypatch.setattr(core, "cache", caches["default"])
        key, passed, lock = f"test:{uuid.uuid4()}", [], threading.Lock()
        start = threading.Barrier(64)

        def client():
            start.wait()
            for _ in range(4):  # 256 requests in all
                if core.hit(key, "120/h") is None:
                    with lock:
                        passed.append(1)

        threads = [threading.Thread(target=client) for _ in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(passed) == 120


def test_bad_tokens_are_throttled_like_anonymous_calls(client, db, settings):
    settings.AGORA_API_RATE_ANONYMOUS = "3/m"
    guesses = [
        client.get(API + "/notices", HTTP_AUTHORIZATION=f"Bearer agora_guess{n}").status_code
        for n in range(5)
    ]
    assert guesses == [401, 401, 401, 429, 429]
    limited = client.get(API + "/notices", HTTP_AUTHORIZATION="Bearer agora_guess9")
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1
