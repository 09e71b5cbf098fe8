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
