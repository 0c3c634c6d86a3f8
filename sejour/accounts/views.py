"""Account pages: sign up, confirm, log in and out, reset a password, contact details, identity."""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from sejour.accounts import limits, second_factor, selectors, services
from sejour.accounts.choices import Channel, Purpose
from sejour.accounts.forms import (
    CodeForm,
    EmailChangeForm,
    IdentityForm,
    LoginForm,
    PhoneChangeForm,
    ResetRequestForm,
    SetPasswordForm,
    SignupForm,
    TotpForm,
)
from sejour.accounts.models import Challenge, User
from sejour.core.errors import DomainError
from sejour.core.http import client_ip

PENDING = "sejour_pending_challenge"
RESET_OK = "sejour_reset_ok"


def _ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def _fail(form: Form, error: DomainError | ValidationError) -> None:
    """Show a refused action as an error of the form, keeping what was typed."""
    form.add_error(None, str(error.message) if isinstance(error, DomainError) else error)


def _expect_code(request: HttpRequest, challenge_id: object, purpose: str, to: str) -> None:
    # Where the code went, masked: an e-mail address keeps its "@", a phone number has none.
    channel = Channel.EMAIL if "@" in to else Channel.SMS
    request.session[PENDING] = {
        "id": str(challenge_id),
        "purpose": purpose,
        "to": to,
        "channel": channel,
    }


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.user_signup(
                email=data["email"],
                phone=data["phone"],
                password=data["password1"],
                given_name=data["given_name"],
                family_name=data["family_name"],
                language=get_language() or "fr",
                ip=_ip(request),
            )
        except (DomainError, ValidationError) as error:
            _fail(form, error)
        else:
            masked = selectors.masked_value(sent.destination)
            _expect_code(request, sent.public_id, Purpose.CONFIRM, masked)
            return redirect("accounts:code")
    return render(request, "accounts/signup.html", {"form": form})


def _after_proof(request: HttpRequest, challenge: Challenge, *, same_browser: bool) -> HttpResponse:
    """What follows a right code or link, by the code's purpose."""
    request.session.pop(PENDING, None)
    if challenge.purpose == Purpose.RESET:
        request.session[RESET_OK] = str(challenge.public_id)
        return redirect("accounts:reset_set")
    if challenge.purpose == Purpose.CHANGE:
        services.contact_change_confirm(challenge=challenge, ip=_ip(request))
        messages.success(request, _("Your contact details are changed."))
        return redirect("accounts:account" if request.user.is_authenticated else "accounts:login")
    user = services.contact_confirm(challenge=challenge, ip=_ip(request))
    if same_browser:
        login(request, user, backend="sejour.accounts.backends.IdentifierBackend")
        services.user_login_succeeded(user=user, ip=_ip(request))
        messages.success(request, _("Your account is confirmed. Welcome."))
        return redirect("web:dashboard")
    messages.success(request, _("Your account is confirmed. You can log in."))
    return redirect("accounts:login")


def code(request: HttpRequest) -> HttpResponse:
    """Type the code received by e-mail or SMS."""
    pending = request.session.get(PENDING)
    if not pending:
        messages.info(request, _("No code is waiting. Start again from the beginning."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_check_code(
                public_id=pending["id"], code=form.cleaned_data["code"]
            )
            return _after_proof(request, challenge, same_browser=True)
        except DomainError as error:
            _fail(form, error)
    return render(request, "accounts/code.html", {"form": form, "pending": pending})


@require_POST
def code_resend(request: HttpRequest) -> HttpResponse:
    """Send a new sign-up code; other codes are asked again from their own page."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    if pending["purpose"] != Purpose.CONFIRM:
        start = "accounts:reset" if pending["purpose"] == Purpose.RESET else "accounts:account"
        return redirect(start)
    user = selectors.user_for_challenge(public_id=pending["id"])
    if user is None or user.has_confirmed_contact:
        return redirect("accounts:login")
    try:
        challenge = services.confirmation_resend(user=user, ip=_ip(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        _expect_code(request, challenge.public_id, Purpose.CONFIRM, selectors.masked(challenge))
        messages.success(request, _("A new code is on its way."))
    return redirect("accounts:code")


def link(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    """A link from an e-mail: shown first, used only by pressing the button (mail scanners GET)."""
    try:
        challenge = services.challenge_check_token(public_id=public_id, token=token)
    except (DomainError, ValidationError):
        return render(request, "accounts/link_invalid.html", status=400)
    if challenge.purpose == Purpose.CONSENT:  # given to the helper in person, never by a link
        return render(request, "accounts/link_invalid.html", status=400)
    if request.method == "POST":
        try:
            return _after_proof(request, challenge, same_browser=False)
        except DomainError as error:
            messages.error(request, str(error.message))
    return render(request, "accounts/link.html", {"challenge": challenge})


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponseBase:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["username"]
        try:
            limits.login_pace(ip=_ip(request))
        except limits.LoginSlowed as slowed:
            _fail(form, slowed)
            response = render(request, "accounts/login.html", {"form": form}, status=429)
            response["Retry-After"] = str(slowed.seconds)
            return response
        user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return lockout(request, None, {"username": identifier})
            services.user_login_failed(identifier=identifier, ip=_ip(request))
            form.add_error(
                None,
                _(
                    "The e-mail address, phone number or password is not right. "
                    "Check and try again."
                ),
            )
        else:
            return _login_accepted(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")})


def _login_accepted(request: HttpRequest, user: User) -> HttpResponse:
    if not user.has_confirmed_contact:
        try:
            challenge = services.confirmation_resend(user=user, ip=_ip(request))
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("accounts:login")
        _expect_code(request, challenge.public_id, Purpose.CONFIRM, selectors.masked(challenge))
        messages.info(request, _("Confirm your account first: we have sent you a new code."))
        return redirect("accounts:code")
    login(request, user)
    services.user_login_succeeded(user=user, ip=_ip(request))
    _keep_chosen_language(request, user)
    return redirect(_next_url(request, reverse("web:dashboard")))


def _keep_chosen_language(request: HttpRequest, user: User) -> None:
    """A language chosen on the site before logging in (its cookie) becomes the account's, so
    that messages follow it; without a choice, the account keeps the one it has."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES) and chosen != user.language:
        services.user_language_set(user=user, actor=user, language=chosen)


def lockout(
    request: HttpRequest, response: HttpResponseBase | None, credentials: dict[str, Any] | None
) -> HttpResponseBase:
    """Too many failed logins: say so plainly and for how long; never a permanent lock."""
    if response is not None and getattr(request, "sejour_lockout_shown", False):
        return response  # the login view already answered; axes' middleware calls this again
    request.sejour_lockout_shown = True  # type: ignore[attr-defined]
    identifier = str((credentials or {}).get("username") or request.POST.get("username", ""))
    services.user_login_failed(identifier=identifier, ip=_ip(request), locked=True)
    form = LoginForm(initial={"username": identifier})
    context = {
        "form": form,
        "lock_message": _(
            "Too many failed attempts. For your safety, logging in is paused for 15 minutes. "
            "You can reset your password meanwhile."
        ),
    }
    return render(request, "accounts/login.html", context, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.user_logged_out(user=request.user, ip=_ip(request))
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("web:home")


def reset(request: HttpRequest) -> HttpResponse:
    """Forgotten password: a code goes to the account's e-mail address or phone."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            public_id = services.password_reset_request(identifier=identifier, ip=_ip(request))
        except DomainError as error:
            _fail(form, error)
        else:
            _expect_code(request, public_id, Purpose.RESET, selectors.masked_value(identifier))
            return redirect("accounts:code")
    return render(request, "accounts/reset.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
def reset_set(request: HttpRequest) -> HttpResponse:
    """Choose a new password once the reset code was right."""
    challenge = selectors.challenge_open(public_id=request.session.get(RESET_OK))
    if challenge is None:
        messages.error(request, _("This reset has expired. Ask for a new code."))
        return redirect("accounts:reset")
    form = SetPasswordForm(request.POST or None, user=challenge.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                challenge=challenge, password=form.cleaned_data["password1"], ip=_ip(request)
            )
        except (DomainError, ValidationError) as error:
            _fail(form, error)
        else:
            request.session.pop(RESET_OK, None)
            messages.success(request, _("Your password is changed. You can log in."))
            return redirect("accounts:login")
    return render(request, "accounts/reset_set.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {"profile": request.user})


@login_required
def identity(request: HttpRequest) -> HttpResponse:
    """Names, date of birth, nationality and foreigner number, as the person gives them."""
    user: User = request.user  # type: ignore[assignment]
    form = IdentityForm(request.POST or None, initial=IdentityForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.identity_update(
                user=user,
                actor=user,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                nationality=data["nationality"],
                foreigner_number=data["foreigner_number"],
            )
        except services.IdentityInvalid as error:
            form.add_error(form.field_of(error.field), str(error.message))
        except DomainError as error:
            _fail(form, error)
        else:
            messages.success(request, _("Your identity details are saved."))
            return redirect("accounts:account")
    return render(request, "accounts/identity.html", {"form": form})


@login_required
@sensitive_post_parameters("password")
def contact_change(request: HttpRequest, kind: str) -> HttpResponse:
    """Give a new e-mail address or phone number; a code confirms it."""
    if kind not in (Channel.EMAIL, Channel.SMS):
        raise Http404
    form_class = EmailChangeForm if kind == Channel.EMAIL else PhoneChangeForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.contact_change_request(
                user=request.user,  # type: ignore[arg-type]
                actor=request.user,  # type: ignore[arg-type]
                kind=kind,
                value=str(form.cleaned_data["value"]),
                password=form.cleaned_data["password"],
                ip=_ip(request),
            )
        except DomainError as error:
            _fail(form, error)
        else:
            _expect_code(request, challenge.public_id, Purpose.CHANGE, selectors.masked(challenge))
            return redirect("accounts:code")
    return render(request, "accounts/contact_change.html", {"form": form, "kind": kind})


def _verified_by(request: HttpRequest) -> Any:
    """The device that verified this session's second step, if any (set by django-otp)."""
    user: Any = request.user
    return getattr(user, "otp_device", None) if user.is_verified() else None


def _second_factor_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.needs_second_factor:
        raise Http404
    return user


ENROLLING = "sejour_enrolling_device"


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app, proven by its first code: the first one within the period an
    administrator opened, any other from a session that passed the second step."""
    user = _second_factor_user(request)
    verified_by = _verified_by(request)
    if not second_factor.may_enrol(user=user, verified_by=verified_by):
        if verified_by is None and (
            second_factor.has_authenticator(user) or user.may_use_contact_code
        ):
            return redirect(
                f"{reverse('accounts:otp_verify')}?next={reverse('accounts:otp_setup')}"
            )
        return render(request, "accounts/otp_closed.html", status=403)
    device = second_factor.authenticator_start(
        user=user, verified_by=verified_by, device_id=request.session.get(ENROLLING)
    )
    request.session[ENROLLING] = device.pk
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.authenticator_confirm(
                user=user,
                device=device,
                token=form.cleaned_data["token"],
                verified_by=verified_by,
                ip=_ip(request),
            )
        except DomainError as error:
            _fail(form, error)
        else:
            request.session.pop(ENROLLING, None)
            if verified_by is None:
                otp_login(request, device)
            messages.success(request, _("Your authenticator app is added."))
            return redirect(_next_url(request, reverse("accounts:otp_devices")))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code to scan"))
    secret = selectors.totp_secret(device=device)
    context = {"form": form, "qr": qr, "secret": secret, "adding": verified_by is not None}
    return render(request, "accounts/otp_setup.html", context)


SECOND_STEP = "sejour_second_step_challenge"


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: an authenticator's code, or for helpers a code sent
    to a confirmed contact."""
    user = _second_factor_user(request)
    has_app = second_factor.has_authenticator(user)
    if not has_app and not user.may_use_contact_code:
        return redirect(f"{reverse('accounts:otp_setup')}?next={_next_url(request, '')}")
    pending = request.session.get(SECOND_STEP)
    form: Form
    if pending and "code" in request.POST:
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                device = second_factor.contact_code_verify(
                    user=user,
                    public_id=pending["id"],
                    code=form.cleaned_data["code"],
                    ip=_ip(request),
                )
            except DomainError as error:
                _fail(form, error)
            else:
                request.session.pop(SECOND_STEP, None)
                otp_login(request, device)
                return redirect(_next_url(request, reverse("web:dashboard")))
        totp_form = TotpForm() if has_app else None
    else:
        form = CodeForm() if pending else Form()
        totp_form = TotpForm(request.POST or None) if has_app else None
        if request.method == "POST" and totp_form is not None and totp_form.is_valid():
            try:
                device = second_factor.authenticator_verify(
                    user=user, token=totp_form.cleaned_data["token"], ip=_ip(request)
                )
            except DomainError as error:
                _fail(totp_form, error)
            else:
                otp_login(request, device)
                return redirect(_next_url(request, reverse("web:dashboard")))
    context = {
        "totp_form": totp_form,
        "code_form": form if pending else None,
        "pending": pending,
        "contacts": selectors.second_factor_contacts(user=user),
        "next": _next_url(request, ""),
    }
    return render(request, "accounts/otp_verify.html", context)


@login_required
@require_POST
def otp_code_send(request: HttpRequest) -> HttpResponse:
    """Helpers: send the second step's code to a confirmed contact."""
    user = _second_factor_user(request)
    next_url = _next_url(request, "")
    try:
        challenge = second_factor.contact_code_send(
            user=user, channel=request.POST.get("channel", ""), ip=_ip(request)
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        request.session[SECOND_STEP] = {
            "id": str(challenge.public_id),
            "to": selectors.masked(challenge),
        }
        messages.info(request, _("A code is on its way."))
    target = reverse("accounts:otp_verify")
    return redirect(f"{target}?next={next_url}" if next_url else target)


@login_required
def otp_devices(request: HttpRequest) -> HttpResponse:
    """The holder's authenticators: add one, or remove one (from a verified session only)."""
    user = _second_factor_user(request)
    if request.method == "POST":
        try:
            device_id = int(request.POST.get("device", ""))
        except ValueError:
            device_id = 0
        try:
            second_factor.authenticator_remove(
                user=user, device_id=device_id, verified_by=_verified_by(request), ip=_ip(request)
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The authenticator is removed."))
        return redirect("accounts:otp_devices")
    context = {
        "devices": selectors.authenticators_of(user=user),
        "current": _verified_by(request),
    }
    return render(request, "accounts/otp_devices.html", context)
