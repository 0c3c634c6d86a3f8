"""Values every page needs: the service name and the other languages of the current page."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def site(request: HttpRequest) -> dict[str, object]:
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {"code": code, "name": name, "current": code == current, "next": translate_url(path, code)}
        for code, name in settings.LANGUAGES
    ]
    return {
        "SERVICE_NAME": settings.SEJOUR_SERVICE_NAME,
        "LANGUAGE_CHOICES": languages,
        "TEXT_DIRECTION": "rtl" if translation.get_language_bidi() else "ltr",
    }
