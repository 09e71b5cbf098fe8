"""SQLite, with the transaction's audit events written in one batch at its end."""

from django.db.backends.sqlite3.base import DatabaseWrapper as Base

from agora.audit.db import QueuedAuditEvents


class DatabaseWrapper(QueuedAuditEvents, Base):
    pass
