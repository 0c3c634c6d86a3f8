"""Reads of share codes: each person sees their own codes and their checks, nobody else's."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from sejour.accounts.tests.factories import UserFactory
from sejour.sharing import selectors, services
from sejour.sharing.tests.conftest import BORN
from sejour.sharing.tests.factories import ShareCodeFactory

pytestmark = pytest.mark.django_db


def _checks(share_code, count, traveller):
    for _n in range(count):
        services.share_code_check(code=share_code.code, date_of_birth=BORN, ip="192.0.2.4")
        traveller.shift(dt.timedelta(minutes=1))


def test_a_person_lists_only_their_codes_newest_first(holder, traveller):
    older = ShareCodeFactory(holder=holder)
    traveller.shift(dt.timedelta(hours=1))
    newer = ShareCodeFactory(holder=holder)
    ShareCodeFactory()
    assert list(selectors.share_codes_of(viewer=holder)) == [newer, older]
    assert not selectors.share_codes_of(viewer=AnonymousUser()).exists()


def test_the_list_counts_every_check_and_carries_the_latest_few(holder, traveller):
    share_code = ShareCodeFactory(holder=holder)
    _checks(share_code, selectors.LATEST_CHECKS + 2, traveller)
    listed = selectors.share_codes_of(viewer=holder).get()
    assert listed.check_count == selectors.LATEST_CHECKS + 2
    assert len(listed.latest_checks) == selectors.LATEST_CHECKS
    times = [check.at for check in listed.latest_checks]
    assert times == sorted(times, reverse=True)
    assert times[0] == selectors.checks_of(share_code=share_code, viewer=holder).first().at


def test_another_persons_code_is_not_found(holder):
    share_code = ShareCodeFactory(holder=holder)
    assert selectors.share_code_get_for(viewer=holder, pk=share_code.pk) == share_code
    with pytest.raises(Http404):
        selectors.share_code_get_for(viewer=UserFactory(), pk=share_code.pk)
    with pytest.raises(Http404):
        selectors.share_code_get_for(viewer=AnonymousUser(), pk=share_code.pk)


def test_the_checks_of_a_code_are_for_its_holder_only(holder, traveller):
    share_code = ShareCodeFactory(holder=holder)
    _checks(share_code, 2, traveller)
    assert selectors.checks_of(share_code=share_code, viewer=holder).count() == 2
    assert not selectors.checks_of(share_code=share_code, viewer=UserFactory()).exists()
