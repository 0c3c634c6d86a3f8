"""Support pages: a person reports what blocks them and follows it, and asks to be called; the
desk and the prefecture answer, fix, pass on and settle reports, make the calls, give accounts
back; supervisors read the figures."""

import csv
import datetime as dt
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.core import clock
from sejour.core.errors import DomainError
from sejour.dossiers import selectors as dossiers
from sejour.dossiers.choices import Status as DossierStatus
from sejour.helpers import services as helpers
from sejour.support import selectors, services
from sejour.support.choices import CallStatus, Fix
from sejour.support.forms import (
    AccessForm,
    AddForm,
    AnswerForm,
    CallBackForm,
    CallCloseForm,
    ContactForm,
    EscalateForm,
    FiguresForm,
    ImpossibilityForm,
    ReportForm,
    ResolveForm,
)
from sejour.support.models import Report
from sejour.support.permissions import (
    can_report,
    can_restore_access,
    get_report_abilities,
    has_calls,
    has_desk,
    has_figures,
    is_support,
)


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
    form = ReportForm(
        request.POST or None, request.FILES or None, dossiers=choices, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["dossier"]
        dossier = dossiers.dossier_get_for(user=user, number=number) if number else None
        upload = form.cleaned_data.get("attachment")
        try:
            report = services.report_open(
                actor=user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                dossier=dossier,
                attachments=[(upload, upload.name)] if upload else None,
            )
        except DomainError as error:
            form.add_error("attachment" if upload else None, str(error.message))
        else:
            return redirect("support:detail", number=report.number)
    return render(request, "support/new.html", {"form": form})


@login_required
@never_cache
def my_reports(request: HttpRequest) -> HttpResponse:
    viewer = _user(request)
    return render(
        request,
        "support/list.html",
        {
            "reports": selectors.reports_of(viewer=viewer),
            "calls": selectors.calls_of(viewer=viewer)[:20],
            "can_report": can_report(viewer),
        },
    )


def _drafts(report: Report) -> list[tuple[str, str]]:
    """The person's applications not filed yet, for recording that filing was impossible."""
    drafts = report.applicant.dossiers.filter(status=DossierStatus.DRAFT).order_by("-created_at")
    return [(d.number, f"{d.number} — {d.procedure.translated_name}") for d in drafts[:20]]


def _detail(request: HttpRequest, report: Report, **forms: Any) -> HttpResponse:
    viewer = _user(request)
    can = get_report_abilities(viewer, report)
    filed = report.dossier is not None and report.dossier.status != DossierStatus.DRAFT
    context = {
        "attachments": report.attachments.all(),
        "access_form": AccessForm(),
        "contact_form": ContactForm(prefix="contact"),
        "impossibility_form": ImpossibilityForm(prefix="impossibility", drafts=_drafts(report)),
        "can_reissue": can["fix"] and filed,
        "can_record": can["fix"] and not filed,
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
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A file sent with a report, once the antivirus cleared it and its checksum matches."""
    viewer = _user(request)
    report = selectors.report_get_for(viewer=viewer, number=number)
    file = selectors.attachment_get_for(viewer=viewer, report=report, pk=pk)
    try:
        content = selectors.attachment_content(attachment=file)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("support:detail", number=report.number)
    services.attachment_viewed(attachment=file, viewer=viewer)
    response = HttpResponse(content, content_type=file.content_type)
    extension = file.file.name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="{file.pk}.{extension}"'
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


@login_required
@require_POST
@sensitive_post_parameters("foreigner_number", "permit_number")
def fix(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """One repair from a report; a form with a mistake comes back with what was typed."""
    viewer = _user(request)
    report = selectors.report_get_for(viewer=viewer, number=number)
    if kind not in Fix.values or not get_report_abilities(viewer, report)["fix"]:
        raise PermissionDenied
    try:
        if kind == Fix.REISSUE:
            services.report_fix_reissue(report=report, actor=viewer)
        elif kind == Fix.ACCESS:
            form: Any = AccessForm(request.POST)
            if not form.is_valid():
                return _detail(request, report, access_form=form)
            data = form.cleaned_data
            code = services.report_fix_access(
                report=report,
                actor=viewer,
                foreigner_number=data["foreigner_number"],
                date_of_birth=data["date_of_birth"],
                permit_number=data["permit_number"],
                in_person=data["in_person"],
            )
            return _access_paper(request, report.applicant, code, report=report)
        elif kind == Fix.CONTACT:
            form = ContactForm(request.POST, prefix="contact")
            if not form.is_valid():
                return _detail(request, report, contact_form=form)
            phone = form.cleaned_data.get("phone")
            services.report_fix_contact(
                report=report,
                actor=viewer,
                email=form.cleaned_data.get("email") or None,
                phone=str(phone) if phone else None,
            )
        else:
            form = ImpossibilityForm(request.POST, prefix="impossibility", drafts=_drafts(report))
            if report.dossier is None and not form.is_valid():
                return _detail(request, report, impossibility_form=form)
            dossier = None
            if report.dossier is None:
                dossier = report.applicant.dossiers.get(number=form.cleaned_data["dossier"])
            services.report_fix_impossibility(report=report, actor=viewer, dossier=dossier)
    except DomainError as error:
        return _fix_refused(request, report, kind, str(error.message))
    messages.success(request, str(Fix(kind).label))
    return redirect("support:detail", number=report.number)


def _fix_refused(request: HttpRequest, report: Report, kind: str, message: str) -> HttpResponse:
    forms: dict[str, Any] = {}
    if kind == Fix.ACCESS:
        forms["access_form"] = AccessForm(request.POST)
        forms["access_form"].is_valid()
        forms["access_form"].add_error(None, message)
    elif kind == Fix.CONTACT:
        forms["contact_form"] = ContactForm(request.POST, prefix="contact")
        forms["contact_form"].is_valid()
        forms["contact_form"].add_error(None, message)
    else:
        messages.error(request, message)
        return redirect("support:detail", number=report.number)
    return _detail(request, report, **forms)


def _access_paper(
    request: HttpRequest, person: User, code: str, report: Report | None = None
) -> HttpResponse:
    """The page printed for the person: the code that gives their account back."""
    return render(
        request,
        "support/access_paper.html",
        {
            "person": person,
            "report": report,
            "code": helpers.spaced_code(code),
            "take_over_url": request.build_absolute_uri(reverse("helpers:take_over")),
        },
    )


@login_required
@never_cache
@sensitive_post_parameters("foreigner_number", "permit_number")
def access(request: HttpRequest) -> HttpResponse:
    """At a desk, with the person present and no report: give an account back."""
    viewer = _user(request)
    if not can_restore_access(viewer):
        raise PermissionDenied
    form = AccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, code = services.access_restore(
                actor=viewer,
                foreigner_number=data["foreigner_number"],
                date_of_birth=data["date_of_birth"],
                permit_number=data["permit_number"],
                in_person=data["in_person"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return _access_paper(request, person, code)
    return render(request, "support/access.html", {"form": form})


@login_required
@never_cache
def callback_new(request: HttpRequest) -> HttpResponse:
    """Ask to be called back: a weekday, a time window and a language among those offered."""
    viewer = _user(request)
    if not can_report(viewer):
        raise PermissionDenied
    report = None
    if number := (request.POST.get("report") or request.GET.get("report") or ""):
        report = selectors.report_get_for(viewer=viewer, number=number)
    days = services.call_days(clock.today())
    initial = {"phone": str(viewer.phone) if viewer.phone else "", "language": viewer.language}
    form = CallBackForm(request.POST or None, days=days, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.callback_request(
                actor=viewer,
                phone=str(data["phone"]),
                day=data["day"],
                window=data["window"],
                language=data["language"],
                subject=data["subject"],
                report=report,
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your call-back is planned."))
            if report is not None:
                return redirect("support:detail", number=report.number)
            return redirect("support:list")
    return render(request, "support/callback.html", {"form": form, "report": report})


@login_required
@require_POST
def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk says how a call went; the person cancels theirs."""
    viewer = _user(request)
    call = selectors.call_get_for(viewer=viewer, pk=pk)
    form = CallCloseForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    if not has_calls(viewer) and form.cleaned_data["status"] != CallStatus.CANCELLED:
        raise PermissionDenied
    try:
        services.callback_close(callback=call, actor=viewer, status=form.cleaned_data["status"])
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, str(CallStatus(form.cleaned_data["status"]).label))
    return redirect("support:calls" if has_calls(viewer) else "support:list")


@login_required
@never_cache
def calls(request: HttpRequest) -> HttpResponse:
    """The support desk's planned call-backs, in the order to make them."""
    viewer = _user(request)
    if not has_calls(viewer):
        raise PermissionDenied
    planned = selectors.calls_planned(viewer=viewer, since=clock.today())[:300]
    return render(request, "support/calls.html", {"calls": planned})


FIGURE_COLUMNS = [
    "since",
    "until",
    "reports",
    "answered",
    "resolved",
    "escalated",
    "first_answer_median_hours",
    "resolution_median_hours",
    "within_deadline_percent",
]


@login_required
@never_cache
def figures(request: HttpRequest) -> HttpResponse:
    """Supervisors: the support desk's figures over a period, on screen, in CSV and in JSON."""
    viewer = _user(request)
    if not has_figures(viewer):
        raise PermissionDenied
    form = FiguresForm(request.GET or None)
    today = clock.today()
    since, until = today - dt.timedelta(days=29), today
    if form.is_bound and form.is_valid():
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
    found = selectors.support_figures(viewer=viewer, since=since, until=until)
    export = request.GET.get("format")
    if export == "json" and not form.errors:
        response = HttpResponse(
            json.dumps(found.as_dict(), ensure_ascii=False, indent=2),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="support-{since}-{until}.json"'
        return response
    if export == "csv" and not form.errors:
        return _figures_csv(found)
    if form.is_bound and form.errors:
        status = 400
    else:
        status = 200
        form = FiguresForm(initial={"since": since, "until": until})
    query = f"since={since.isoformat()}&until={until.isoformat()}"
    return render(
        request,
        "support/figures.html",
        {"form": form, "figures": found, "query": query},
        status=status,
    )


def _figures_csv(found: selectors.Figures) -> HttpResponse:
    """One table: the period's totals, then one line per category and per prefecture."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    values = found.as_dict()
    writer.writerow(["measure", "key", "value"])
    for column in FIGURE_COLUMNS:
        writer.writerow([column, "", values[column]])
    for code, _label, count in found.by_category:
        writer.writerow(["reports_by_category", code, count])
    for code, _name, count in found.by_prefecture:
        writer.writerow(["reports_by_prefecture", code, count])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="support-{found.since}-{found.until}.csv"'
    )
    return response


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
    return render(
        request,
        "support/desk.html",
        {
            "reports": reports[:200],
            "title": title,
            "support": is_support(viewer),
            "restore": can_restore_access(viewer),
            "figures": has_figures(viewer),
        },
    )
