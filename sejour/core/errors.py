"""Domain errors: every failure a person can meet carries a message they can read."""

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused an action; `message` is shown to the person."""

    default_message: str | Promise = _("This action cannot be done.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    """The actor has no right to do this."""

    default_message = _("You are not allowed to do this.")


class InvalidTransition(DomainError):
    """The object is not in a state that allows this action."""

    default_message = _("This action is not possible at this stage.")


class MandateEnded(PermissionDenied):
    """A helper opens what only an ended mandate (or representation) let them see: the page
    says so, and shows nothing of what it covered."""


def ensure(condition: bool, error: DomainError | None = None) -> None:
    """Raise `error` (by default NotAllowed) unless `condition` holds."""
    if not condition:
        raise error if error is not None else NotAllowed()
