import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from agora.notices.scenario import replay

SCENARIOS = {"almaty-2022-03-19": replay}


class Command(BaseCommand):
    help = (
        "Replay an acceptance scenario (PRODUCT.md §6) on a fresh temporary database and print each "
        "step and the outcome. Your own database is not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(SCENARIOS))
        parser.add_argument("--rulebook", choices=["kz-2020", "fair"], default="fair")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--time-limit", type=float, default=10.0, help="solver seconds (default 10)")

    def handle(self, *args, name, rulebook, format, time_limit, **options):
        if time_limit <= 0:
            raise CommandError("--time-limit must be a positive number of seconds.")
        if connection.vendor != "sqlite":
            # a database of its own beside yours: never the test database of a running suite
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"agora_scenario_{os.getpid()}"
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            result = SCENARIOS[name](rulebook, time_limit=time_limit)
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Scenario {name} under {rulebook}")
        for number, text in enumerate(result["steps"], 1):
            self.stdout.write(f"{number:2}. {text}")
        self.stdout.write("Outcome:")
        for label, notice in result["notices"].items():
            booked = (
                f"booked {notice['booking_start'][11:16]}-{notice['booking_end'][11:16]}"
                if notice["booking_start"]
                else "no booking"
            )
            grounds = f" ({', '.join(notice['grounds'])})" if notice["grounds"] else ""
            self.stdout.write(
                f"  {label}: {notice['status']}, decision {notice['decision']}{grounds}, {booked}"
            )
