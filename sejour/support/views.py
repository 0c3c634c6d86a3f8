"""Support pages: a person reports what blocks them and follows it; the desk and the
prefecture answer, pass on and settle reports."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.core.errors import DomainError
from sejour.dossiers import selectors as dossiers
from sejour.support import selectors, services
from sejour.support.forms import AddForm, AnswerForm, EscalateForm, ReportForm, ResolveForm
from sejour.support.models import Report
from sejour.support.permissions import can_report, get_report_abilities, has_desk, is_support


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _dossier_choices(user: User) -> list[tuple[str, str]]:
    return [
        (d.number, f"{d.number} — {d.procedure.translated_name}")
        for d in dossiers.dossier_list_for(user=user).order_by("-created_at")[:50]
    ]


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    """Report what blocks you: a number and the date of the answer at once."""
    user = _user(request)
    if not can_report(user):
        raise PermissionDenied
    choices = _dossier_choices(user)
    initial = {"dossier": request.GET.get("dossier", "")}
    form = ReportForm(request.POST or None, dossiers=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["dossier"]
        dossier = dossiers.dossier_get_for(user=user, number=number) if number else None
        try:
            report = services.report_open(
                actor=user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                dossier=dossier,
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("support:detail", number=report.number)
    return render(request, "support/new.html", {"form": form})


@login_required
@never_cache
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(
        request, "support/list.html", {"reports": selectors.reports_of(viewer=_user(request))}
    )


def _detail(request: HttpRequest, report: Report, **forms: Any) -> HttpResponse:
    viewer = _user(request)
    can = get_report_abilities(viewer, report)
    context = {
        "report": report,
        "can": can,
        "history": selectors.history_for(viewer=viewer, report=report),
        "add_form": AddForm(),
        "answer_form": AnswerForm(),
        "escalate_form": EscalateForm(),
        "resolve_form": ResolveForm(),
        "staff": can["internal"],
    }
    context.update(forms)
    return render(request, "support/detail.html", context, status=400 if forms else 200)


@login_required
@never_cache
def detail(request: HttpRequest, number: str) -> HttpResponse:
    report = selectors.report_get_for(viewer=_user(request), number=number)
    return _detail(request, report)


ACTIONS: dict[str, tuple[type, str, Any]] = {
    "add": (AddForm, "add_form", gettext_lazy("Added to your report.")),
    "answer": (AnswerForm, "answer_form", gettext_lazy("Answer saved.")),
    "escalate": (EscalateForm, "escalate_form", gettext_lazy("Passed to the prefecture.")),
    "resolve": (ResolveForm, "resolve_form", gettext_lazy("Report resolved.")),
}


@login_required
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action on a report; a form with a mistake comes back with what was typed."""
    viewer = _user(request)
    report = selectors.report_get_for(viewer=viewer, number=number)
    if action not in ACTIONS or not get_report_abilities(viewer, report)[action]:
        raise PermissionDenied
    form_class, name, done = ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        body = form.cleaned_data["body"]
        try:
            if action == "add":
                services.report_add(report=report, actor=viewer, body=body)
            elif action == "answer":
                internal = form.cleaned_data["internal"]
                services.report_answer(report=report, actor=viewer, body=body, internal=internal)
            elif action == "escalate":
                services.report_escalate(report=report, actor=viewer, body=body)
            else:
                services.report_resolve(report=report, actor=viewer, body=body)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, str(done))
            return redirect("support:detail", number=report.number)
    return _detail(request, report, **{name: form})


@login_required
@never_cache
def desk(request: HttpRequest) -> HttpResponse:
    """The support desk's queue, or the reports passed to an agent's prefecture."""
    viewer = _user(request)
    if not has_desk(viewer):
        raise PermissionDenied
    if is_support(viewer):
        reports, title = selectors.support_queue(viewer=viewer), _("Reports to answer")
    else:
        reports = selectors.escalated_for(viewer=viewer)
        title = _("Reports passed to your prefecture")
    return render(request, "support/desk.html", {"reports": reports[:200], "title": title})
