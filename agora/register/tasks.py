"""The register's work for the job queue (`agora run_huey`)."""

from huey.contrib.djhuey import db_task, lock_task
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
