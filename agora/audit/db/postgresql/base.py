"""PostgreSQL, with the transaction's audit events written in one batch at its end."""

from django.db.backends.postgresql.base import DatabaseWrapper as Base

from agora.audit.db import QueuedAuditEvents


class DatabaseWrapper(QueuedAuditEvents, Base):
    pass
