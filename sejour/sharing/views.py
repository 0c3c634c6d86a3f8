"""Share codes: the applicant's pages (make, list, cancel) and the public check page."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sejour.accounts.models import User
from sejour.core import clock
from sejour.core.errors import DomainError
from sejour.core.http import client_ip
from sejour.sharing import selectors, services
from sejour.sharing.choices import Outcome
from sejour.sharing.forms import CheckForm, ShareCodeForm
from sejour.sharing.models import ShareCode
from sejour.sharing.permissions import can_share, get_abilities


def _applicant(request: HttpRequest) -> User:
    """The signed-in applicant; anyone else has no share codes to make."""
    if not can_share(request.user):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]


def _ip(request: HttpRequest) -> str | None:
    """The client's address, found as the login brake finds it; None if unreadable."""
    return client_ip(request)


def _can(request: HttpRequest, share_code: ShareCode) -> dict[str, bool]:
    return get_abilities(request.user, share_code, today=clock.today())


@login_required
@never_cache
def share_codes(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    today = clock.today()
    rows = [(code, code.status_on(today)) for code in selectors.share_codes_of(viewer=user)]
    return render(request, "sharing/list.html", {"rows": rows})


@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    form = ShareCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            share_code = services.share_code_create(
                actor=user, purpose=form.cleaned_data["purpose"], days=form.cleaned_data["days"]
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your share code is ready."))
            return redirect("sharing:detail", pk=share_code.pk)
    context = {"form": form, "account_url": reverse("accounts:account")}
    return render(request, "sharing/create.html", context)


@login_required
@never_cache
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    share_code = selectors.share_code_get_for(viewer=request.user, pk=pk)
    return render(
        request,
        "sharing/detail.html",
        {
            "share_code": share_code,
            "status": share_code.status_on(clock.today()),
            "can": _can(request, share_code),
            "checks": selectors.checks_of(share_code=share_code, viewer=request.user)[:500],
            "check_url": request.build_absolute_uri(reverse("sharing:check")),
        },
    )


@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a code, after a confirmation page."""
    share_code = selectors.share_code_get_for(viewer=request.user, pk=pk)
    if request.method != "POST":
        if not _can(request, share_code)["revoke"]:
            return redirect("sharing:detail", pk=pk)
        return render(request, "sharing/revoke.html", {"share_code": share_code})
    try:
        services.share_code_revoke(share_code=share_code, actor=_applicant(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The code is cancelled: nobody can use it any more."))
    return redirect("sharing:detail", pk=pk)


@never_cache
def check(request: HttpRequest) -> HttpResponse:
    """Public: a share code and the holder's date of birth show their rights today."""
    form = CheckForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "sharing/check.html", {"form": form})
    data = form.cleaned_data
    result = services.share_code_check(
        code=data["code"],
        date_of_birth=data["date_of_birth"],
        organisation=data["organisation"],
        ip=_ip(request),
        actor=request.user if request.user.is_authenticated else None,
    )
    if result.shown:
        return render(request, "sharing/result.html", {"result": result})
    form.add_error(None, _refusal(result))
    response = render(
        request, "sharing/check.html", {"form": form}, status=429 if result.retry_at else 200
    )
    if result.retry_at is not None:
        wait = (result.retry_at - clock.now()).total_seconds()
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _refusal(result: services.CheckResult) -> str:
    """Why a check showed nothing, in words the checker can act on."""
    outcome, share_code = result.check.outcome, result.check.share_code
    if result.retry_at is not None:
        return _(
            "Too many tries with this code or from your connection. To protect the holder, "
            "checks are paused: try again after %(time)s."
        ) % {"time": timezone.localtime(result.retry_at).strftime("%H:%M")}
    if outcome == Outcome.REVOKED:
        return _("The holder has cancelled this share code. Ask them to make a new one.")
    if outcome == Outcome.EXPIRED and share_code is not None:
        return _("This share code was valid until %(date)s. Ask the holder to make a new one.") % {
            "date": share_code.expires_on.strftime("%d/%m/%Y")
        }
    return _(
        "No share code matches this code and this date of birth. Check both with the holder: "
        "the code has 9 letters and digits, and the date is the holder's own date of birth."
    )
