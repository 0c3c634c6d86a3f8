"""Reads of notifications: a person's own inbox."""

from typing import Any

from django.db.models import QuerySet

from sejour.notifications.models import Notification


def inbox_for(*, user: Any) -> QuerySet[Notification]:
    """The notifications sent to `user`, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(*, user: Any) -> int:
    return inbox_for(user=user).filter(read_at__isnull=True).count()
