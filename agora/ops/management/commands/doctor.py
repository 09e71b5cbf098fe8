import sys

from django.core.management.base import BaseCommand

from agora.ops.doctor import FAIL, WARN, run


class Command(BaseCommand):
    help = (
        "Check this deployment's configuration: secret key, hosts, HTTPS, the database and its "
        "guarantees, Redis, the job consumer, e-mail, signing keys, disk, time zones. One line "
        "each, with the fix; exit status 0 only when nothing fails (warnings are allowed)."
    )
    requires_system_checks = []  # the doctor reports what the system checks would stop on

    def handle(self, *args, **options):
        found = run()
        for finding in found:
            self.stdout.write(finding.line())
        failed = sum(1 for f in found if f.level == FAIL)
        warned = sum(1 for f in found if f.level == WARN)
        self.stdout.write(f"{len(found)} checks: {failed} failed, {warned} warnings")
        if failed:
            sys.exit(1)
