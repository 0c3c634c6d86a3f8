"""Reads of the catalogue: what a viewer may see of procedures, permit types and prefectures.

The catalogue is public; only administrators also see what has been retired (inactive rows).
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from sejour.accounts.choices import Role
from sejour.accounts.models import User
from sejour.catalog.conditions import condition_matches
from sejour.catalog.models import ChecklistItem, PermitType, Prefecture, Procedure

Viewer = User | AnonymousUser


def _sees_retired(viewer: Viewer | None) -> bool:
    return (
        isinstance(viewer, User)
        and viewer.is_active
        and (viewer.role == Role.ADMIN or viewer.is_superuser)
    )


def procedure_list(
    *, viewer: Viewer | None, permit_type: PermitType | None = None
) -> QuerySet[Procedure]:
    """Procedures the viewer can start; with `permit_type`, those open to its holders.

    A procedure with no permit types (change of address…) is open to every holder.
    """
    procedures = Procedure.objects.all()
    if not _sees_retired(viewer):
        procedures = procedures.active()
    if permit_type is not None:
        procedures = procedures.filter(Q(permit_types=permit_type) | Q(permit_types__isnull=True))
    return procedures.distinct().prefetch_related("permit_types").order_by("order", "code")


def procedure_get(*, viewer: Viewer | None, code: str) -> Procedure:
    """One procedure by code; raises Procedure.DoesNotExist when the viewer cannot see it."""
    return procedure_list(viewer=viewer).get(code=code)


def checklist_for(*, procedure: Procedure, answers: Mapping[str, Any]) -> list[ChecklistItem]:
    """The documents `procedure` asks of someone who gave `answers` to its questions."""
    items = procedure.checklist_items.active().order_by("order", "code")
    return [item for item in items if condition_matches(item.condition, answers)]


def permit_type_list(*, viewer: Viewer | None = None) -> QuerySet[PermitType]:
    """Permit types, in the catalogue's order."""
    permit_types = PermitType.objects.all()
    if not _sees_retired(viewer):
        permit_types = permit_types.active()
    return permit_types.order_by("order", "code")


def prefecture_list(*, viewer: Viewer | None = None) -> QuerySet[Prefecture]:
    """Prefectures in the order of département codes (Corsica between 19 and 21)."""
    prefectures = Prefecture.objects.all()
    if not _sees_retired(viewer):
        prefectures = prefectures.active()
    return prefectures.order_by("order", "departement_code")


def normalize_departement_code(code: str) -> str:
    """ "1" -> "01", "2a" -> "2A": the INSEE spelling of a département code."""
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() else code


def prefecture_for_departement(*, code: str) -> Prefecture:
    """The active prefecture of a département; raises Prefecture.DoesNotExist if none."""
    return Prefecture.objects.active().get(departement_code=normalize_departement_code(code))


# Postcodes beginning with 971 also serve Saint-Barthélemy (97133) and Saint-Martin (97150).
_POSTCODE_EXCEPTIONS = {"97133": "977", "97150": "978"}


def departement_code_for_postcode(postcode: str) -> str | None:
    """The département of a French postcode, or None if it is not one.

    Right for nearly every postcode; a few communes near a border carry their neighbour's
    postcode, so a form should let the person correct the prefecture it suggests.
    """
    postcode = postcode.strip().replace(" ", "")
    if len(postcode) != 5 or not postcode.isdigit():
        return None
    if postcode in _POSTCODE_EXCEPTIONS:
        return _POSTCODE_EXCEPTIONS[postcode]
    if postcode.startswith("97"):
        return postcode[:3] if postcode[2] in "123456" else None
    if postcode.startswith("20"):
        # Corsica: 200xx-201xx Corse-du-Sud, 202xx and 206xx Haute-Corse.
        return "2A" if postcode[2] in "01" else "2B"
    return postcode[:2] if "01" <= postcode[:2] <= "95" else None
