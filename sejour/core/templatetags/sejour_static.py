"""{% static_integrity "path" %}: the integrity of a static file as it is served."""

from django import template

from sejour.core.staticfiles import static_integrity as _static_integrity

register = template.Library()


@register.simple_tag
def static_integrity(path: str) -> str:
    return _static_integrity(path)
