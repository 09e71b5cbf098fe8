"""Every record of the authority's acts has its event in the log: `agora audit verify` names
any closure, venue, venue change or declared calendar day without one (made around the
services, e.g. by SQL or a shell), because an act nobody can trace is what these services
exist to prevent."""

from __future__ import annotations

from agora.audit.models import AuditEvent
from agora.rules.models import CalendarDay

from .models import Closure, Venue, VenueChange

# record kind -> (its model, the event that must name it, how to say what is missing)
ACTS = [
    (Closure, "closure.declared", "was not declared through the authority's service"),
    (Venue, "venue.added", "was not set up through the admin site or the demo"),
    (VenueChange, "venue.changed", "was not made through the authority's service"),
    (CalendarDay, "calendar.day_declared", "was not declared through the authority's service"),
]


def check_authority_acts() -> list[str]:
    problems = []
    for model, event, how in ACTS:
        name = model._meta.model_name
        logged = set(
            AuditEvent.objects.filter(event=event, object_type=name).values_list("object_id", flat=True)
        )
        problems += [
            f"{model._meta.verbose_name} {pk} {how} (no {event} event)"
            for pk in model.objects.values_list("pk", flat=True)
            if str(pk) not in logged
        ]
    return problems
