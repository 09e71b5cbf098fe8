"""Form fields every page shares."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Year 1 or 9999 overflow once shifted to a time zone; no assembly is that far off.
FIRST_YEAR, LAST_YEAR = 2000, 2200


class DayField(forms.DateField):
    """A calendar date picker: sent as YYYY-MM-DD whatever the page's language (a browser's
    date input reads no other form), and within years that make sense."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give a date between the years %(first)d and %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return day


# Real UTC offsets run from -12:00 to +14:00; PostgreSQL refuses anything past ±15:59 with
# an error, so an offset like +23:59 must be refused before it reaches a query.
MAX_OFFSET_HOURS = 14


def plausible_moment(moment) -> str | None:
    """What is wrong with an aware moment read from outside (None if nothing): the year range
    and a real UTC offset."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return "give the time with its UTC offset"
    if abs(moment.utcoffset().total_seconds()) > MAX_OFFSET_HOURS * 3600:
        return f"give a real UTC offset, between -{MAX_OFFSET_HOURS}:00 and +{MAX_OFFSET_HOURS}:00"
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return f"give a date between the years {FIRST_YEAR} and {LAST_YEAR}"
    return None
