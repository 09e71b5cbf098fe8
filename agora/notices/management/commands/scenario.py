import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from agora.notices.scenario import FOLDER, ScenarioError, load, replay_file


class Command(BaseCommand):
    help = (
        "Replay a scenario (a YAML file, or the name of one in agora/scenarios/, e.g. the seed case "
        "almaty-2022-03-19 of PRODUCT.md §6) on a fresh temporary database and print each step and "
        "the outcome. Your own database is not touched."
    )

    def add_arguments(self, parser):
        shipped = ", ".join(sorted(p.stem for p in FOLDER.glob("*.yaml")))
        parser.add_argument("name", help=f"a scenario file, or one of: {shipped}")
        parser.add_argument("--rulebook", help="the rulebook to replay it under (default: the file's)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--time-limit", type=float, default=10.0, help="solver seconds (default 10)")

    def handle(self, *args, name, rulebook, format, time_limit, **options):
        if time_limit <= 0:
            raise CommandError("--time-limit must be a positive number of seconds.")
        try:
            scenario = load(name)
        except ScenarioError as error:
            raise CommandError(str(error)) from None
        if connection.vendor != "sqlite":
            # a database of its own beside yours: never the test database of a running suite
            settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"agora_scenario_{os.getpid()}"
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            result = replay_file(scenario, rulebook, time_limit=time_limit)
        except ScenarioError as error:
            raise CommandError(str(error)) from None
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Scenario {scenario.id} under {result['rulebook']}")
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
