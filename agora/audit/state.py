"""What the log says of each record, and its replay against the tables.

Every event that changes a notice, a booking, an offer or a decision carries the changed
records as they are after the change, under `data["state"]`: `{"booking:40": {field: value}}`.
`verify` replays the log (the latest state of each record wins) and compares the result
with the tables, so a record changed, added or removed outside the application is named:
table, id, field, what the log says and what the table says.

A record's state keeps only what is public: facts in clear, long public text as its SHA-256,
personal data as an HMAC keyed by a secret of the record (never published, so a guess cannot
be confirmed by hashing it). Which field is kept how is a `Shape`, declared by the domain app
that owns the model (the audit app imports none) and registered at start-up.

The replay streams: the events pass once, their states go into a temporary SQLite file
(constant memory whatever the size of the log), then each table streams past it in chunks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

MISSING = object()


# one encoder, made once (json.dumps with options makes a new one at every call)
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
_DATETIME, _DATE = dt.datetime, dt.date


def _canonical(value) -> bytes:
    return _ENCODER.encode(value).encode()


def _plain(value):
    """A field's value as JSON keeps it: moments in UTC to the microsecond."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if kind is _DATETIME:
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if kind is _DATE:
        return value.isoformat()
    if kind is tuple:
        return list(value)
    return value


def digest(value) -> str:
    """Long public text (or a structure) as its fingerprint: enough to tell it changed."""
    return "sha256:" + hashlib.sha256(_canonical(value)).hexdigest()[:32]


def keyed_digest(key: bytes, value) -> str:
    """Personal data as a keyed fingerprint: only whoever holds the key can check a guess."""
    return "hmac:" + hmac.new(key, _canonical(value), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Shape:
    """How the log keeps the records of one model: every concrete field is named in exactly
    one of `clear`, `digested`, `private`, `many` or `unkept` (a test holds every shape to it),
    so a field added to the model must be placed before it is kept or left out on purpose."""

    model: type
    clear: tuple[str, ...]
    digested: tuple[str, ...] = ()  # long public text: its SHA-256
    private: tuple[str, ...] = ()  # personal data: an HMAC keyed by `key(record)`
    many: tuple[str, ...] = ()  # many-to-many fields: the sorted ids, in clear
    unkept: dict[str, str] = field(default_factory=dict)  # field → why the log does not keep it
    key: Callable[[dict], bytes] | None = None  # of a row: every field by name
    # a record not yet public (a draft): every field kept as if personal
    concealed: Callable[[dict], bool] | None = None
    label: str | None = None  # the field that names a record to people (a reference)

    @property
    def kind(self) -> str:
        return self.model._meta.model_name

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def fields(self) -> set[str]:
        return {*self.clear, *self.digested, *self.private, *self.many, *self.unkept}

    def row(self, record) -> dict:
        """A model instance as `state_of` reads it: every field by name (a foreign key as its id)."""
        row = {f.name: getattr(record, f.attname) for f in self.model._meta.concrete_fields}
        for name in self.many:
            cache = getattr(record, "_prefetched_objects_cache", {})
            related = cache[name] if name in cache else getattr(record, name).all()
            row[name] = [other.pk for other in related]
        return row

    def state(self, record) -> dict:
        """The record as the log keeps it (JSON-ready)."""
        return self.state_of(self.row(record))

    @cached_property
    def _plan(self) -> tuple[tuple[str, str], ...]:
        """(field, how it is kept), once per shape."""
        how = {
            **dict.fromkeys(self.clear, "clear"),
            **dict.fromkeys(self.digested, "digest"),
            **dict.fromkeys(self.private, "private"),
            **dict.fromkeys(self.many, "many"),
        }
        return tuple(sorted(how.items()))

    def state_of(self, row: dict) -> dict:
        key = self.key(row) if self.key else b""
        concealed = self.concealed is not None and self.concealed(row)
        state = {}
        for name, how in self._plan:
            value = sorted(row[name]) if how == "many" else _plain(row[name])
            if concealed or how == "private":
                state[name] = keyed_digest(key, value)
            elif how == "digest":
                state[name] = digest(value)
            else:
                state[name] = value
        return state

    def rows(self, chunk: int = 2000) -> Iterator[list[dict]]:
        """Every record of the table as rows (`row`'s shape), streamed in chunks."""
        meta = self.model._meta
        names = [f.name for f in meta.concrete_fields]
        batch = []
        for row in self.model._default_manager.order_by("pk").values(*names).iterator(chunk_size=chunk):
            batch.append(row)
            if len(batch) == chunk:
                yield self._with_many(batch)
                batch = []
        if batch:
            yield self._with_many(batch)

    def _with_many(self, batch: list[dict]) -> list[dict]:
        pk = self.model._meta.pk.name
        for name in self.many:
            field_ = self.model._meta.get_field(name)
            source, target = field_.m2m_field_name(), field_.m2m_reverse_field_name()
            related: dict = {row[pk]: [] for row in batch}
            links = field_.remote_field.through.objects.filter(**{f"{source}__in": list(related)})
            for one, other in links.values_list(source, target):
                related[one].append(other)
            for row in batch:
                row[name] = related[row[pk]]
        return batch


_shapes: dict[str, Shape] = {}


def keep_state_of(shape: Shape) -> None:
    """Register how the log keeps a model's records (domain apps, in AppConfig.ready)."""
    _shapes[shape.model._meta.label_lower] = shape


def shapes() -> list[Shape]:
    return list(_shapes.values())


def shape_of(record) -> Shape:
    try:
        return _shapes[record._meta.label_lower]
    except KeyError:
        raise ValueError(f"the log keeps no state of {record._meta.label}: register its Shape") from None


def states(records: Iterable) -> dict[str, dict]:
    """`data["state"]` of an event: each record's state under "kind:id"."""
    found = {}
    for record in records:
        shape = shape_of(record)
        found[f"{shape.kind}:{record.pk}"] = shape.state(record)
    return found


def _shown(value) -> str:
    if value is MISSING:
        return "nothing"
    return json.dumps(value, ensure_ascii=False)


class Replay:
    """The latest state the log gives each record, in a temporary SQLite file."""

    BATCH = 5000

    def __init__(self):
        handle, self.path = tempfile.mkstemp(prefix="agora-replay.", suffix=".sqlite3")
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;
            CREATE TABLE state (kind TEXT, id TEXT, seq INTEGER, fields TEXT, seen INTEGER DEFAULT 0,
                                PRIMARY KEY (kind, id)) WITHOUT ROWID;
            """
        )
        self._pending: list[tuple] = []

    def close(self) -> None:
        self.db.close()
        os.unlink(self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def apply(self, event: dict) -> None:
        """One event of the log, in order: the states it carries replace the earlier ones."""
        data = event.get("data")
        state = data.get("state") if isinstance(data, dict) else None
        if not isinstance(state, dict):
            return
        for key, fields in state.items():
            kind, _, pk = str(key).partition(":")
            self._pending.append((kind, pk, event["seq"], _canonical(fields).decode()))
        if len(self._pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO state (kind, id, seq, fields) VALUES (?, ?, ?, ?)", self._pending
        )
        self._pending = []

    def _logged(self, shape: Shape, ids: list[str]) -> dict[str, tuple[int, str]]:
        marks = ",".join("?" * len(ids))
        return {
            pk: (seq, fields)
            for pk, seq, fields in self.db.execute(
                f"SELECT id, seq, fields FROM state WHERE kind = ? AND id IN ({marks})",  # noqa: S608 (placeholders)
                (shape.kind, *ids),
            )
        }

    def compare(self, shape: Shape) -> Iterator[str]:
        """Every difference between the table and what the log says of it."""
        self.flush()
        pk = shape.model._meta.pk.name
        for batch in shape.rows():
            ids = [str(row[pk]) for row in batch]
            logged = self._logged(shape, ids)
            marks = ",".join("?" * len(ids))
            self.db.execute(
                f"UPDATE state SET seen = 1 WHERE kind = ? AND id IN ({marks})",  # noqa: S608 (placeholders)
                (shape.kind, *ids),
            )
            for row in batch:
                yield from self._differences(shape, row, logged.get(str(row[pk])))
        for key, seq, fields in self.db.execute(
            "SELECT id, seq, fields FROM state WHERE kind = ? AND seen = 0 ORDER BY CAST(id AS INTEGER)",
            (shape.kind,),
        ):
            said = json.loads(fields)
            label = (
                f" ({said[shape.label]})" if shape.label and isinstance(said.get(shape.label), str) else ""
            )
            yield (
                f"{shape.table} #{key}{label}: the log has it (event #{seq}) but the table does not: "
                "removed outside the application"
            )

    def _differences(self, shape: Shape, row: dict, logged: tuple[int, str] | None) -> Iterator[str]:
        label = row.get(shape.label) if shape.label else None
        where = f"{shape.table} #{row[shape.model._meta.pk.name]}" + (f" ({label})" if label else "")
        if logged is None:
            yield (
                f"{where}: in the table but no event records it: added outside the application "
                "(a record made before the log kept states is recorded by `agora audit baseline`)"
            )
            return
        seq, fields = logged
        state = shape.state_of(row)
        if _canonical(state).decode() == fields:
            return
        said = json.loads(fields)
        table = json.loads(_canonical(state))
        for name in sorted(table):
            # a field the log did not keep yet when it last recorded this record is not judged
            if name in said and said[name] != table[name]:
                yield (
                    f"{where} {name}: the log says {_shown(said[name])} (event #{seq}), "
                    f"the table says {_shown(table[name])}: changed outside the application"
                )

    def missing(self, shape: Shape) -> Iterator[tuple[dict, dict]]:
        """The records of the table of which the log holds no state: (row, its state)."""
        self.flush()
        pk = shape.model._meta.pk.name
        for batch in shape.rows():
            logged = self._logged(shape, [str(row[pk]) for row in batch])
            yield from ((row, shape.state_of(row)) for row in batch if str(row[pk]) not in logged)
