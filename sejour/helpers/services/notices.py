"""Messages to the people a change concerns, in their language, with a link to act."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from sejour.accounts.models import User
from sejour.core import clock
from sejour.helpers import selectors
from sejour.helpers.choices import (
    Scope,
)
from sejour.helpers.models import (
    Mandate,
)
from sejour.notifications import services as notifications


def day_text(moment: dt.datetime | None) -> str:
    """The day of `moment` in Paris, as an ISO date the messages write in their reader's
    language and format (the `day` filter), or nothing."""
    return clock.paris_date(moment).isoformat() if moment else ""


def path_for(user: User, name: str, *args: object) -> str:
    """The path of a page in `user`'s language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def tell(user: User, template: str, context: dict[str, object], name: str, *args: object) -> None:
    """Notify `user` (inbox, e-mail, SMS) with a link to the page `name`. Notices of mandates
    are not copied to the organisations: each side is told on its own."""
    notifications.notify(
        recipient=user,
        template=template,
        context=context,
        url=path_for(user, name, *args),
        copies=False,
    )


def tell_organisation(mandate: Mandate, template: str) -> None:
    """The organisation's managers hear of a mandate given, renewed or ended."""
    remaining = list(mandate.scopes.filter(revoked_at__isnull=True).values_list("scope", flat=True))
    for manager in selectors.managers_of(organisation=mandate.organisation):
        with translation.override(manager.user.language or settings.LANGUAGE_CODE):
            scopes = ", ".join(str(Scope(scope).label) for scope in remaining)
        tell(
            manager.user,
            template,
            {
                "organisation": mandate.organisation.name,
                "applicant": mandate.applicant.display_name,
                "until": day_text(mandate.expires_at),
                "scopes": scopes,
            },
            "dossiers:helping",
        )
