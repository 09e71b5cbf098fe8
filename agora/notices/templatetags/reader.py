"""{% load reader %}: what a reader sees, in their language (agora.i18n, agora.notices.words).

Moments: {{ m|when:tz }}, {{ m|when_zone:tz }} (with "UTC+5"), {{ m|clock:tz }}, {{ d|day }},
{{ d|weekday }}, {% span start end tz %}; numbers {{ n|number }}; durations {{ delta|duration }}.
`tz` is a jurisdiction, a zone name or a tzinfo; without it, the active zone (the city's).
Words: {{ code|status }}, {{ code|atype:rulebook }}, {{ code|ground:rulebook }},
{{ violation|violation:rulebook }}, {{ code|event }}, {{ label|actor }}."""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings

from agora import i18n
from agora.notices import words

register = template.Library()


@register.simple_tag
def languages_by_own_name():
    """The site's languages, each by its own name (settings.LANGUAGES, untranslated)."""
    return settings.LANGUAGES


@register.filter
def when(value, tz=None):
    return i18n.when(value, tz) if value else ""


@register.filter
def when_zone(value, tz=None):
    return i18n.when(value, tz, zone=True) if value else ""


@register.filter
def deadline(value, tz=None):
    return i18n.deadline(value, tz) if value else ""


@register.filter
def clock(value, tz=None):
    return i18n.clock(value, tz) if value else ""


@register.filter
def day(value, tz=None):
    return i18n.day(value, tz) if value else ""


@register.filter
def day_iso(value):
    """A day given as ISO text ("2026-12-10"), in the reader's format."""
    try:
        return i18n.day(dt.date.fromisoformat(str(value)))
    except ValueError:
        return value


@register.filter
def weekday(value, tz=None):
    return i18n.day(value, tz, weekday=True) if value else ""


@register.filter
def weekday_inline(value, tz=None):
    """The day with its weekday inside a sentence: "План дня: суббота, 13 декабря 2026 г."."""
    return i18n.day(value, tz, weekday=True, inline=True) if value else ""


@register.filter
def zone(value, tz=None):
    return i18n.zone_label(value or dt.datetime.now(dt.UTC), tz)


@register.filter
def zone_now(tz):
    """The zone of a place (a jurisdiction, a zone name) now: "UTC+5"."""
    return i18n.zone_label(dt.datetime.now(dt.UTC), tz)


@register.simple_tag
def span(start, end, tz=None, zone=False):
    return i18n.span(start, end, tz, zone=bool(zone)) if start and end else ""


@register.filter
def number(value):
    return i18n.number(value)


@register.filter
def duration(value):
    return i18n.duration(value) if isinstance(value, dt.timedelta) else ""


@register.filter
def until(value):
    """The time left until a moment, in words ("5 days, 11 hours")."""
    return i18n.duration(value - dt.datetime.now(dt.UTC)) if value else ""


@register.filter
def status(code):
    return words.status(code)


@register.filter
def atype(code, rulebook=None):
    return words.assembly_type(code, rulebook)


@register.filter
def condition(code, rulebook):
    """A consultation condition from the rulebook's closed list, in the reader's language."""
    from django.utils.translation import get_language

    return rulebook.rules.condition_text(code, (get_language() or "en")[:2]) if rulebook else code


@register.filter
def ground(code, rulebook):
    return words.ground(code, rulebook)


@register.filter
def violation(found, rulebook=None):
    return words.violation(found, rulebook)


@register.filter
def reasoning(decision):
    return words.reasoning(decision)


@register.filter
def rulebook(row):
    return words.rulebook(row)


@register.filter
def violation_name(found):
    return words.violation_name(found)


@register.filter
def flag(code):
    return words.flag(code)


@register.filter
def event(code):
    return words.event(code)


@register.filter
def actor(label):
    return words.actor(label)


@register.simple_tag
def audit_object(kind, pk):
    return words.audit_object(kind, pk)
