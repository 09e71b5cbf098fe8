"""Database backends that write a transaction's audit events in one batch, at its end.

`audit.record()` inside a transaction only queues its event on the connection; the queue
is appended to the chain (the head locked, the events inserted, the head moved: three
statements however many events) just before the transaction commits. So the audit head,
which serialises every writer, is taken last and held only for those three statements,
not from a write's first event through its validation and checks to its commit
(docs/locking.md).

An event queued inside a savepoint that is rolled back is dropped with it, as Django
drops on_commit callbacks. Under a test case's never-committed transaction the queue is
written when the outermost block that is not the test case's own ends, so tests see
their events as production does after commit.
"""

from __future__ import annotations

import time


class QueuedAuditEvents:
    """A mixin for a DatabaseWrapper: the queue, and the hooks that write or drop it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit_queue: list[tuple[set, object]] = []  # (savepoints open when queued, event)
        # seconds from locking the head to the end of the commit, of the last write (the bench)
        self.audit_head_held = 0.0

    def queueing_audit_events(self) -> bool:
        """Is a block open that will write the queue when it ends?"""
        return self.in_atomic_block and not self._only_test_case_blocks()

    def _only_test_case_blocks(self) -> bool:
        return all(getattr(block, "_from_testcase", False) for block in self.atomic_blocks)

    def queue_audit_event(self, event) -> None:
        self.audit_queue.append((set(self.savepoint_ids), event))

    def _write_audit_queue(self) -> None:
        if self.audit_queue:
            from agora.audit.services import append_events

            events = [event for _sids, event in self.audit_queue]
            self.audit_queue = []
            append_events(events, using=self.alias)

    def commit(self):
        began = time.perf_counter()
        wrote = bool(self.audit_queue)
        self._write_audit_queue()
        super().commit()
        if wrote:
            self.audit_head_held = time.perf_counter() - began

    def savepoint_commit(self, sid):
        # The end of the outermost block a test case did not open: where production commits.
        if self.audit_queue and self._only_test_case_blocks():
            self._write_audit_queue()
        super().savepoint_commit(sid)

    def savepoint_rollback(self, sid):
        super().savepoint_rollback(sid)
        self.audit_queue = [(sids, event) for sids, event in self.audit_queue if sid not in sids]

    def rollback(self):
        self.audit_queue = []
        super().rollback()

    def close(self):
        self.audit_queue = []
        super().close()
