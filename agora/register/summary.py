"""The public statistics as a summary: computed by the job queue, one computation at a time,
and read by the statistics page and the API (one query, whatever the size of the history).

A reader who finds the figures older than STALE_AFTER asks the queue for fresh ones and is
shown the ones there are, with the time they were computed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from huey.exceptions import ResultTimeout, TaskException

from . import stats
from .models import Summary

KEY = "statistics"
STALE_AFTER = dt.timedelta(minutes=5)
FIRST_WAIT_SECONDS = 5


def statistics() -> Summary | None:
    """The newest statistics there are (None before the first are computed)."""
    found = Summary.objects.filter(key=KEY).first()
    stale = found is None or timezone.now() - found.computed_at > STALE_AFTER
    # one request for a recompute per minute reaches the queue, however many readers
    if stale and cache.add("statistics-refresh-asked", True, timeout=60):
        from .tasks import refresh_statistics

        asked = refresh_statistics()
        if found is None:
            # the very first: a small register is done in a moment, so wait that long
            with contextlib.suppress(ResultTimeout, TaskException):
                asked.get(blocking=True, timeout=FIRST_WAIT_SECONDS)
            found = Summary.objects.filter(key=KEY).first()
    return found


def sections(found: Summary | None) -> list[dict]:
    """The summary's figures in the reader's language (kept a while per language and summary)."""
    if found is None:
        return []
    key = f"statistics-sections:{get_language()}:{found.computed_at.isoformat()}"
    return cache.get_or_set(
        key, lambda: stats.sections(found.figures), timeout=int(STALE_AFTER.total_seconds()) * 2
    )


def refresh(*, force: bool = False) -> Summary:
    """Compute the figures and keep them; unless forced, not when fresh ones are there (the
    queue may hold several requests made while one computation ran)."""
    found = Summary.objects.filter(key=KEY).first()
    if found and not force and timezone.now() - found.computed_at <= STALE_AFTER:
        return found
    started, now = time.monotonic(), timezone.now()
    figures = stats.figures(now)
    found, _ = Summary.objects.update_or_create(
        key=KEY, defaults={"figures": figures, "computed_at": now, "seconds": time.monotonic() - started}
    )
    cache.delete("statistics-refresh-asked")
    return found
