"""Every closure is the authority's declared act: `agora audit verify` names any closure row
that has no `closure.declared` event in the log (made around the service, e.g. by SQL)."""

from __future__ import annotations

from agora.audit.models import AuditEvent

from .models import Closure


def check_closures() -> list[str]:
    declared = set(
        AuditEvent.objects.filter(event="closure.declared", object_type="closure").values_list(
            "object_id", flat=True
        )
    )
    return [
        f"closure {pk} was not declared through the authority's service (no closure.declared event)"
        for pk in Closure.objects.values_list("pk", flat=True)
        if str(pk) not in declared
    ]
