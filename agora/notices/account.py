"""The organizer's own account (issue 22): what Agora holds about them and for how long,
everything as one JSON file to download, and closing the account (its personal data erased,
its notices staying in the register under the same public name)."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agora import i18n
from agora.accounts.access import organizer_required

from . import privacy
from .confirm import confirm_page, confirmed


@organizer_required
def account(request):
    organizer = request.organizer
    ongoing = list(privacy.ongoing(organizer, timezone.now()))
    erased_after = None if ongoing else privacy.last_activity(organizer) + privacy.retention()
    context = {
        "organizer": organizer,
        "retention": _retention_words(privacy.retention().days),
        "ongoing": ongoing,
        # the day as it stands now: signing in or a new notice moves it later
        "erased_after": i18n.day(erased_after, _home_tz(organizer)) if erased_after else "",
    }
    return render(request, "notices/account.html", context)


def _home_tz(organizer):
    """The time zone of the city of the organizer's latest notice (the server's if none)."""
    latest = organizer.notices.select_related("jurisdiction").order_by("-created_at").first()
    return latest.jurisdiction.tz if latest else ZoneInfo(settings.TIME_ZONE)


def _retention_words(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(n)s year", "%(n)s years", years) % {"n": years}
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@organizer_required
def account_data(request):
    body = json.dumps(privacy.held_about(request.user), ensure_ascii=False, indent=2)
    stamp = timezone.now().strftime("%Y-%m-%d")
    return HttpResponse(
        body,
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="agora-my-data-{stamp}.json"'},
    )


@require_POST
@organizer_required
def close_account(request):
    if not confirmed(request):
        return confirm_page(
            request,
            title=_("Close my account"),
            lines=[
                _(
                    "Your name, e-mail, phone, ID number, password and second factor are erased; you are "
                    "signed out and cannot sign in again."
                ),
                _(
                    "Your notices stay in the public register under the same public name, as the law's "
                    "record of what was decided."
                ),
                _("Download your data first if you want to keep it."),
            ],
            button=_("Close my account"),
            cancel=reverse("account"),
            warning=_("This cannot be undone."),
        )
    try:
        privacy.close_account(request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("account")
    logout(request)
    messages.success(request, _("Your account is closed and your personal data are erased."))
    return redirect("home")
