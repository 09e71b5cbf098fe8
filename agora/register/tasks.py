"""The register's work for the job queue (`agora run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task
from huey.exceptions import TaskLockedException


@db_task()
def refresh_statistics() -> bool:
    """True once fresh statistics are there (a result the reader can wait for: huey keeps no
    result of None); False when another worker is computing them."""
    from .summary import refresh

    try:
        with lock_task("statistics"):  # one computation at a time, across workers
            refresh()
    except TaskLockedException:
        return False
    return True


@db_periodic_task(crontab(hour="2", minute="30"))
def dump_register() -> None:
    """The whole register as one file, every night (in the server's time zone: UTC by default)."""
    from . import dump

    with lock_task("register-dump"):
        dump.write()
