"""Appointments: the counters' calendars, convocations, the waiting list and check-in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "sejour.appointments"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        # A dossier's steps call for appointments; the dossiers, which sit below, tell the
        # steps to those that follow them.
        from sejour.appointments import services
        from sejour.dossiers import steps

        steps.follower_add(services.dossier_step_reached)
