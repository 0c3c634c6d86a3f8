"""Request middleware of accounts: the staff second factor, and sessions kept alive while used."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class StaffSecondFactorMiddleware:
    """Sends a staff member who has not passed the second factor to enrol or verify it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "is_staff_role", False)
            and not user.is_verified()  # type: ignore[attr-defined]
            and not self._exempt(request)
        ):
            has_device = user.totpdevice_set.filter(confirmed=True).exists()  # type: ignore[attr-defined]
            target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path_info
        exempt = (
            reverse("accounts:otp_verify"),
            reverse("accounts:otp_setup"),
            reverse("accounts:logout"),
        )
        return path.startswith(("/static/", "/i18n/", "/healthz", "/readyz")) or path in exempt


class SessionActivityMiddleware:
    """Keeps a session alive while it is used, writing it at most once a minute.

    A session ends after `SESSION_COOKIE_AGE` seconds without a request. Rather than saving
    it on every request (a write per page), its expiry is pushed back when the last push is
    older than `SEJOUR_SESSION_REFRESH_SECONDS`: the idle limit then holds within that margin.
    """

    KEY = "_sejour_active_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        last = session.get(self.KEY)
        stale = not isinstance(last, int) or now - last >= settings.SEJOUR_SESSION_REFRESH_SECONDS
        if session.modified or stale:  # written anyway, or due: the expiry moves with it
            session[self.KEY] = now
        return response
