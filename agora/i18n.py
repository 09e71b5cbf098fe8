"""Helpers for the multilingual name fields stored as {"en": …, "ru": …, "kk": …}."""

from django.core.exceptions import ValidationError
from django.utils.translation import get_language

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
