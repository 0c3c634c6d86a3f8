"""Helpers' pages: organisations (apply, verify, members), mandates (grant, consent in person,
revoke, renew), accounts opened for people without e-mail or phone, and their take-over."""

from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.core import clock, throttle
from sejour.core.errors import DomainError
from sejour.helpers import selectors, services
from sejour.helpers.choices import OrganisationKind
from sejour.helpers.forms import (
    BarForm,
    ConsentCodeForm,
    GrantForm,
    InPersonForm,
    InviteForm,
    OpenAccountForm,
    OrganisationForm,
    RefuseForm,
    RevokeForm,
    TakeOverForm,
)
from sejour.helpers.models import Mandate, Organisation
from sejour.helpers.permissions import (
    can_apply,
    get_mandate_abilities,
    get_organisation_abilities,
    is_admin,
    is_applicant,
    is_helper,
)

# Where the accounts pages expect a code to be waiting (sejour.accounts.views.PENDING).
PENDING_CHALLENGE = "sejour_pending_challenge"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _posted(request: HttpRequest) -> Any:
    """The data sent, for a form bound even when nothing was filled in (so that it says so)."""
    return request.POST if request.method == "POST" else None


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _organisation(request: HttpRequest, pk: int, ability: str) -> Organisation:
    organisation = selectors.organisation_get_for(viewer=request.user, pk=pk)
    if not get_organisation_abilities(request.user, organisation)[ability]:
        raise PermissionDenied
    return organisation


# Organisations.


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    """A helper's organisations; anyone signed in may apply to register one."""
    return render(
        request,
        "helpers/organisations.html",
        {
            "organisations": selectors.organisations_of(viewer=request.user),
            "can_apply": can_apply(request.user),
        },
    )


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    if not can_apply(request.user):
        raise PermissionDenied
    form = OrganisationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_apply(actor=_user(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request, _("Your application is sent. An administrator will check it.")
            )
            return redirect("helpers:organisation", pk=organisation.pk)
    return render(request, "helpers/apply.html", {"form": form})


@login_required
@never_cache
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _organisation(request, pk, "view")
    return _organisation_page(request, found, InviteForm())


def _organisation_page(
    request: HttpRequest, found: Organisation, invite_form: InviteForm
) -> HttpResponse:
    return render(
        request,
        "helpers/organisation.html",
        {
            "organisation": found,
            "can": get_organisation_abilities(request.user, found),
            "members": selectors.members_of(organisation=found),
            "invitations": selectors.invitations_open(organisation=found, at=clock.now()),
            "invite_form": invite_form,
        },
    )


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = _organisation(request, pk, "invite")
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_send(
                organisation=found,
                actor=_user(request),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The invitation is sent by e-mail."))
            return redirect("helpers:organisation", pk=pk)
    return _organisation_page(request, found, form)


@login_required
def member_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """Remove a member, after a confirmation page."""
    found = _organisation(request, pk, "remove")
    membership = selectors.members_of(organisation=found).filter(pk=member).first()
    if membership is None:
        messages.error(request, _("This person is no longer a member."))
        return redirect("helpers:organisation", pk=pk)
    if request.method != "POST":
        return render(
            request,
            "helpers/member_remove.html",
            {"organisation": found, "membership": membership},
        )
    try:
        services.member_remove(member=membership, actor=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The member is removed: they can no longer act for anyone here.")
        )
    return redirect("helpers:organisation", pk=pk)


@login_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Join an organisation from the link of an invitation."""
    found = services.invitation_for(token=token)
    if found is None:
        return render(request, "helpers/invitation_invalid.html", status=404)
    lawyer = found.organisation.kind == OrganisationKind.LAW_FIRM
    form = BarForm(_posted(request)) if lawyer else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.invitation_accept(
                token=token, actor=_user(request), **(form.cleaned_data if form else {})
            )
        except DomainError as error:
            if form is None:
                messages.error(request, str(error.message))
            else:
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Welcome: you are now a member."))
            return redirect("helpers:organisation", pk=found.organisation_id)
    return render(request, "helpers/invitation.html", {"invitation": found, "form": form})


@login_required
@never_cache
def to_verify(request: HttpRequest) -> HttpResponse:
    """For administrators: the organisations waiting for verification."""
    if not is_admin(request.user):
        raise PermissionDenied
    return render(
        request,
        "helpers/to_verify.html",
        {"organisations": selectors.organisations_to_decide(viewer=request.user)},
    )


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    found = _organisation(request, pk, "decide")
    form = RefuseForm(request.POST if request.POST.get("decision") == "refuse" else None)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "verify":
                services.organisation_verify(organisation=found, actor=_user(request))
                messages.success(request, _("The organisation is verified."))
                return redirect("helpers:to_verify")
            if form.is_valid():
                services.organisation_refuse(
                    organisation=found, actor=_user(request), reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("The organisation is refused; it is told why."))
                return redirect("helpers:to_verify")
        except DomainError as error:
            form.add_error(None, str(error.message))
    return render(
        request,
        "helpers/decide.html",
        {
            "organisation": found,
            "form": form,
            "founder": selectors.managers_of(organisation=found).first(),
        },
    )


# Consent in person, and accounts opened for people without e-mail or phone.


@login_required
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The helper records the mandate the applicant, present, gives; a code is sent to them."""
    found = _organisation(request, pk, "act")
    form = InPersonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            mandate = services.mandate_request_in_person(
                actor=_user(request),
                organisation=found,
                identifier=form.cleaned_data["identifier"],
                scopes=form.cleaned_data["scopes"],
                duration=form.cleaned_data["duration"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("A code is sent to the applicant."))
            return redirect("helpers:consent_code", pk=mandate.pk)
    return render(request, "helpers/consent.html", {"organisation": found, "form": form})


def _held(request: HttpRequest, pk: int) -> Mandate:
    mandate = selectors.mandates_held(viewer=request.user).filter(pk=pk).first()
    if mandate is None or not is_helper(request.user):
        raise PermissionDenied
    return mandate


@login_required
def consent_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The helper types the code the applicant received, read out by them."""
    mandate = _held(request, pk)
    if mandate.consented_at is not None or mandate.ended_at is not None:
        return redirect("dossiers:helping")
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.mandate_code_resend(mandate=mandate, actor=_user(request))
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("A new code is on its way."))
        return redirect("helpers:consent_code", pk=pk)
    form = ConsentCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.mandate_confirm(
                mandate=mandate, actor=_user(request), code=form.cleaned_data["code"]
            )
        except DomainError as error:
            form.add_error("code", str(error.message))
        else:
            messages.success(
                request,
                _("The mandate of %(name)s is active.") % {"name": mandate.applicant.display_name},
            )
            return redirect("dossiers:helping")
    return render(request, "helpers/consent_code.html", {"mandate": mandate, "form": form})


@login_required
def account_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an account, with the person present, for someone without e-mail or phone; the page
    that follows is printed for them, with the code that lets them take it over."""
    found = _organisation(request, pk, "act")
    form = OpenAccountForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, mandate, code = services.account_open(
                actor=_user(request),
                organisation=found,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                language=data["language"],
                scopes=data["scopes"],
                duration=data["duration"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return render(
                request,
                "helpers/paper.html",
                {
                    "person": person,
                    "mandate": mandate,
                    "code": services.spaced_code(code),
                    "organisation": found,
                    "take_over_url": request.build_absolute_uri(reverse("helpers:take_over")),
                },
            )
    return render(request, "helpers/account_open.html", {"organisation": found, "form": form})


# Wrong codes are counted per address: the code alone is out of reach of guessing (60 random
# bits, checked with the date of birth); this brake keeps a sweep from trying.
TAKE_OVER_FAILURES_PER_ADDRESS = 10
TAKE_OVER_WINDOW_SECONDS = 15 * 60


@sensitive_post_parameters("password")
def take_over(request: HttpRequest) -> HttpResponse:
    """Public: the person takes over the account a helper, a counter or the desk opened."""
    form = TakeOverForm(_posted(request))
    address = get_client_ip_address(request) or "unknown"
    window = TAKE_OVER_WINDOW_SECONDS
    if (
        request.method == "POST"
        and throttle.count("take-over", address, window=window) >= TAKE_OVER_FAILURES_PER_ADDRESS
    ):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many wrong codes were typed from this connection. For the safety of "
                "the accounts, wait 15 minutes and try again, or ask the place that gave "
                "you the paper."
            ),
        )
        return render(request, "helpers/take_over.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _user_taken, challenge = services.account_take_over(
                code=data["code"],
                date_of_birth=data["date_of_birth"],
                email=data.get("email") or None,
                phone=str(data["phone"]) if data.get("phone") else None,
                password=data["password"],
            )
        except ValidationError as error:
            form.add_error("password", error)
        except DomainError as error:
            throttle.hit("take-over", address, window=window)
            form.add_error(None, str(error.message))
        else:
            request.session[PENDING_CHALLENGE] = {
                "id": str(challenge.public_id),
                "purpose": challenge.purpose,
                "to": challenge.destination,
            }
            messages.success(
                request, _("Your account is yours. Type the code we just sent you to confirm.")
            )
            return redirect("accounts:code")
    return render(request, "helpers/take_over.html", {"form": form})


# The applicant's mandates.


def _grant_context(form: GrantForm, user: User, *, changing: bool) -> dict[str, Any]:
    """The text to agree to, once the organisation, the scopes and the duration are chosen."""
    text = ""
    if form.is_bound and form.is_valid() and not changing:
        text = services.consent_text(
            applicant=user,
            organisation=form.cleaned_data["organisation"],
            scopes=form.cleaned_data["scopes"],
            duration=form.cleaned_data["duration"],
            language=_language(),
        )
    return {"form": form, "text": text, "sha256": services.text_digest(text) if text else ""}


@login_required
@never_cache
def mandates(request: HttpRequest) -> HttpResponse:
    """Every mandate the applicant gave and every lawyer attached to their applications."""
    now = clock.now()
    rows = [
        (mandate, mandate.status_at(now), get_mandate_abilities(request.user, mandate, at=now))
        for mandate in selectors.mandates_of(viewer=request.user)
    ]
    return render(
        request,
        "helpers/mandates.html",
        {"rows": rows, "representations": selectors.representations_of(viewer=request.user)},
    )


@login_required
def grant(request: HttpRequest) -> HttpResponse:
    """Choose an organisation, what it covers and for how long; read the text; agree."""
    if not is_applicant(request.user):
        raise PermissionDenied
    form = GrantForm(_posted(request), organisations=selectors.verified_organisations())
    context = _grant_context(form, _user(request), changing="change" in request.POST)
    if request.method == "POST" and "agree" in request.POST and context["text"]:
        try:
            services.mandate_grant(
                actor=_user(request),
                organisation=form.cleaned_data["organisation"],
                scopes=form.cleaned_data["scopes"],
                duration=form.cleaned_data["duration"],
                text_sha256=request.POST.get("text_sha256", ""),
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your mandate is given. You can end it at any time."))
            return redirect("helpers:mandates")
    return render(request, "helpers/grant.html", context)


def _mine(request: HttpRequest, pk: int) -> Mandate:
    mandate = selectors.mandates_of(viewer=request.user).filter(pk=pk).first()
    if mandate is None:
        raise Http404
    return mandate


@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """End a mandate, or only some of what it covers, at once."""
    mandate = _mine(request, pk)
    now = clock.now()
    if not get_mandate_abilities(request.user, mandate, at=now)["revoke"]:
        messages.info(request, _("This mandate has already ended."))
        return redirect("helpers:mandates")
    current = [s.scope for s in mandate.scopes.all() if s.revoked_at is None]
    form = RevokeForm(_posted(request), current=current)
    if request.method == "POST" and form.is_valid():
        scopes = None if form.cleaned_data["everything"] else form.cleaned_data["scopes"]
        try:
            services.mandate_revoke(mandate=mandate, actor=_user(request), scopes=scopes)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Done: it stops at once."))
            return redirect("helpers:mandates")
    return render(request, "helpers/revoke.html", {"mandate": mandate, "form": form})


@login_required
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Renew in one step: the text to agree to, then one button."""
    mandate = _mine(request, pk)
    if not get_mandate_abilities(request.user, mandate, at=clock.now())["renew"]:
        messages.info(request, _("This mandate cannot be renewed: give a new one."))
        return redirect("helpers:mandates")
    text = services.renewal_text(mandate=mandate, language=_language())
    if request.method == "POST":
        try:
            services.mandate_renew(
                mandate=mandate,
                actor=_user(request),
                text_sha256=request.POST.get("text_sha256", ""),
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your mandate is renewed."))
            return redirect("helpers:mandates")
    return render(
        request,
        "helpers/renew.html",
        {"mandate": mandate, "text": text, "sha256": services.text_digest(text)},
    )


@login_required
def representation_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a lawyer's representation, after a confirmation page."""
    representation = selectors.representation_get_for(viewer=request.user, pk=pk)
    if request.method != "POST":
        return render(
            request, "helpers/representation_end.html", {"representation": representation}
        )
    try:
        services.representation_end(representation=representation, actor=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The representation has ended."))
    if representation.membership.user_id == request.user.pk:
        return redirect("dossiers:helping")
    return redirect("helpers:mandates")
