"""Raw SQL for the tests that play the attacker, below the ORM's own refusals."""

from collections.abc import Sequence

from django.db import connection, transaction

from sejour.audit.triggers import journal_unlocked


def execute(sql: str, params: Sequence[object] = ()) -> None:
    """Run one statement in a savepoint, so that a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def tamper(sql: str, params: Sequence[object] = ()) -> None:
    """Run one statement with the journal's triggers lifted, as an attacker with the keys."""
    with journal_unlocked(), connection.cursor() as cursor:
        cursor.execute(sql, params)
