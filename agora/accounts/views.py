from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .access import agency_required, officer_required, organizer_required
from .models import ApiToken
from .tokens import create_token, revoke_token


def _tokens(request):
    made = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                revoke_token(request.user, int(request.POST["revoke"]))
                messages.success(request, _("Token revoked."))
                return redirect("api_tokens")
            _row, made = create_token(request.user, request.POST.get("name", ""))
        except (ValidationError, ValueError) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"tokens": tokens, "made": made})


@login_required
def tokens(request):
    """API tokens: officers and agency staff only with a TOTP-confirmed session, organizers
    as such."""
    if hasattr(request.user, "officer"):
        guard = officer_required
    elif hasattr(request.user, "agency_staff"):
        guard = agency_required
    else:
        guard = organizer_required
    return guard(_tokens)(request)
