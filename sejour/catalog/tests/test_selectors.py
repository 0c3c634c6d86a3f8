"""Reads of the catalogue: documents chosen by answers, visibility, prefectures."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from sejour.accounts.choices import Role
from sejour.accounts.tests.factories import UserFactory
from sejour.catalog import selectors
from sejour.catalog.models import Prefecture, Procedure
from sejour.catalog.services import catalog_load
from sejour.catalog.tests.factories import (
    ChecklistItemFactory,
    PermitTypeFactory,
    PrefectureFactory,
    ProcedureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    catalog_load()


def codes(items) -> set[str]:
    return {item.code for item in items}


def renewal_checklist(**answers) -> set[str]:
    procedure = Procedure.objects.get(code="renewal")
    return codes(selectors.checklist_for(procedure=procedure, answers=answers))


COMMON = {"passport", "current-permit", "proof-of-address", "photo-code", "fee-stamp"}


def test_employee_renewal_asks_for_work_documents(catalogue):
    asked = renewal_checklist(permit_type="cst-salarie", employed=True, married=False)

    assert asked >= COMMON | {"employment-contract", "payslips"}
    assert not asked & {"enrolment-certificate", "unemployment-statement", "marriage-certificate"}


def test_jobless_employee_renewal_asks_for_benefit_statement(catalogue):
    asked = renewal_checklist(permit_type="cst-salarie", employed=False)

    assert "unemployment-statement" in asked
    assert not asked & {"employment-contract", "payslips"}


def test_student_renewal_asks_for_studies(catalogue):
    asked = renewal_checklist(permit_type="cst-etudiant", employed=True)

    assert asked >= COMMON | {"enrolment-certificate", "academic-results", "student-resources"}
    assert "payslips" not in asked


def test_refugee_renewal_asks_no_passport_and_no_fee(catalogue):
    asked = renewal_checklist(permit_type="carte-resident-refugie")

    assert "ofpra-civil-status" in asked
    assert not asked & {"passport", "fee-stamp"}


def test_family_answers_add_civil_status_documents(catalogue):
    asked = renewal_checklist(permit_type="cst-visiteur", married=True, has_children=True)

    assert asked >= {"marriage-certificate", "children-birth-certificates", "no-work-statement"}


def test_hosted_applicant_is_asked_for_the_host_documents(catalogue):
    assert "host-documents" in renewal_checklist(permit_type="cst-visiteur", hosted=True)
    assert "host-documents" not in renewal_checklist(permit_type="cst-visiteur", hosted=False)


def test_before_any_answer_only_unconditional_documents_are_listed(catalogue):
    assert renewal_checklist() == {"current-permit", "proof-of-address", "photo-code"}


def test_duplicate_asks_for_the_proof_matching_what_happened(catalogue):
    procedure = Procedure.objects.get(code="duplicate")

    stolen = codes(selectors.checklist_for(procedure=procedure, answers={"reason": "theft"}))
    lost = codes(selectors.checklist_for(procedure=procedure, answers={"reason": "loss"}))

    assert "theft-report" in stolen
    assert "loss-declaration" not in stolen
    assert "loss-declaration" in lost
    assert "theft-report" not in lost


def test_checklist_leaves_out_inactive_items_and_keeps_order():
    procedure = ProcedureFactory()
    second = ChecklistItemFactory(procedure=procedure, order=2)
    first = ChecklistItemFactory(procedure=procedure, order=1)
    ChecklistItemFactory(procedure=procedure, order=0, active=False)
    married_only = ChecklistItemFactory(
        procedure=procedure, order=3, condition={"question": "married", "equals": True}
    )

    assert selectors.checklist_for(procedure=procedure, answers={}) == [first, second]
    assert selectors.checklist_for(procedure=procedure, answers={"married": True}) == [
        first,
        second,
        married_only,
    ]


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.HELPER, Role.AGENT])
def test_retired_procedures_are_hidden_from_all_but_admins(role):
    viewer = AnonymousUser() if role is None else UserFactory(role=role)
    ProcedureFactory(code="current")
    ProcedureFactory(code="retired", active=False)

    assert [p.code for p in selectors.procedure_list(viewer=viewer)] == ["current"]
    with pytest.raises(Procedure.DoesNotExist):
        selectors.procedure_get(viewer=viewer, code="retired")


def test_admin_sees_retired_procedures():
    admin = UserFactory(role=Role.ADMIN)
    ProcedureFactory(code="retired", active=False)

    assert selectors.procedure_get(viewer=admin, code="retired").code == "retired"


def test_procedures_for_a_permit_type_include_those_open_to_every_holder():
    student = PermitTypeFactory(code="student")
    worker = PermitTypeFactory(code="worker")
    ProcedureFactory(code="student-renewal", permit_types=[student])
    ProcedureFactory(code="worker-renewal", permit_types=[worker])
    ProcedureFactory(code="change-of-address", permit_types=[])

    listed = selectors.procedure_list(viewer=AnonymousUser(), permit_type=student)

    assert sorted(p.code for p in listed) == ["change-of-address", "student-renewal"]


def test_permit_type_list_hides_retired_types():
    PermitTypeFactory(code="kept")
    PermitTypeFactory(code="retired", active=False)

    assert [p.code for p in selectors.permit_type_list()] == ["kept"]


@pytest.mark.parametrize(
    ("code", "seat"),
    [
        ("1", "Bourg-en-Bresse"),
        ("01", "Bourg-en-Bresse"),
        ("2a", "Ajaccio"),
        (" 2B ", "Bastia"),
        ("75", "Paris"),
        ("971", "Basse-Terre"),
        ("974", "Saint-Denis"),
        ("95", "Pontoise"),
    ],
)
def test_prefecture_for_departement_reads_any_spelling_of_the_code(catalogue, code, seat):
    assert selectors.prefecture_for_departement(code=code).seat == seat


def test_prefecture_for_an_unknown_or_retired_departement_does_not_exist():
    PrefectureFactory(departement_code="13", active=False)

    with pytest.raises(Prefecture.DoesNotExist):
        selectors.prefecture_for_departement(code="13")
    with pytest.raises(Prefecture.DoesNotExist):
        selectors.prefecture_for_departement(code="988")


def test_prefecture_list_keeps_corsica_between_19_and_21(catalogue):
    listed = [p.departement_code for p in selectors.prefecture_list()]

    assert listed[18:22] == ["19", "2A", "2B", "21"]
    assert listed[-3:] == ["976", "977", "978"]


@pytest.mark.parametrize(
    ("postcode", "departement"),
    [
        ("01000", "01"),
        ("75011", "75"),
        ("20000", "2A"),
        ("20167", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97200", "972"),
        ("97600", "976"),
        ("97500", "975"),
        ("97133", "977"),
        ("97150", "978"),
        ("97100", "971"),
        ("98000", None),
        ("98800", None),
        ("00100", None),
        ("7501", None),
        ("ABCDE", None),
    ],
)
def test_departement_code_for_postcode(postcode, departement):
    assert selectors.departement_code_for_postcode(postcode) == departement


def test_names_and_questions_are_translated_at_display_time(catalogue):
    procedure = Procedure.objects.get(code="duplicate")

    with translation.override("en"):
        questions = procedure.translated_questions()
        name = procedure.translated_name
    with translation.override("fr"):
        name_fr = procedure.translated_name

    reason = next(question for question in questions if question["code"] == "reason")
    assert [choice["label"] for choice in reason["choices"]] == [
        "It was lost",
        "It was stolen",
        "It is damaged",
    ]
    assert name == "Replace a lost, stolen or damaged residence permit"
    assert name_fr == "Remplacer un titre de séjour perdu, volé ou abîmé"


def test_fee_is_tax_plus_stamp():
    permit_type = PermitTypeFactory(fee_tax_cents=5000, fee_stamp_cents=2500)

    assert permit_type.fee_total_cents == 7500
