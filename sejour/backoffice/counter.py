"""The counter (guichet): a prefecture agent files an application at the counter or from paper
for the person present, with or without an account, and prints the filing receipt at once."""

import uuid

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sejour.accounts import selectors as account_selectors
from sejour.accounts.models import User
from sejour.attestations import selectors as attestation_selectors
from sejour.attestations.choices import Kind
from sejour.backoffice.forms import CounterPersonForm, CounterTakeForm, CounterUploadForm
from sejour.backoffice.views import staff_only
from sejour.catalog import selectors as catalog
from sejour.core.errors import DomainError
from sejour.dossiers import permissions, selectors, services, substitute
from sejour.dossiers.forms import AnswersForm
from sejour.dossiers.models import Dossier
from sejour.helpers import services as helpers

# The person found or opened at the counter travels in the address, signed, for an hour.
PERSON_SALT = "sejour.backoffice.counter.person"
PERSON_MAX_AGE = 3600
# Codes to take an account over, kept in the agent's session until the receipt is printed.
CODES = "counter_codes"


def _agent(request: HttpRequest) -> User:
    if not permissions.is_agent(request.user):
        raise Http404
    return request.user  # type: ignore[return-value]


@staff_only
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Who the application is for: find the person's account, or open one with no contact."""
    agent = _agent(request)
    form = CounterPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = account_selectors.person_by_identity(
            viewer=agent,
            foreigner_number=data["foreigner_number"],
            date_of_birth=data["date_of_birth"],
        )
        if data["has_account"] == "yes" and person is None:
            form.add_error(
                None,
                _(
                    "No account has this foreigner number and this date of birth. Check them, "
                    "or open an account for the person."
                ),
            )
        elif data["has_account"] == "no" and person is not None:
            form.add_error(None, _("This person already has an account: find it instead."))
        else:
            try:
                if person is None:
                    person, code = helpers.account_open_at_counter(
                        actor=agent,
                        given_name=data["given_name"],
                        family_name=data["family_name"],
                        date_of_birth=data["date_of_birth"],
                        language=data["language"],
                        foreigner_number=data["foreigner_number"],
                    )
                    request.session[CODES] = {
                        **request.session.get(CODES, {}),
                        str(person.pk): code,
                    }
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                token = signing.dumps(person.pk, salt=PERSON_SALT)
                return redirect("backoffice:counter_person", token=token)
    return render(request, "backoffice/counter_start.html", {"form": form})


def _person(agent: User, token: str) -> User:
    try:
        pk = signing.loads(token, salt=PERSON_SALT, max_age=PERSON_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    person = selectors.counter_person(viewer=agent, pk=pk)
    if person is None:
        raise Http404
    return person


@staff_only
@never_cache
def person(request: HttpRequest, token: str) -> HttpResponse:
    """Which application: one the person started online, or a new one; and the channel."""
    agent = _agent(request)
    someone = _person(agent, token)
    drafts = selectors.counter_drafts(viewer=agent, applicant=someone)
    procedures = catalog.procedure_list(viewer=agent)
    form = CounterTakeForm(
        request.POST or None,
        drafts=[(d.number, f"{d.number} — {d.procedure.translated_name}") for d in drafts],
        procedures=[(p.code, p.translated_name) for p in procedures],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = substitute.counter_take(
                actor=agent,
                applicant=someone,
                channel=data["channel"],
                dossier=drafts.get(number=data["dossier"]) if data["dossier"] else None,
                procedure=procedures.get(code=data["procedure"]) if data["procedure"] else None,
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("backoffice:counter_dossier", number=dossier.number)
    return render(request, "backoffice/counter_person.html", {"form": form, "person": someone})


def _items(dossier: Dossier) -> list[tuple[str, str]]:
    return [(item.code, item.translated_label) for item in selectors.checklist(dossier=dossier)]


def _page(
    request: HttpRequest, dossier: Dossier, status: int = 200, **forms: object
) -> HttpResponse:
    answers_form = AnswersForm(
        initial={
            "revision": dossier.revision,
            "postcode": dossier.postcode,
            **AnswersForm.initial_for(dossier.answers, dossier.procedure),
        },
        procedure=dossier.procedure,
    )
    present = {d.item_code for d in selectors.current_documents(dossier=dossier)}
    context = {
        "dossier": dossier,
        "answers_form": answers_form,
        "upload_form": CounterUploadForm(items=_items(dossier)),
        "checklist": [
            (item, item.code in present) for item in selectors.checklist(dossier=dossier)
        ],
        "blockers": services.filing_blockers(dossier=dossier),
        **forms,
    }
    return render(request, "backoffice/counter_dossier.html", context, status=status)


@staff_only
@never_cache
def dossier(request: HttpRequest, number: str) -> HttpResponse:
    """The application being filed: the answers typed from the form, the scanned documents."""
    found = selectors.counter_dossier_get(viewer=_agent(request), number=number)
    if not permissions.at_counter(request.user, found):
        return redirect("backoffice:counter_receipt", number=found.number)
    return _page(request, found)


@staff_only
@require_POST
def answers(request: HttpRequest, number: str) -> HttpResponse:
    agent = _agent(request)
    found = selectors.counter_dossier_get(viewer=agent, number=number)
    form = AnswersForm(request.POST, procedure=found.procedure)
    if form.is_valid():
        try:
            services.dossier_answer(
                dossier=found,
                actor=agent,
                answers=form.answers(),
                postcode=form.cleaned_data["postcode"],
                revision=form.cleaned_data["revision"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The answers are saved."))
            return redirect("backoffice:counter_dossier", number=found.number)
    return _page(request, found, status=400, answers_form=form)


@staff_only
@require_POST
def upload(request: HttpRequest, number: str) -> HttpResponse:
    agent = _agent(request)
    found = selectors.counter_dossier_get(viewer=agent, number=number)
    form = CounterUploadForm(request.POST, request.FILES, items=_items(found))
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            services.document_add(
                dossier=found,
                actor=agent,
                item_code=form.cleaned_data["item"],
                data=file,
                name=file.name,
            )
        except DomainError as error:
            form.add_error("file", str(error.message))
        else:
            messages.success(request, _("The file is added."))
            return redirect("backoffice:counter_dossier", number=found.number)
    return _page(request, found, status=400, upload_form=form)


@staff_only
@require_POST
def file(request: HttpRequest, number: str) -> HttpResponse:
    """File the application; the receipt is then printed on the spot."""
    agent = _agent(request)
    found = selectors.counter_dossier_get(viewer=agent, number=number)
    key = found.submission_key or uuid.uuid5(uuid.NAMESPACE_URL, f"counter:{found.number}")
    try:
        services.dossier_submit(dossier=found, actor=agent, key=key)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("backoffice:counter_dossier", number=found.number)
    return redirect("backoffice:counter_receipt", number=found.number)


@staff_only
@never_cache
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The page printed for the person: the filing receipt, and the code to take their
    account over when one was opened for them (shown this once)."""
    found = selectors.counter_dossier_get(viewer=_agent(request), number=number)
    if permissions.at_counter(request.user, found):
        return redirect("backoffice:counter_dossier", number=found.number)
    codes = request.session.get(CODES, {})
    code = codes.pop(str(found.applicant_id), None)
    request.session[CODES] = codes
    attestation = (
        attestation_selectors.attestations_of(dossier=found).filter(kind=Kind.RECEIPT).first()
    )
    return render(
        request,
        "backoffice/counter_receipt.html",
        {
            "dossier": found,
            "receipt": attestation,
            "code": helpers.spaced_code(code) if code else None,
            "take_over_url": request.build_absolute_uri(reverse("helpers:take_over")),
        },
    )


@staff_only
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    found = selectors.counter_dossier_get(viewer=_agent(request), number=number)
    attestation = (
        attestation_selectors.attestations_of(dossier=found).filter(kind=Kind.RECEIPT).first()
    )
    if attestation is None:
        raise Http404
    content = attestation_selectors.pdf_content(attestation=attestation)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="recepisse-{found.number}.pdf"'
    return response
