"""Notifications: e-mail and SMS leave through the task queue."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "sejour.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
