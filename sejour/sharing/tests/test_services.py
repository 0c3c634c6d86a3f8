"""Making, cancelling and checking share codes; every check logged; guessing throttled."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.attestations.codes import luhn32_check, normalize_share_code
from sejour.audit.models import AuditEntry
from sejour.core.clock import PARIS
from sejour.core.errors import DomainError, InvalidTransition, NotAllowed
from sejour.notifications.models import Notification
from sejour.sharing import services
from sejour.sharing.choices import Outcome, Purpose, Status
from sejour.sharing.models import ShareCheck, ShareCode
from sejour.sharing.tests.conftest import BORN
from sejour.sharing.tests.factories import ShareCodeFactory, attestation_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


def _check(share_code, born=BORN, **kwargs):
    kwargs.setdefault("ip", "203.0.113.7")
    return services.share_code_check(code=share_code.code, date_of_birth=born, **kwargs)


def test_a_new_code_is_normalised_and_valid_90_days_by_default(holder):
    share_code = services.share_code_create(actor=holder, purpose=Purpose.WORK)
    assert normalize_share_code(share_code.code) == share_code.code
    assert len(share_code.code.replace("-", "")) == 9
    assert share_code.expires_on == TODAY + dt.timedelta(days=90)
    assert share_code.status_on(TODAY) == Status.ACTIVE
    entry = AuditEntry.objects.get(action="share_code.created")
    assert entry.actor_id == holder.pk
    assert entry.data["purpose"] == "work"


def test_a_code_may_be_valid_fewer_days(holder):
    share_code = services.share_code_create(actor=holder, purpose=Purpose.HOUSING, days=7)
    assert share_code.expires_on == dt.date(2026, 11, 29)
    assert share_code.status_on(dt.date(2026, 11, 29)) == Status.ACTIVE
    assert share_code.status_on(dt.date(2026, 11, 30)) == Status.EXPIRED


@pytest.mark.parametrize("days", [0, -3, 91, 365])
def test_a_validity_outside_1_to_90_days_is_refused(holder, days):
    with translation.override("en"), pytest.raises(DomainError, match="from 1 to 90 days"):
        services.share_code_create(actor=holder, purpose=Purpose.WORK, days=days)
    assert not ShareCode.objects.exists()


def test_an_unknown_purpose_is_refused(holder):
    with pytest.raises(DomainError):
        services.share_code_create(actor=holder, purpose="dating")


def test_no_code_without_a_date_of_birth(db):
    user = UserFactory(date_of_birth=None)
    with pytest.raises(services.NoDateOfBirth):
        services.share_code_create(actor=user, purpose=Purpose.WORK)
    assert not ShareCode.objects.exists()


@pytest.mark.parametrize("role", [Role.HELPER, Role.AGENT, Role.SUPPORT, Role.ADMIN])
def test_only_applicants_make_codes(db, role):
    user = UserFactory(role=role, date_of_birth=BORN)
    with pytest.raises(NotAllowed):
        services.share_code_create(actor=user, purpose=Purpose.WORK)


def test_the_holder_cancels_a_code_once(holder):
    share_code = ShareCodeFactory(holder=holder)
    revoked = services.share_code_revoke(share_code=share_code, actor=holder)
    assert revoked.status_on(TODAY) == Status.REVOKED
    assert AuditEntry.objects.filter(action="share_code.revoked", actor=holder).count() == 1
    with pytest.raises(InvalidTransition):
        services.share_code_revoke(share_code=share_code, actor=holder)


def test_nobody_else_cancels_a_code(holder):
    share_code = ShareCodeFactory(holder=holder)
    with pytest.raises(NotAllowed):
        services.share_code_revoke(share_code=share_code, actor=UserFactory())
    share_code.refresh_from_db()
    assert share_code.revoked_at is None


def test_an_expired_code_cannot_be_cancelled(holder):
    share_code = ShareCodeFactory(holder=holder, expires_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(InvalidTransition):
        services.share_code_revoke(share_code=share_code, actor=holder)


def test_a_check_shows_the_live_right_and_is_logged(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    result = _check(share_code, organisation="  Boulangerie   Martin ")
    assert result.shown
    assert result.right is not None
    assert result.right.attestation == document
    assert result.right.valid_until == dt.date(2027, 2, 19)
    assert result.right.right_to_work is True
    check = ShareCheck.objects.get()
    assert check.share_code == share_code
    assert check.outcome == Outcome.SHOWN
    assert check.organisation == "Boulangerie Martin"
    assert check.ip == "203.0.113.7"
    entry = AuditEntry.objects.get(action="share_code.checked")
    assert entry.actor_id is None
    assert entry.data["outcome"] == "shown"
    assert entry.ip == "203.0.113.7"


def test_the_status_is_computed_at_each_check_never_stored(holder, document, traveller):
    share_code = ShareCodeFactory(holder=holder)
    assert _check(share_code).right.right_to_work is True
    # The application is refused: the document stops proving anything the day after.
    document.ends_on = TODAY
    document.save(update_fields=["ends_on"])
    assert _check(share_code).right is not None
    traveller.shift(dt.timedelta(days=1))
    result = _check(share_code)
    assert result.shown
    assert result.right is None


def test_a_check_without_any_document_shows_no_right(holder):
    result = _check(ShareCodeFactory(holder=holder))
    assert result.shown
    assert result.right is None


def test_a_document_without_the_right_to_work_says_so(holder):
    attestation_for(holder, right_to_work=False)
    result = _check(ShareCodeFactory(holder=holder))
    assert result.right is not None
    assert result.right.right_to_work is False


def _code(body: str) -> str:
    """The share code of 8 symbols `body` with its check symbol, normalised."""
    return normalize_share_code(body + luhn32_check(body))


def test_a_code_is_read_as_people_type_it(holder, document):
    share_code = ShareCodeFactory(holder=holder, code=_code("0A1B2C3D"))
    typed = f" {share_code.spaced.lower().replace('0', 'o').replace('1', 'l')} "
    result = services.share_code_check(code=typed, date_of_birth=BORN)
    assert result.shown


def test_a_malformed_code_is_refused_before_any_lookup_and_logs_nothing(holder):
    with pytest.raises(services.MalformedCode):
        services.share_code_check(code="ABC-123", date_of_birth=BORN)
    assert not ShareCheck.objects.exists()


def test_a_wrong_date_and_an_unknown_code_are_refused_and_logged(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    wrong = _check(share_code, born=dt.date(1990, 5, 18))
    unknown = services.share_code_check(code=_other_code(share_code.code), date_of_birth=BORN)
    assert (wrong.shown, unknown.shown) == (False, False)
    assert (wrong.right, unknown.right) == (None, None)
    assert wrong.check.outcome == Outcome.WRONG_DATE_OF_BIRTH
    assert wrong.check.share_code == share_code
    assert unknown.check.outcome == Outcome.UNKNOWN_CODE
    assert unknown.check.share_code is None
    assert AuditEntry.objects.filter(action="share_code.checked").count() == 2


def test_a_cancelled_code_shows_nothing(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    services.share_code_revoke(share_code=share_code, actor=holder)
    result = _check(share_code)
    assert not result.shown
    assert result.check.outcome == Outcome.REVOKED


def test_a_code_works_on_its_last_day_and_not_after(holder, document, traveller):
    share_code = ShareCodeFactory(holder=holder, expires_on=TODAY)
    traveller.move_to(dt.datetime(2026, 11, 22, 23, 59, tzinfo=PARIS))
    assert _check(share_code).shown
    traveller.shift(dt.timedelta(minutes=2))
    result = _check(share_code)
    assert result.check.outcome == Outcome.EXPIRED
    assert result.right is None


def test_a_wrong_date_on_an_expired_or_cancelled_code_says_only_wrong(holder):
    expired = ShareCodeFactory(holder=holder, expires_on=TODAY - dt.timedelta(days=1))
    assert _check(expired, born=BORN.replace(year=1991)).check.outcome == (
        Outcome.WRONG_DATE_OF_BIRTH
    )


def test_five_wrong_dates_from_one_address_lock_it_for_that_code_for_15_minutes(
    holder, document, traveller
):
    share_code = ShareCodeFactory(holder=holder)
    for minute in range(services.FAILURES_PER_CODE_AND_IP):
        _check(share_code, born=dt.date(1980, 1, minute + 1), ip="198.51.100.1")
        traveller.shift(dt.timedelta(minutes=1))
    result = _check(share_code, ip="198.51.100.1")
    assert result.check.outcome == Outcome.THROTTLED
    assert result.right is None
    # The first failure leaves the window 15 minutes after it was made, at 10:15.
    assert result.retry_at == dt.datetime(2026, 11, 22, 10, 15, tzinfo=PARIS)
    traveller.move_to(result.retry_at)
    assert _check(share_code, ip="198.51.100.1").shown


def test_wrong_dates_from_others_never_lock_out_the_checker_with_the_right_date(holder, document):
    # Issue 21: five wrong dates from anyone used to block the code for its holder.
    share_code = ShareCodeFactory(holder=holder)
    for n in range(services.FAILURES_PER_CODE + 5):
        ip = f"198.51.{n // 5}.{n % 5}"
        _check(share_code, born=dt.date(1980, 1, 1 + n % 28), ip=ip)
    assert _check(share_code, ip="192.0.2.1").shown


def test_past_the_codes_limit_an_address_that_failed_on_it_is_refused(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    for n in range(services.FAILURES_PER_CODE):
        _check(share_code, born=dt.date(1980, 1, 1), ip=f"198.51.{n // 100}.{n % 100}")
    assert _check(share_code, ip="198.51.0.0").check.outcome == Outcome.THROTTLED
    assert _check(share_code, ip="192.0.2.1").shown


def test_unknown_codes_are_throttled_alike_so_a_lock_reveals_nothing(db):
    code = _code("7K4M2P8X")
    for _n in range(services.FAILURES_PER_CODE_AND_IP):
        result = services.share_code_check(code=code, date_of_birth=BORN, ip="198.51.100.1")
        assert result.check.outcome == Outcome.UNKNOWN_CODE
    result = services.share_code_check(code=code, date_of_birth=BORN, ip="198.51.100.1")
    assert result.check.outcome == Outcome.THROTTLED


def test_ten_failures_from_one_address_throttle_it_and_only_it(holder, document, traveller):
    share_code = ShareCodeFactory(holder=holder)
    for _n in range(services.FAILURES_PER_IP):
        services.share_code_check(
            code=_other_code(ShareCodeFactory.build().code), date_of_birth=BORN, ip="203.0.113.9"
        )
    result = _check(share_code, ip="203.0.113.9")
    assert result.check.outcome == Outcome.THROTTLED
    assert result.check.share_code == share_code  # shown to the holder among the checks
    assert result.retry_at is not None
    assert _check(share_code, ip="203.0.113.10").shown
    # Throttled tries do not count: the lock ends 15 minutes after the failures, however
    # often the address knocks meanwhile.
    for _n in range(5):
        traveller.shift(dt.timedelta(minutes=2))
        assert _check(share_code, ip="203.0.113.9").check.outcome == Outcome.THROTTLED
    traveller.shift(dt.timedelta(minutes=5))
    assert _check(share_code, ip="203.0.113.9").shown


def test_shown_checks_do_not_count_towards_the_throttle(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    for _n in range(services.FAILURES_PER_IP + 2):
        assert _check(share_code).shown


def test_the_holder_is_told_of_a_shown_check_in_their_language(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    _check(share_code, organisation="Agence Dupont")
    notification = Notification.objects.get(recipient=holder)
    assert share_code.spaced in notification.subject
    assert "Agence Dupont" in notification.body
    assert f"/en/partage/{share_code.pk}/" in notification.url
    assert mail.outbox[-1].to == [holder.email]


def test_the_holder_is_not_messaged_for_refused_checks(holder, document):
    share_code = ShareCodeFactory(holder=holder)
    _check(share_code, born=dt.date(2000, 1, 1))
    assert not Notification.objects.exists()


def _other_code(code: str) -> str:
    """A well-formed share code that is not `code` and that no share code carries."""
    while True:
        other = ShareCodeFactory.build().code
        if other != code and not ShareCode.objects.filter(code=other).exists():
            return other
