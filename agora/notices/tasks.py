"""Periodic work for the Huey consumer (`agora run_huey`); cron can run `agora run-deadlines` instead."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def run_deadlines() -> None:
    call_command("run-deadlines")


@db_periodic_task(crontab(hour="3", minute="15"))
def erase_expired_personal_data() -> None:
    call_command("erase-expired")
