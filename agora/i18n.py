"""What a reader sees, in their language: multilingual names stored as {"en": …, "ru": …,
"kk": …}, and moments, numbers and durations in the language's formats."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language, ngettext

LANGUAGE_CODES = ("kk", "ru", "en")


def pick(names: dict | None, lang: str | None = None) -> str:
    """The name in `lang` (default: the active language), falling back to English."""
    if not names:
        return ""
    lang = (lang or get_language() or "en")[:2]
    return names.get(lang) or names.get("en") or next(iter(names.values()), "")


def validate_names(value) -> None:
    if not isinstance(value, dict) or not value.get("en"):
        raise ValidationError('Give the name as {"en": "…", "ru": "…", "kk": "…"}; English is required.')
    unknown = set(value) - set(LANGUAGE_CODES)
    if unknown:
        raise ValidationError(f"Unknown language code(s): {', '.join(sorted(unknown))}; use kk, ru or en.")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip() or len(text) > 200:
            raise ValidationError(f"The {lang} name must be text of 1 to 200 characters.")


# --- moments, numbers and durations, in the reader's language ------------------------------
# One way to show a moment: the place's local time in the active language's formats
# (agora/formats), its zone ("UTC+5") where it matters. Exports and the API keep ISO 8601.


def _format(name: str) -> str:
    """A format of the active language by name (ours include names Django does not know)."""
    return _format_of(get_language() or "en", name)


@functools.lru_cache(maxsize=256)
def _format_of(lang: str, name: str) -> str:
    # formats are modules, read once: a page shows hundreds of times and dates
    for module in formats.get_format_modules(lang):
        if hasattr(module, name):
            return getattr(module, name)
    return formats.get_format(name, lang)


def _zone(tz) -> dt.tzinfo:
    if tz is None or tz == "":
        return timezone.get_current_timezone()
    if isinstance(tz, str):
        return ZoneInfo(tz)
    return getattr(tz, "tz", tz)  # a jurisdiction, or a tzinfo


def local(moment: dt.datetime, tz=None) -> dt.datetime:
    return moment.astimezone(_zone(tz))


def zone_label(moment: dt.datetime, tz=None) -> str:
    """The zone as every reader understands it: its offset from UTC at that moment ("UTC+5")."""
    offset = local(moment, tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "−"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def when(moment: dt.datetime | None, tz=None, *, zone: bool = False) -> str:
    """ "1 December 2026, 10:00" / "1 декабря 2026 г., 10:00" / "2026 жылғы 1 желтоқсан, 10:00"."""
    if moment is None:
        return ""
    shown = dateformat.format(local(moment, tz), _format("DATETIME_FORMAT"))
    return f"{shown} ({zone_label(moment, tz)})" if zone else shown


def to_the_second(moment: dt.datetime, tz=None) -> str:
    """A moment that settles who was first: the day, the time to the second and the zone."""
    shown = local(moment, tz)
    return f"{day(shown, tz)}, {shown:%H:%M:%S} ({zone_label(moment, tz)})"


def deadline(moment: dt.datetime | None, tz=None) -> str:
    """A deadline: one at local midnight is the end of the day before ("4 December, 24:00"),
    as a reader counts it, not the start of the next."""
    if moment is None:
        return ""
    at = local(moment, tz)
    if at.time() == dt.time(0):
        shown = f"{day((at - dt.timedelta(days=1)).date())}, 24:00"
    else:
        shown = dateformat.format(at, _format("DATETIME_FORMAT"))
    return f"{shown} ({zone_label(moment, tz)})"


def clock(moment: dt.datetime | None, tz=None) -> str:
    if not moment:
        return ""
    at, shape = local(moment, tz), _format("TIME_FORMAT")
    if shape == "H:i":  # every language's, so far: the calendar shows hundreds of these
        return f"{at.hour:02d}:{at.minute:02d}"
    return dateformat.format(at, shape)


def day(value: dt.date | dt.datetime | None, tz=None, *, weekday: bool = False, inline: bool = False) -> str:
    """A day as people write it; `inline`: inside a sentence (after a colon), where Russian
    writes the weekday in lower case ("План дня: суббота, …"; Django's names are capitalised)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value, tz).date()
    shown = dateformat.format(value, _format("WEEKDAY_DATE_FORMAT" if weekday else "DATE_FORMAT"))
    if inline and weekday and (get_language() or "").startswith("ru"):
        shown = shown[:1].lower() + shown[1:]
    return shown


def month(value: dt.date | dt.datetime) -> str:
    """ "December 2026" / "Декабрь 2026 г." / "2026 жылғы желтоқсан"."""
    return dateformat.format(value, _format("YEAR_MONTH_FORMAT"))


def span(start: dt.datetime, end: dt.datetime, tz=None, *, zone: bool = False) -> str:
    """A time from start to end: one date when both fall on the same local day."""
    a, b = local(start, tz), local(end, tz)
    zone_ = a.tzinfo  # each part in the same zone: never the reader's current one
    if a.date() == b.date() or (b - a <= dt.timedelta(days=1) and b.time() == dt.time(0)):
        shown = f"{day(a, zone_)}, {clock(a, zone_)}–{clock(b, zone_)}"
    else:
        shown = f"{when(a, zone_)} – {when(b, zone_)}"
    return f"{shown} ({zone_label(start, tz)})" if zone else shown


def number(value) -> str:
    """A number with the language's separators ("74 893", "74,893")."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return formats.number_format(value, force_grouping=True)


def duration(delta: dt.timedelta) -> str:
    """ "5 days, 11 hours" in words of the language, largest two units."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return ", ".join(parts[:2]) or ngettext("%(n)d minute", "%(n)d minutes", 0) % {"n": 0}
