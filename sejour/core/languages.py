"""The language a person reads: the one their account keeps, for pages, messages and links."""

import re
from typing import Any

from django.conf import settings

# A path on this site under a language prefix: "/fr/demandes/…".
_PREFIXED = re.compile(r"^/(?P<code>[a-z]{2}(?:-[a-z]+)?)(?=/)")


def language_for(user: Any) -> str:
    """The language `user` chose on the site (kept on the account), or the site's default."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def path_in_language(path: str, language: str) -> str:
    """`path` with its language prefix set to `language` (links planned before a switch)."""
    match = _PREFIXED.match(path)
    if match is None or match["code"] not in dict(settings.LANGUAGES):
        return path
    return f"/{language}{path[match.end() :]}"
