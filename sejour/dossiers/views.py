"""The applicant's pages: start, answer, add documents, file, follow, correct, write, export."""

import uuid
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.attestations import selectors as attestation_selectors
from sejour.catalog import selectors as catalog_selectors
from sejour.core import clock
from sejour.core.errors import DomainError
from sejour.dossiers import exports, instruction, permissions, presenters, selectors, services
from sejour.dossiers.forms import AnswersForm, MessageForm, RepresentForm, SubmitForm, UploadForm
from sejour.dossiers.models import Dossier
from sejour.dossiers.permissions import get_abilities
from sejour.dossiers.windows import filing_check
from sejour.helpers import selectors as helper_selectors
from sejour.helpers import services as helper_services


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(request: HttpRequest, dossier: Dossier, template: str, **context: object) -> HttpResponse:
    context.update(
        dossier=dossier,
        can=get_abilities(request.user, dossier),
        summary=presenters.summary(dossier, today=clock.today()),
    )
    return render(request, template, context)


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Choose a procedure; each choice opens a new draft, several may be open at once."""
    procedures = catalog_selectors.procedure_list(viewer=request.user)
    if request.method == "POST":
        procedure = procedures.filter(code=request.POST.get("procedure", "")).first()
        if procedure is None:
            messages.error(request, _("Choose one of the procedures below."))
        else:
            dossier = services.dossier_start(actor=_user(request), procedure=procedure)
            return redirect("dossiers:answers", number=dossier.number)
    return render(request, "dossiers/start.html", {"procedures": procedures})


def _detail(request: HttpRequest, dossier: Dossier, message_form: MessageForm) -> HttpResponse:
    return _page(
        request,
        dossier,
        "dossiers/detail.html",
        requests=presenters.request_rows(dossier),
        items=presenters.checklist_rows(dossier),
        answer_rows=presenters.answer_rows(dossier),
        events=presenters.timeline_rows(dossier),
        thread=selectors.messages_of(dossier=dossier),
        attestations=attestation_selectors.attestations_of(dossier=dossier),
        attempts=selectors.failed_attempts(dossier=dossier),
        cover=presenters.cover(dossier, today=clock.today()),
        today=clock.today(),
        message_form=message_form,
    )


@login_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    return _detail(request, dossier, MessageForm())


@login_required
def answers(request: HttpRequest, number: str) -> HttpResponse:
    """The guided questions; each save is kept on the server, even half done."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    if not get_abilities(request.user, dossier)["edit"]:
        return redirect("dossiers:detail", number=number)
    initial = {
        **AnswersForm.initial_for(dossier.answers, dossier.procedure),
        "postcode": dossier.postcode,
        "revision": dossier.revision,
    }
    form = AnswersForm(request.POST or None, initial=initial, procedure=dossier.procedure)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_answer(
                dossier=dossier,
                actor=_user(request),
                answers=form.answers(),
                postcode=form.cleaned_data["postcode"],
                revision=form.cleaned_data["revision"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if request.headers.get("X-Autosave"):
                dossier.refresh_from_db(fields=["revision"])
                return JsonResponse({"saved": True, "revision": dossier.revision})
            messages.success(request, _("Your answers are saved."))
            target = "dossiers:answers" if "stay" in request.POST else "dossiers:documents"
            return redirect(target, number=number)
    return _page(
        request,
        dossier,
        "dossiers/answers.html",
        form=form,
        check=filing_check(dossier=dossier, on=clock.today()),
    )


@login_required
def documents(request: HttpRequest, number: str) -> HttpResponse:
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    return _page(
        request,
        dossier,
        "dossiers/documents.html",
        requests=presenters.request_rows(dossier),
        items=presenters.checklist_rows(dossier),
        upload_form=UploadForm(initial={"revision": dossier.revision}),
    )


@login_required
@require_POST
def upload(request: HttpRequest, number: str, item: str) -> HttpResponse:
    """One file for one item, sent alone as soon as it is chosen."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    form = UploadForm(request.POST, request.FILES)
    replaces = None
    if request.POST.get("replaces"):
        replaces = dossier.documents.filter(pk=request.POST["replaces"]).first()
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            services.document_add(
                dossier=dossier,
                actor=_user(request),
                item_code=item,
                data=upload_file,
                name=upload_file.name,
                replaces=replaces,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your file is added."))
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, text)
    return redirect(f"{reverse('dossiers:documents', args=[number])}#item-{item}")


@login_required
@require_POST
def document_remove(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    document = selectors.document_get_for(user=request.user, number=number, document_id=document_id)
    try:
        services.document_remove(document=document, actor=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The file is removed. It stays in the history."))
    return redirect(f"{reverse('dossiers:documents', args=[number])}#item-{document.item_code}")


@login_required
def document_download(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A stored file, checked against its checksum and the antivirus before it is served."""
    document = selectors.document_get_for(user=request.user, number=number, document_id=document_id)
    try:
        content = selectors.document_content(document=document, viewer=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("dossiers:detail", number=number)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{document.pk}.{document.file.name.rsplit(".", 1)[-1]}"'
    )
    return response


@login_required
def review(request: HttpRequest, number: str) -> HttpResponse:
    """Check before filing: what is missing, with a link to each; the filing window."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    if dossier.status != "draft":
        return redirect("dossiers:detail", number=number)
    return _page(
        request,
        dossier,
        "dossiers/review.html",
        blockers=services.filing_blockers(dossier=dossier),
        check=filing_check(dossier=dossier, on=clock.today()),
        items=presenters.checklist_rows(dossier),
        submit_form=SubmitForm(initial={"key": uuid.uuid4()}),
    )


@login_required
@require_POST
def submit(request: HttpRequest, number: str) -> HttpResponse:
    """File the application. Sent twice, it files once; failing on our side, it leaves a proof."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("This form has expired. Check your application and file it again.")
        )
        return redirect("dossiers:review", number=number)
    try:
        filed, attempt = services.dossier_submit_safely(
            dossier=dossier, actor=_user(request), key=form.cleaned_data["key"]
        )
    except services.TooEarly as error:
        messages.error(request, str(error.message))
        return redirect("dossiers:review", number=number)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("dossiers:review", number=number)
    except Exception:  # even the proof could not be saved: show it from what we know
        return render(
            request,
            "dossiers/attempt.html",
            {"dossier": dossier, "at": timezone.now(), "proof": None},
            status=503,
        )
    if attempt is not None:
        return render(
            request,
            "dossiers/attempt.html",
            {"dossier": dossier, "at": attempt.at, "proof": attempt.proof_code},
            status=503,
        )
    messages.success(request, _("Your application is filed. Your filing receipt is below."))
    return redirect("dossiers:detail", number=filed.number if filed else number)


@login_required
@require_POST
def remind(request: HttpRequest, number: str) -> HttpResponse:
    """Too early to renew: send me a message when the window opens."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    check = filing_check(dossier=dossier, on=clock.today())
    if check is None or not check.too_early:
        return redirect("dossiers:review", number=number)
    services.window_reminder_schedule(dossier=dossier, actor=_user(request), check=check)
    messages.success(
        request,
        _("We will send you a message on %(date)s, when you can file.")
        % {"date": date_format(check.window_opens, "DATE_FORMAT")},
    )
    return redirect("dossiers:detail", number=number)


@login_required
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """Withdraw, after a confirmation page."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    if request.method == "POST":
        try:
            services.dossier_withdraw(dossier=dossier, actor=_user(request))
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("dossiers:detail", number=number)
    return _page(request, dossier, "dossiers/withdraw.html")


@login_required
@require_POST
def message(request: HttpRequest, number: str) -> HttpResponse:
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = form.cleaned_data.get("attachment")
        try:
            services.message_post(
                dossier=dossier,
                actor=_user(request),
                body=form.cleaned_data.get("body") or "",
                attachments=[(attachment, attachment.name)] if attachment else [],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(f"{reverse('dossiers:detail', args=[number])}#messages")
    return _detail(request, dossier, form)


@login_required
def attestation_download(request: HttpRequest, number: str, code: str) -> FileResponse:
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    attestation = attestation_selectors.attestation_of(dossier=dossier, code=code)
    if attestation is None:
        raise Http404
    content = attestation_selectors.pdf_content(attestation=attestation)
    return _pdf(content, f"{attestation.kind}-{dossier.number}.pdf")


@login_required
def attempt_proof(request: HttpRequest, number: str, proof: str) -> FileResponse:
    """The dated proof of a filing attempt that failed on the platform's side."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    attempt = selectors.failed_attempts(dossier=dossier).filter(proof_code=proof).first()
    if attempt is None:
        raise Http404
    return _pdf(exports.attempt_pdf(attempt=attempt), f"tentative-{dossier.number}.pdf")


def _pdf(content: bytes, filename: str) -> FileResponse:
    return FileResponse(
        BytesIO(content), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything held about me: a ZIP with a JSON file and every document."""
    if request.method == "POST":
        content = exports.my_data_zip(user=_user(request))
        response = HttpResponse(content, content_type="application/zip")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="sejour-mes-donnees-{stamp}.zip"'
        return response
    return render(request, "dossiers/my_data.html")


@login_required
@require_POST
def requests_answered(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant has sent what the prefecture asked for: the review resumes."""
    dossier = selectors.dossier_get_for(user=request.user, number=number)
    try:
        instruction.documents_answered(dossier=dossier, actor=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("dossiers:documents", number=number)
    messages.success(request, _("Thank you. The prefecture is told and resumes the review."))
    return redirect("dossiers:detail", number=number)


# Helpers: the dashboard of the applicants they help, starting an application for one of them,
# and a lawyer's declaration on a client's application.


def _helper(request: HttpRequest) -> User:
    if not permissions.is_helper(request.user):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]


@login_required
@never_cache
def helping(request: HttpRequest) -> HttpResponse:
    """Every mandated applicant and dossier, what needs action first, search and counts."""
    helper = _helper(request)
    query = request.GET.get("q", "")[:100]
    today = clock.today()
    dossiers = selectors.helped_dossiers(viewer=helper, query=query)
    rows = [
        (
            dossier,
            presenters.summary(dossier, today=today),
            getattr(dossier, "waiting_requests", []),
        )
        for dossier in dossiers[:200]
    ]
    mandates = helper_selectors.mandates_active_held(viewer=helper, query=query)
    return render(
        request,
        "dossiers/helping.html",
        {
            "query": query,
            "rows": rows,
            "mandates": mandates[:200],
            "counts": selectors.helped_counts(viewer=helper),
            "expiring": helper_selectors.expiring_soon(viewer=helper),
            "awaiting": helper_selectors.awaiting_code(viewer=helper),
            "organisations": helper_selectors.organisations_of(viewer=helper),
            "lawyer": helper_selectors.lawyer_membership(viewer=helper),
            "represent_form": RepresentForm(),
        },
    )


@login_required
def start_for(request: HttpRequest, applicant_id: int) -> HttpResponse:
    """Start an application for an applicant whose mandate lets the helper prepare them."""
    helper = _helper(request)
    applicant = selectors.applicant_prepared_by(viewer=helper, pk=applicant_id)
    procedures = catalog_selectors.procedure_list(viewer=applicant)
    if request.method == "POST":
        procedure = procedures.filter(code=request.POST.get("procedure", "")).first()
        if procedure is None:
            messages.error(request, _("Choose one of the procedures below."))
        else:
            try:
                dossier = services.dossier_start(
                    actor=helper, procedure=procedure, applicant=applicant
                )
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                return redirect("dossiers:answers", number=dossier.number)
    return render(
        request, "dossiers/start.html", {"procedures": procedures, "for_applicant": applicant}
    )


@login_required
@require_POST
def represent(request: HttpRequest) -> HttpResponse:
    """A lawyer attaches to a client's application on their declaration."""
    helper = _helper(request)
    form = RepresentForm(request.POST)
    if form.is_valid():
        dossier = selectors.dossier_for_declaration(number=form.cleaned_data["number"])
        try:
            if dossier is None:
                raise DomainError(
                    _(
                        "No application matches this number and this family name. "
                        "Check both with your client."
                    )
                )
            helper_services.representation_declare(
                actor=helper, dossier=dossier, family_name=form.cleaned_data["family_name"]
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("You now represent your client on this application; they are told.")
            )
            return redirect("dossiers:detail", number=dossier.number)
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, text)
    return redirect(f"{reverse('dossiers:helping')}#represent")
