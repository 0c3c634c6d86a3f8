"""Demo accounts for a local run: one per role, and a filed application. Idempotent."""

import datetime as dt
import io
import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from reportlab.pdfgen import canvas

from sejour.accounts import services as account_services
from sejour.accounts.choices import SECOND_FACTOR_ROLES, Role
from sejour.accounts.models import User
from sejour.appointments import services as appointment_services
from sejour.appointments.choices import Kind
from sejour.appointments.models import Booking, OpeningHours, Site, SiteKind
from sejour.catalog.models import Prefecture, Procedure
from sejour.core import clock
from sejour.dossiers import instruction
from sejour.dossiers import selectors as dossier_selectors
from sejour.dossiers import services as dossier_services
from sejour.dossiers.models import Dossier
from sejour.helpers import services as helper_services
from sejour.helpers.choices import Duration, OrganisationKind, Scope
from sejour.helpers.models import Organisation

PASSWORD = "sejour-demo-2026"  # noqa: S105 (demo accounts only, refused in production)
# A fixed authenticator key for demo staff, so anyone can add it to an app (base 32 below).
DEMO_TOTP_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_ORGANISATION = "Association Accueil et Droits (démo)"
DEMO_SITE = "Préfecture de police — Île de la Cité (démo)"
# Kinds of appointment at the demo counter: length in minutes, counters.
DEMO_KINDS = {
    Kind.BIOMETRICS: (15, 3),
    Kind.HAND_OVER: (20, 2),
    Kind.FILING: (30, 1),
    Kind.INFORMATION: (15, 1),
}

ACCOUNTS = [
    (Role.APPLICANT, "usager@demo.sejour.local", None, "Amina", "Diallo"),
    (Role.APPLICANT, None, "+33612345678", "Karim", "Haddad"),
    (Role.HELPER, "aidant@demo.sejour.local", None, "Claire", "Martin"),
    (Role.AGENT, "agent@demo.sejour.local", None, "Paul", "Durand"),
    (Role.SUPPORT, "support@demo.sejour.local", None, "Lina", "Moreau"),
    (Role.SUPERVISOR, "superviseur@demo.sejour.local", None, "Marc", "Bernard"),
    (Role.ADMIN, "admin@demo.sejour.local", None, "Sophie", "Admin"),
]
# Applicants need a date of birth for share codes and attestations; filled in when missing.
DEMO_IDENTITIES = {
    "usager@demo.sejour.local": (dt.date(1990, 5, 17), "Sénégalaise"),
    "+33612345678": (dt.date(1985, 11, 3), "Marocaine"),
}


class Command(BaseCommand):
    help = "Create one demo account per role (local runs only) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created in production.")
        created = 0
        with transaction.atomic():
            for role, email, phone, given, family in ACCOUNTS:
                found = (
                    User.objects.filter(email=email) if email else User.objects.filter(phone=phone)
                )
                user = found.first()
                if user is None:
                    user = account_services.user_create(
                        actor=None,
                        role=role,
                        password=PASSWORD,
                        email=email,
                        phone=phone,
                        given_name=given,
                        family_name=family,
                    )
                    created += 1
                identity = DEMO_IDENTITIES.get(email or phone or "")
                if identity is not None and (user.date_of_birth is None or not user.nationality):
                    born, nationality = identity
                    account_services.identity_update(
                        user=user,
                        actor=user,
                        given_name=user.given_name or given,
                        family_name=user.family_name or family,
                        date_of_birth=user.date_of_birth or born,
                        nationality=user.nationality or nationality,
                        foreigner_number=user.foreigner_number,
                    )
                if (
                    role in SECOND_FACTOR_ROLES
                    and not TOTPDevice.objects.filter(user=user).exists()
                ):
                    TOTPDevice.objects.create(
                        user=user, name="demo", key=DEMO_TOTP_HEX, confirmed=True
                    )
        filed = self._demo_dossiers()
        self._demo_mandate()
        convocation = self._demo_appointments()
        self.stdout.write(
            f"Demo accounts: {created} created, {len(ACCOUNTS) - created} already there."
        )
        self.stdout.write(f"Every demo account's password: {PASSWORD}")
        self.stdout.write(f"Demo application filed for usager@demo.sejour.local: {filed}")
        self.stdout.write(f"Demo convocation for +33612345678: {convocation}")
        for role, email, phone, *_names in ACCOUNTS:
            self.stdout.write(f"  {role.label:<32} {email or phone}")
        self.stdout.write(
            f"Staff and helper accounts also ask for a code: add the key {DEMO_TOTP_BASE32} to "
            "an authenticator app, or run `.venv/bin/python manage.py demo_code` (helpers may "
            "also have a code e-mailed: it shows in the worker's output)."
        )

    def _demo_dossiers(self) -> str:
        """Put the demo agent in the Paris prefecture and give the first applicant a filed
        renewal, so that both sides have something to show. Done once."""
        paris = Prefecture.objects.filter(departement_code="75").first()
        if paris is None:
            return "no catalogue loaded: run manage.py load_catalog"
        agent = User.objects.get(email="agent@demo.sejour.local")
        paris.staff.add(agent)
        applicant = User.objects.get(email="usager@demo.sejour.local")
        if Dossier.objects.filter(applicant=applicant).exists():
            return "already there"
        renewal = Procedure.objects.get(code="renewal")
        expiry = clock.today() + dt.timedelta(days=90)
        dossier = dossier_services.dossier_start(actor=applicant, procedure=renewal)
        dossier = dossier_services.dossier_answer(
            dossier=dossier,
            actor=applicant,
            postcode="75011",
            answers={
                "permit_type": "cst-salarie",
                "permit_expires_on": expiry.isoformat(),
                "employed": True,
                "married": False,
                "has_children": False,
                "hosted": False,
            },
        )
        for item in dossier_selectors.missing_items(dossier=dossier):
            dossier_services.document_add(
                dossier=dossier,
                actor=applicant,
                item_code=item.code,
                data=_demo_pdf(item.label),
                name=f"{item.code}.pdf",
            )
        dossier_services.dossier_submit(dossier=dossier, actor=applicant, key=uuid.uuid4())
        return dossier.number

    def _demo_mandate(self) -> None:
        """A verified association with the demo helper as its manager, and a year's mandate
        from the first applicant to it. Done once."""
        if Organisation.objects.filter(name=DEMO_ORGANISATION).exists():
            return
        helper = User.objects.get(email="aidant@demo.sejour.local")
        admin = User.objects.get(email="admin@demo.sejour.local")
        applicant = User.objects.get(email="usager@demo.sejour.local")
        with transaction.atomic(), translation.override(applicant.language):
            organisation = helper_services.organisation_apply(
                actor=helper,
                name=DEMO_ORGANISATION,
                kind=OrganisationKind.ASSOCIATION,
                address="12 rue des Lilas, 75011 Paris",
                email="contact@demo.sejour.local",
            )
            organisation = helper_services.organisation_verify(
                organisation=organisation, actor=admin
            )
            scopes = [Scope.VIEW, Scope.PREPARE, Scope.SUBMIT, Scope.MESSAGE]
            text = helper_services.consent_text(
                applicant=applicant,
                organisation=organisation,
                scopes=scopes,
                duration=Duration.YEAR,
                language=applicant.language,
            )
            helper_services.mandate_grant(
                actor=applicant,
                organisation=organisation,
                scopes=scopes,
                duration=Duration.YEAR,
                text_sha256=helper_services.text_digest(text),
            )

    def _demo_appointments(self) -> str:
        """A Paris counter open on weekdays, four weeks of slots, and the second applicant's
        renewal approved, so that a hand-over of the card is proposed at once. Done once."""
        paris = Prefecture.objects.filter(departement_code="75").first()
        if paris is None or Site.objects.filter(name=DEMO_SITE).exists():
            booking = Booking.objects.filter(dossier__applicant__phone="+33612345678").first()
            return booking.reference if booking else "none"
        agent = User.objects.get(email="agent@demo.sejour.local")
        applicant = User.objects.get(phone="+33612345678")
        with transaction.atomic():
            site = Site.objects.create(
                prefecture=paris, name=DEMO_SITE, address="1 rue de Lutèce\n75004 Paris"
            )
            for weekday in range(5):
                for opens, closes in ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(16))):
                    OpeningHours.objects.create(
                        site=site, weekday=weekday, opens=opens, closes=closes
                    )
            for kind, (minutes, counters) in DEMO_KINDS.items():
                SiteKind.objects.create(
                    site=site, kind=kind, duration_minutes=minutes, counters=counters
                )
                appointment_services.slots_bulk_create(
                    site=site,
                    kind=kind,
                    first_day=clock.today(),
                    last_day=clock.today() + dt.timedelta(days=27),
                    actor=agent,
                )
        renewal = Procedure.objects.get(code="renewal")
        dossier = dossier_services.dossier_start(actor=applicant, procedure=renewal)
        dossier = dossier_services.dossier_answer(
            dossier=dossier,
            actor=applicant,
            postcode="75018",
            answers={
                "permit_type": "cst-salarie",
                "permit_expires_on": (clock.today() + dt.timedelta(days=80)).isoformat(),
                "employed": True,
                "married": False,
                "has_children": False,
                "hosted": False,
            },
        )
        for item in dossier_selectors.missing_items(dossier=dossier):
            dossier_services.document_add(
                dossier=dossier,
                actor=applicant,
                item_code=item.code,
                data=_demo_pdf(item.label),
                name=f"{item.code}.pdf",
            )
        dossier = dossier_services.dossier_submit(
            dossier=dossier, actor=applicant, key=uuid.uuid4()
        )
        instruction.dossier_take(dossier=dossier, actor=agent)
        instruction.dossier_approve(dossier=dossier, actor=agent)
        booking = Booking.objects.get(dossier=dossier, kind=Kind.HAND_OVER)
        return booking.reference


def _demo_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, "Document de démonstration — Séjour")
    page.drawString(72, 740, text)
    page.showPage()
    page.save()
    return buffer.getvalue()
