"""Filters for the texts of messages, whose saved details hold dates as ISO strings."""

import datetime as dt

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def day(value: object) -> str:
    """A date (or its ISO string) written out in the active language: "1 mars 2027"."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return "" if value is None else str(value)
