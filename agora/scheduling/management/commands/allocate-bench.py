import json

from django.core.management.base import BaseCommand, CommandError

from agora.scheduling.bench import contested_day
from agora.scheduling.engine import allocate, violations


class Command(BaseCommand):
    help = (
        "Allocate a reproducible contested day (no database) and print accommodated, the solver's "
        "proven bound, first-come-first-served and greedy on the same input, and seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, default=2000)
        parser.add_argument("--venues", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--time-limit", type=float, default=30.0, help="solver seconds (default 30)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, notices, venues, seed, time_limit, format, **options):
        if notices < 1 or venues < 1 or time_limit <= 0:
            raise CommandError("--notices and --venues must be at least 1 and --time-limit positive.")
        problem = contested_day(notices, venues, seed)
        result = allocate(problem, time_limit=time_limit)
        problems = violations(problem, result.placements)
        if problems:
            raise CommandError(f"invalid allocation: {problems[:3]}")
        report = {
            "notices": notices,
            "venues": venues,
            "zones": len(problem.zones),
            "seed": seed,
            **result.as_dict(),
            "share_of_bound": round(result.accommodated / max(1, result.bound), 4),
        }
        if format == "json":
            self.stdout.write(json.dumps(report))
            return
        for key, value in report.items():
            self.stdout.write(f"{key}: {value}")
