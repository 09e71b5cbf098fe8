from django import template

from agora.i18n import pick

register = template.Library()


@register.filter
def localized(names):
    """{{ venue.name|localized }}: the name in the active language (English fallback)."""
    return pick(names)
