"""Home, dashboard, language choice, probes and error pages."""

import datetime as dt
import logging
import uuid
from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.i18n import set_language

from sejour.accounts import services as account_services
from sejour.attestations import codes, signing
from sejour.attestations import selectors as attestation_selectors
from sejour.attestations.choices import Kind
from sejour.core import clock
from sejour.core import selectors as core_selectors
from sejour.core.errors import MandateEnded
from sejour.core.services import WORKER
from sejour.dossiers import presenters
from sejour.dossiers import selectors as dossier_selectors
from sejour.notifications import selectors as notification_selectors
from sejour.notifications import services as notification_services

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    dossiers = dossier_selectors.own_dossiers(user=request.user)
    today = clock.today()
    rows = [(dossier, presenters.summary(dossier, today=today)) for dossier in dossiers]
    return render(
        request,
        "web/dashboard.html",
        {
            "rows": rows,
            "account_url": reverse("accounts:account"),
            "unread": notification_selectors.unread_count(user=request.user),
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Every message we sent, in full, newest first; opening the page marks them read."""
    notifications = list(notification_selectors.inbox_for(user=request.user)[:200])
    response = render(request, "web/inbox.html", {"notifications": notifications})
    notification_services.inbox_mark_read(user=request.user)
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch language, remember it in a cookie and, for a signed-in person, on the account."""
    response = set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        account_services.user_language_set(user=request.user, actor=request.user, language=code)
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The process can serve: database, file storage and task worker answer.

    The public learns only ready or not; which part is down, and why, is logged, and shown
    to a probe that sends SEJOUR_PROBE_TOKEN in the X-Probe-Token header.
    """
    checks = {"database": _database_ok(), "storage": _storage_ok(), "worker": _worker_ok()}
    ready = all(check["ok"] for check in checks.values())
    if not ready:
        logger.warning("Not ready", extra={"checks": checks})
    body: dict[str, object] = {"status": "ok" if ready else "unavailable"}
    token = settings.SEJOUR_PROBE_TOKEN
    if token and constant_time_compare(request.headers.get("X-Probe-Token", ""), token):
        body["checks"] = checks
    return JsonResponse(body, status=200 if ready else 503)


def _database_ok() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means not ready, and says which
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _storage_ok() -> dict[str, object]:
    name = f"readyz/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(name, ContentFile(b"ok"))
        with default_storage.open(saved) as handle:
            content = handle.read()
        default_storage.delete(saved)
    except Exception as exc:  # any failure means not ready, and says which
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": content == b"ok"}


def _worker_ok() -> dict[str, object]:
    last = core_selectors.heartbeat_last(name=WORKER)
    if last is None:
        return {"ok": False, "error": "no heartbeat yet"}
    age = (clock.now() - last).total_seconds()
    limit = settings.SEJOUR_WORKER_HEARTBEAT_MAX_AGE_SECONDS
    return {"ok": age <= limit, "last_beat": last.isoformat(), "age_seconds": round(age)}


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, MultiPartParserError) and request.method == "POST":
        # Django refuses a form part whose headers pass 1 KB: in practice a file whose name is
        # too long (a browser sends the name in full). Say so, and offer the way back.
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        context = {"name_too_long": True, "back": back}
        return render(request, "errors/400.html", context, status=400)
    return _error(request, "errors/400.html", 400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, MandateEnded):
        return _error(request, "errors/mandate_ended.html", 403)
    return _error(request, "errors/403.html", 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: the database may be what failed."""
    return HttpResponse(render_to_string("errors/500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or replayed form: explain, and send the person back to fill it again."""
    return _error(request, "errors/csrf.html", 403)


@require_safe
@never_cache
def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    """Public check of an issued document, by its verification code or its QR code's payload.

    Never cached: the answer is the document's status at the moment of the check.
    """
    checked_at = clock.now()
    token = request.GET.get("token")
    typed = code or request.GET.get("code")
    context: dict[str, object] = {"code": typed or "", "checked_at": checked_at}
    if token is not None:
        context.update(_token_check(token.strip(), clock.paris_date(checked_at)))
    elif typed is not None:
        context.update(_code_check(typed, clock.paris_date(checked_at)))
    status = 404 if context.get("unknown") else 200
    response = render(request, "web/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _code_check(typed: str, today: dt.date) -> dict[str, object]:
    if not typed.strip():
        return {"error": _("Type the verification code printed under the QR code.")}
    if codes.normalize_code(typed) is None:
        return {
            "error": _(
                "This is not a verification code: check each character. A code has 12 "
                "letters and digits, in three groups of four."
            )
        }
    attestation = attestation_selectors.attestation_by_code(code=typed)
    if attestation is None:
        attempt = dossier_selectors.attempt_by_proof_code(code=typed)
        return {"attempt": attempt} if attempt is not None else {"unknown": True}
    return {"check": attestation_selectors.verification_of(attestation=attestation, today=today)}


def _token_check(token: str, today: dt.date) -> dict[str, object]:
    try:
        payload, attestation = attestation_selectors.attestation_by_token(token=token)
    except signing.BadSignature:
        return {"forged": True}
    if attestation is None:
        kind = payload.get("kind")
        return {"signed": payload, "signed_kind": Kind(kind).label if kind in Kind.values else ""}
    return {
        "from_qr": True,
        "check": attestation_selectors.verification_of(attestation=attestation, today=today),
    }


@require_safe
def verify_keys(request: HttpRequest) -> HttpResponse:
    """The public keys that check the signature of the QR codes, for checks made offline."""
    return render(request, "web/verify_keys.html", {"keys": attestation_selectors.published_keys()})


@require_safe
def signing_keys(request: HttpRequest) -> JsonResponse:
    """The same keys, machine-readable: {"keys": [{"kid", "pem", "current"}]}."""
    keys = [asdict(key) for key in attestation_selectors.published_keys()]
    response = JsonResponse({"keys": keys})
    # Public by nature; a short life, so that a rotation reaches verifiers within minutes.
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
