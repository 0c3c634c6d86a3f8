"""Request middleware of accounts: the staff second factor, and sessions kept alive while used."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class StaffSecondFactorMiddleware:
    """Sends staff and helpers who have not passed the second step to verify it (or, for an
    account without any device yet, to enrol one; the page itself decides whether it may)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "needs_second_factor", False)
            and not user.is_verified()  # type: ignore[attr-defined]
            and not self._exempt(request)
        ):
            verifiable = (
                user.may_use_contact_code
                or user.totpdevice_set.filter(  # type: ignore[attr-defined]
                    confirmed=True
                ).exists()
            )
            target = "accounts:otp_verify" if verifiable else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        path = request.path_info
        exempt = (
            reverse("accounts:otp_verify"),
            reverse("accounts:otp_setup"),
            reverse("accounts:otp_code_send"),
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
