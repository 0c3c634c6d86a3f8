"""The messages shown once on the next page: a message already waiting is not added twice."""

from typing import Any

from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.fallback import FallbackStorage


class OnceStorage(FallbackStorage):
    """Django's cookie-then-session storage, keeping one copy of each waiting message.

    A form sent again (a double click, a reload after a slow answer) runs its view again; the
    person should read "filed" once, not once per click.
    """

    def add(self, level: int, message: Any, extra_tags: str | None = "") -> None:
        text = str(message)
        # Those loaded from the last response and those added during this request, without
        # marking them read (iterating the storage would).
        loaded: list[Message] = getattr(self, "_loaded_messages", [])
        queued: list[Message] = getattr(self, "_queued_messages", [])
        if any(m.level == level and str(m.message) == text for m in (*loaded, *queued)):
            return
        super().add(level, message, extra_tags)
