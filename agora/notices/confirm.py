"""A confirmation step that works without JavaScript: a consequential action posts once to
show what will happen, and again (with `confirm`) to do it. Nothing is saved before."""

from __future__ import annotations

from django.shortcuts import render

NOT_REPOSTED = {"csrfmiddlewaretoken", "confirm", "change"}


def confirmed(request) -> bool:
    return request.POST.get("confirm") == "1"


def changing(request) -> bool:
    """The user went back from the confirmation to change what they filled in."""
    return request.POST.get("change") == "1"


def confirm_page(
    request, *, title: str, lines, button: str, cancel: str, warning: str = "", change: str = ""
):
    """Ask before acting: `lines` say what will happen; every posted field is posted again.
    With `change`, a second button takes the user back to the form as they filled it in."""
    fields = [
        (name, value) for name, values in request.POST.lists() if name not in NOT_REPOSTED for value in values
    ]
    context = {
        "title": title,
        "lines": [line for line in lines if line],
        "warning": warning,
        "button": button,
        "cancel": cancel,
        "change": change,
        "fields": fields,
        "action": request.get_full_path(),
    }
    return render(request, "notices/confirm.html", context)
