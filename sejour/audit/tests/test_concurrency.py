"""Concurrent writers on PostgreSQL never fork the chain."""

import threading

import pytest
from django.db import connections

from sejour.audit import services as audit
from sejour.audit.models import AuditEntry
from sejour.audit.selectors import verify_chain

THREADS = 8
RECORDS_EACH = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_append_one_contiguous_chain(user):
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            start.wait()
            for n in range(RECORDS_EACH):
                audit.record(actor=user, action="test.concurrent_write", data={"t": thread, "n": n})
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert verify_chain() == []
    total = THREADS * RECORDS_EACH
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    per_thread = [AuditEntry.objects.filter(data__t=thread).count() for thread in range(THREADS)]
    assert per_thread == [RECORDS_EACH] * THREADS
