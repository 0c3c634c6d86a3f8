"""The prefecture's pages: work queue, search, review of a dossier, and its actions."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.constants import SELF
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.appointments import selectors as appointments
from sejour.appointments.choices import Kind as AppointmentKind
from sejour.attestations.choices import EndReason, Kind
from sejour.attestations.models import Attestation
from sejour.backoffice.forms import (
    AgentMessageForm,
    AssignForm,
    GrantExtensionForm,
    HandOverForm,
    NoteForm,
    QueueFilterForm,
    RefuseForm,
    RequestForm,
    SearchForm,
    WithdrawDecisionForm,
)
from sejour.catalog.choices import ProcedureKind
from sejour.core import clock
from sejour.core.errors import DomainError
from sejour.dossiers import continuity, instruction, permissions, presenters, selectors
from sejour.dossiers.models import Dossier

View = Callable[..., HttpResponse]


def staff_only(view: View) -> View:
    """Agents and supervisors only; anyone else gets the plain "not allowed" page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (permissions.is_agent(request.user) or permissions.is_supervisor(request.user)):
            return render(request, "errors/403.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _colleagues(viewer: User) -> list[User]:
    scope = permissions.prefecture_ids(viewer)
    agents = User.objects.filter(role="agent", is_active=True)
    if scope is not None:
        agents = agents.filter(prefectures__in=scope)
    agents = agents.distinct().order_by("family_name", "given_name")
    return list(agents.only("pk", "given_name", "family_name")[:200])


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    """The work queue, most at risk first, with counts per queue."""
    viewer = _user(request)
    agents = _colleagues(viewer)
    form = QueueFilterForm(request.GET or None, agents=agents)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.staff_queue(viewer=viewer, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    today = clock.today()
    rows = [(dossier, presenters.queue_flags(dossier, today=today)) for dossier in page]
    return render(
        request,
        "backoffice/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": selectors.staff_counts(viewer=viewer),
            "agents": agents,
            "query": request.GET.urlencode(),
        },
    )


@staff_only
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign several dossiers, or remind their applicants, at once."""
    viewer = _user(request)
    numbers = request.POST.getlist("dossier")[:200]
    dossiers = list(selectors.staff_dossiers(viewer=viewer).filter(number__in=numbers))
    action = request.POST.get("action", "")
    agent = None
    if action == "assign":
        agent = User.objects.filter(pk=request.POST.get("agent") or 0).first()
        if agent is None:
            messages.error(request, _("Choose the agent to give the dossiers to."))
            return redirect(f"{reverse('backoffice:queue')}?{request.POST.get('query', '')}")
    if not dossiers:
        messages.error(request, _("Tick at least one dossier."))
    else:
        done, refused = instruction.bulk(
            action=action, dossiers=dossiers, actor=viewer, agent=agent
        )
        messages.success(
            request,
            ngettext("Done for %(count)s dossier.", "Done for %(count)s dossiers.", done)
            % {"count": done},
        )
        if refused:
            messages.warning(
                request, _("Not possible for: %(numbers)s.") % {"numbers": ", ".join(refused)}
            )
    return redirect(f"{reverse('backoffice:queue')}?{request.POST.get('query', '')}")


@staff_only
def search(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    form = SearchForm(request.GET or None)
    results: list[Dossier] = []
    if form.is_valid() and form.cleaned_data["q"]:
        results = list(selectors.staff_search(viewer=viewer, query=form.cleaned_data["q"])[:100])
        instruction.search_recorded(viewer=viewer, results=len(results))
    return render(request, "backoffice/search.html", {"form": form, "results": results})


def _cover_rows(dossier: Dossier) -> list[tuple[Attestation, str]]:
    """The dossier's extension and favourable-decision attestations, oldest first, each with
    why it ended early (if it did)."""
    rows = dossier.attestations.filter(kind__in=[Kind.EXTENSION, Kind.FAVOURABLE]).order_by(
        "valid_from", "pk"
    )
    return [
        (
            row,
            str(EndReason(row.end_reason).label) if row.end_reason in EndReason.values else "",
        )
        for row in rows
    ]


def _review_context(request: HttpRequest, dossier: Dossier, **forms: Any) -> dict[str, Any]:
    viewer = _user(request)
    renewal = dossier.procedure.kind == ProcedureKind.RENEWAL
    today = clock.today()
    context: dict[str, Any] = {
        "dossier": dossier,
        "can": permissions.get_staff_abilities(viewer, dossier),
        "summary": presenters.summary(dossier, today=today),
        "flags": presenters.queue_flags(dossier, today=today),
        "answer_rows": presenters.answer_rows(dossier),
        "items": presenters.checklist_rows(dossier),
        "events": presenters.timeline_rows(dossier),
        "changes": selectors.changes_since(dossier=dossier, moment=dossier.agent_seen_at),
        "thread": selectors.messages_of(dossier=dossier),
        "notes": dossier.notes.select_related("author"),
        "requests": dossier.requests.order_by("-requested_at"),
        "decisions": dossier.decisions.select_related("decided_by", "withdrawn_by"),
        "agents": selectors.agents_of(dossier=dossier),
        "request_form": RequestForm(items=selectors.checklist(dossier=dossier), today=today),
        "refuse_form": RefuseForm(),
        "withdraw_form": WithdrawDecisionForm(),
        "note_form": NoteForm(),
        "message_form": AgentMessageForm(),
        "renewal": renewal,
        "cover_rows": _cover_rows(dossier) if renewal else [],
        "grant_form": GrantExtensionForm(),
        "hand_over_form": HandOverForm(),
        "appointments": appointments.bookings_of_dossier(viewer=viewer, dossier=dossier),
        "appointment_kinds": AppointmentKind.choices,
    }
    context.update(forms)
    return context


@staff_only
def review(request: HttpRequest, number: str) -> HttpResponse:
    """Everything about a dossier on one page; opening it is recorded in the audit journal."""
    dossier = selectors.staff_dossier_get(viewer=request.user, number=number)
    context = _review_context(request, dossier)
    instruction.dossier_seen(dossier=dossier, viewer=_user(request))
    return _render_review(request, context)


@staff_only
def document(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A file shown inline to staff, after its antivirus and checksum checks."""
    dossier = selectors.staff_dossier_get(viewer=request.user, number=number)
    file = dossier.documents.filter(pk=document_id).first()
    if file is None:
        return render(request, "errors/404.html", status=404)
    try:
        content = selectors.document_content(document=file, viewer=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("backoffice:review", number=number)
    instruction.document_viewed(document=file, viewer=_user(request))
    response = HttpResponse(content, content_type=file.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="{file.pk}.{file.file.name.rsplit(".", 1)[-1]}"'
    )
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _act(request: HttpRequest, number: str, action: Callable[[Dossier, User], str]) -> HttpResponse:
    """Run one action on a dossier in scope, then come back to it with a message."""
    dossier = selectors.staff_dossier_get(viewer=request.user, number=number)
    try:
        done = action(dossier, _user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect("backoffice:review", number=number)


@staff_only
@require_POST
def take(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User) -> str:
        instruction.dossier_take(dossier=dossier, actor=actor)
        return _("You now hold this dossier.")

    return _act(request, number, run)


@staff_only
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    dossier = selectors.staff_dossier_get(viewer=request.user, number=number)
    form = AssignForm(request.POST, agents=selectors.agents_of(dossier=dossier))
    if not form.is_valid():
        messages.error(request, _("Choose an agent of this prefecture."))
        return redirect("backoffice:review", number=number)

    def run(dossier: Dossier, actor: User) -> str:
        instruction.dossier_assign(dossier=dossier, actor=actor, agent=form.cleaned_data["agent"])
        return _("The dossier is given to %(name)s.") % {
            "name": form.cleaned_data["agent"].display_name
        }

    return _act(request, number, run)


def _form_action(
    request: HttpRequest,
    number: str,
    *,
    form_key: str,
    make_form: Callable[[Dossier], Any],
    run: Callable[[Dossier, User, Any], tuple[str, str]],
) -> HttpResponse:
    """Parse a form of the review page and run one action; a refusal shows on the page,
    with what was typed. `run` returns (where to go, message to show or "")."""
    dossier = selectors.staff_dossier_get(viewer=request.user, number=number)
    if request.method != "POST":
        return redirect("backoffice:review", number=number)
    form = make_form(dossier)
    if form.is_valid():
        try:
            target, done = run(dossier, _user(request), form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            if done:
                messages.success(request, done)
            return redirect(target)
    context = _review_context(request, dossier, **{form_key: form})
    return _render_review(request, context)


def _render_review(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The review page, which shows the dossier's PDF files in place (from this origin)."""
    response = render(request, "backoffice/review.html", context)
    # What django-csp's csp_replace decorator sets, which is typed for views of one argument.
    response._csp_replace = {"object-src": [SELF], "frame-src": [SELF]}  # type: ignore[attr-defined]
    return response


def _review_url(number: str, anchor: str = "") -> str:
    return reverse("backoffice:review", args=[number]) + (f"#{anchor}" if anchor else "")


@staff_only
def request_documents(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        instruction.documents_request(
            dossier=dossier,
            actor=actor,
            items=data["_requested"],
            deadline=data["deadline"],
        )
        return _review_url(number), _("The applicant is asked for the documents.")

    def make(dossier: Dossier) -> RequestForm:
        return RequestForm(
            request.POST, items=selectors.checklist(dossier=dossier), today=clock.today()
        )

    return _form_action(request, number, form_key="request_form", make_form=make, run=run)


@staff_only
@require_POST
def approve(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User) -> str:
        instruction.dossier_approve(dossier=dossier, actor=actor)
        return _("The application is approved; the applicant is told.")

    return _act(request, number, run)


@staff_only
def refuse(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        instruction.dossier_refuse(
            dossier=dossier, actor=actor, reasons=data["reasons"], explanation=data["explanation"]
        )
        return _review_url(number), _("The application is refused; the applicant is told.")

    return _form_action(
        request,
        number,
        form_key="refuse_form",
        make_form=lambda dossier: RefuseForm(request.POST),
        run=run,
    )


@staff_only
def withdraw_decision(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        instruction.decision_withdraw(dossier=dossier, actor=actor, reason=data["reason"])
        return _review_url(number), _("The decision is withdrawn; the review starts again.")

    return _form_action(
        request,
        number,
        form_key="withdraw_form",
        make_form=lambda dossier: WithdrawDecisionForm(request.POST),
        run=run,
    )


@staff_only
def grant_extension(request: HttpRequest, number: str) -> HttpResponse:
    """A renewal filed late: the prefecture grants extension attestations, with a reason."""

    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        continuity.extension_grant(dossier=dossier, actor=actor, reason=data["reason"])
        return _review_url(number, "continuity"), _(
            "Extension attestations are granted; the applicant is told as each one is issued."
        )

    return _form_action(
        request,
        number,
        form_key="grant_form",
        make_form=lambda dossier: GrantExtensionForm(request.POST),
        run=run,
    )


@staff_only
def hand_over(request: HttpRequest, number: str) -> HttpResponse:
    """The new card is in the holder's hands: the dossier closes."""

    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        instruction.card_hand_over(
            dossier=dossier, actor=actor, card_expires_on=data["card_expires_on"]
        )
        return _review_url(number), _(
            "The card is handed over: the dossier is closed and its attestations end today."
        )

    return _form_action(
        request,
        number,
        form_key="hand_over_form",
        make_form=lambda dossier: HandOverForm(request.POST),
        run=run,
    )


@staff_only
def note(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        instruction.note_add(dossier=dossier, actor=actor, body=data["body"])
        return _review_url(number, "notes"), ""

    return _form_action(
        request,
        number,
        form_key="note_form",
        make_form=lambda dossier: NoteForm(request.POST),
        run=run,
    )


@staff_only
def message(request: HttpRequest, number: str) -> HttpResponse:
    def run(dossier: Dossier, actor: User, data: Any) -> tuple[str, str]:
        attachment = data.get("attachment")
        instruction.agent_message(
            dossier=dossier,
            actor=actor,
            body=data["body"],
            attachments=[(attachment, attachment.name)] if attachment else [],
        )
        return _review_url(number, "messages"), _("Your message is sent to the applicant.")

    return _form_action(
        request,
        number,
        form_key="message_form",
        make_form=lambda dossier: AgentMessageForm(request.POST, request.FILES),
        run=run,
    )


@staff_only
def figures(request: HttpRequest) -> HttpResponse:
    """Backlog and decisions per prefecture, for the viewer's scope (national for some)."""
    rows = selectors.staff_figures(viewer=request.user)
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("pending", "awaiting", "overdue", "approved", "refused")
    }
    return render(request, "backoffice/figures.html", {"rows": rows, "totals": totals})
