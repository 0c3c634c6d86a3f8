"""Demo data: idempotent, never in production."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.appointments.choices import Kind, Status
from sejour.appointments.models import Booking
from sejour.dossiers import selectors
from sejour.dossiers.models import Dossier
from sejour.helpers.models import Mandate

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_covers_every_role(capsys):
    call_command("load_demo")
    first = set(User.objects.values_list("pk", "password"))
    call_command("load_demo")
    assert set(User.objects.values_list("pk", "password")) == first
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    staff = User.objects.filter(role__in=[Role.AGENT, Role.SUPPORT, Role.SUPERVISOR, Role.ADMIN])
    assert TOTPDevice.objects.filter(user__in=staff, confirmed=True).count() == staff.count()
    out = capsys.readouterr().out
    assert "0 created, 7 already there" in out
    assert "usager@demo.sejour.local" in out


def test_demo_code_prints_the_current_code(capsys):
    call_command("load_demo")
    capsys.readouterr()
    call_command("demo_code")
    assert capsys.readouterr().out.strip().isdigit()


@override_settings(PRODUCTION=True)
def test_no_demo_accounts_in_production():
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()


def test_demo_files_one_application_and_puts_the_agent_in_paris(capsys):
    call_command("load_catalog", verbosity=0)
    call_command("load_demo")
    call_command("load_demo")
    applicant = User.objects.get(email="usager@demo.sejour.local")
    dossiers = Dossier.objects.filter(applicant=applicant)
    assert dossiers.count() == 1
    assert dossiers.get().status == "submitted"
    agent = User.objects.get(email="agent@demo.sejour.local")
    assert agent.prefectures.filter(departement_code="75").exists()
    assert "already there" in capsys.readouterr().out


def test_demo_helper_holds_a_mandate_of_the_demo_applicant_once(capsys):
    call_command("load_catalog", verbosity=0)
    call_command("load_demo")
    call_command("load_demo")
    applicant = User.objects.get(email="usager@demo.sejour.local")
    helper = User.objects.get(email="aidant@demo.sejour.local")
    mandate = Mandate.objects.get(applicant=applicant)
    assert mandate.organisation.is_verified
    assert mandate.organisation.memberships.filter(user=helper).exists()
    assert selectors.dossier_list_for(user=helper).filter(applicant=applicant).count() == 1


def test_demo_convokes_the_second_applicant_to_a_counter_once(capsys):
    call_command("load_catalog", verbosity=0)
    call_command("load_demo")
    call_command("load_demo")
    booking = Booking.objects.get(dossier__applicant__phone="+33612345678")
    assert booking.kind == Kind.HAND_OVER
    assert booking.status == Status.OFFERED
    assert booking.slot.site.slots.count() > 100
    assert booking.reference in capsys.readouterr().out
