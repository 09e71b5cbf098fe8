"""A place and time: the one shape for what a notice holds, is offered or may take."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    venue: int
    zones: tuple[int, ...]
    starts_at: dt.datetime
    ends_at: dt.datetime

    @classmethod
    def of(cls, data: dict) -> Place:
        """From a stored alternative or an engine placement: {venue, zones, starts_at, ends_at},
        times as datetimes or ISO strings. Raises KeyError, TypeError or ValueError if malformed."""
        start, end = data["starts_at"], data["ends_at"]
        if isinstance(start, str):
            start = dt.datetime.fromisoformat(start)
        if isinstance(end, str):
            end = dt.datetime.fromisoformat(end)
        if not (isinstance(start, dt.datetime) and isinstance(end, dt.datetime)):
            raise TypeError("starts_at and ends_at must be times")
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("times need a time zone")
        zones = data.get("zones") or ([data["zone"]] if data.get("zone") else [])
        return cls(int(data["venue"]), tuple(int(z) for z in zones), start, end)

    def as_json(self) -> dict:
        return {
            "venue": self.venue,
            "zones": list(self.zones),
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
        }

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600
