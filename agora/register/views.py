"""Public pages (no sign-in). Never show personal data: organizers by public_name only."""

from django.shortcuts import get_object_or_404, render

from agora.notices.letters import letter_for
from agora.notices.models import Decision


def decision_public(request, reference):
    """The verification target of a letter's QR code: the decision's facts and the letter's hash."""
    decision = get_object_or_404(
        Decision.objects.select_related(
            "notice__venue", "notice__organizer", "rulebook", "notice__jurisdiction"
        ),
        reference=reference,
    )
    return render(request, "register/decision.html", {"decision": decision, "letter": letter_for(decision)})
