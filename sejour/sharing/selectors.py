"""Reads of share codes and their checks, always through the person who reads."""

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from sejour.sharing.models import ShareCheck, ShareCode
from sejour.sharing.permissions import is_holder

# How many of a code's checks its line in the list shows; its own page shows them all.
LATEST_CHECKS = 5


def share_codes_of(*, viewer: Any) -> QuerySet[ShareCode]:
    """The codes `viewer` made, newest first, each with its check count and latest checks."""
    if not viewer.is_authenticated:
        return ShareCode.objects.none()
    latest = ShareCheck.objects.order_by("-at", "-pk")[:LATEST_CHECKS]
    return (
        ShareCode.objects.filter(holder=viewer)
        .annotate(check_count=Count("checks"))
        .prefetch_related(Prefetch("checks", queryset=latest, to_attr="latest_checks"))
        .order_by("-created_at", "-pk")
    )


def share_code_get_for(*, viewer: Any, pk: int) -> ShareCode:
    """One code `viewer` made; 404 otherwise, telling nothing of other people's codes."""
    if not viewer.is_authenticated:
        raise Http404
    share_code = ShareCode.objects.filter(holder=viewer, pk=pk).first()
    if share_code is None:
        raise Http404
    return share_code


def checks_of(*, share_code: ShareCode, viewer: Any) -> QuerySet[ShareCheck]:
    """Every check of `share_code`, newest first, for its holder; nothing for anyone else."""
    if not is_holder(viewer, share_code):
        return ShareCheck.objects.none()
    return share_code.checks.order_by("-at", "-pk")
