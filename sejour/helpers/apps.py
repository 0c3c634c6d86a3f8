from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpersConfig(AppConfig):
    name = "sejour.helpers"
    verbose_name = _("Helpers and mandates")

    def ready(self) -> None:
        # A mandate may cover copies of the applicant's notifications: the notifications,
        # which sit below helpers, ask here who receives them.
        from sejour.helpers import selectors
        from sejour.notifications import services as notifications

        notifications.copies_source_add(selectors.notification_copies_for)
