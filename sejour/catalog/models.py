"""The catalogue: permit types, procedures and their checklists, prefectures, data versions.

Rows come from the data files in `data/` through `services.catalog_load`; the names and labels
stored here are English source strings, translated at display time (see `data_strings.py`).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sejour.catalog.choices import PermitCategory, ProcedureKind, QuestionType
from sejour.catalog.conditions import condition_errors
from sejour.core.models import TimeStampedModel

# R.432-2: silence kept for four months on a complete application is an implicit refusal.
DEFAULT_IMPLICIT_DECISION_MONTHS = 4
# R.431-15-1: an extension attestation lasts at most three months (six for protection).
DEFAULT_EXTENSION_MONTHS = 3


class PermitTypeQuerySet(models.QuerySet["PermitType"]):
    def active(self) -> "PermitTypeQuerySet":
        return self.filter(active=True)


class PermitType(TimeStampedModel):
    """A kind of residence permit (type de titre, mention) and the legal figures attached to it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    official_name_fr = models.CharField(
        _("official French name"),
        max_length=250,
        blank=True,
        help_text=_("The name printed on the card; never translated."),
    )
    category = models.CharField(_("category"), max_length=20, choices=PermitCategory.choices)
    max_validity_months = models.PositiveSmallIntegerField(
        _("maximum validity (months)"), help_text=_("L.411-4, L.424-1 and others.")
    )
    is_anef = models.BooleanField(
        _("issued through the online service (ANEF)"),
        default=True,
        help_text=_("Decides the renewal filing window (R.431-5)."),
    )
    implicit_decision_months = models.PositiveSmallIntegerField(
        _("months before implicit refusal"),
        default=DEFAULT_IMPLICIT_DECISION_MONTHS,
        help_text=_("Silence of the administration on a complete application (R.432-2)."),
    )
    extension_months = models.PositiveSmallIntegerField(
        _("validity of an extension attestation (months)"),
        default=DEFAULT_EXTENSION_MONTHS,
        help_text=_(
            "3 months (R.431-15-1); 6 for refugees and subsidiary protection "
            "(R.431-15-3, R.431-15-4)."
        ),
    )
    protection = models.BooleanField(
        _("international protection"),
        default=False,
        help_text=_("Refugee or subsidiary protection beneficiary."),
    )
    work_on_first_application = models.BooleanField(
        _("right to work while a first application is pending"),
        default=False,
        help_text=_("Whether the attestation of a first application allows work (R.431-15-2)."),
    )
    allows_work = models.BooleanField(
        _("allows work"),
        default=True,
        help_text=_(
            "Whether the permit itself allows its holder to work; the attestations of its "
            "renewal keep that right (R.431-15-2)."
        ),
    )
    fee_tax_cents = models.PositiveIntegerField(
        _("issue tax (cents)"), default=0, help_text=_("Tax on issue or renewal (L.436-1).")
    )
    fee_stamp_cents = models.PositiveIntegerField(
        _("stamp duty (cents)"), default=0, help_text=_("Stamp duty (droit de timbre).")
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PermitTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.translated_name

    @property
    def translated_name(self) -> str:
        return gettext(self.name)

    @property
    def fee_total_cents(self) -> int:
        return self.fee_tax_cents + self.fee_stamp_cents


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def active(self) -> "ProcedureQuerySet":
        return self.filter(active=True)


class Procedure(TimeStampedModel):
    """A démarche: what an applicant asks for, the questions it asks and the documents it needs.

    `questions` is a list of {"code", "label", "type", "choices": [{"value", "label"}], "help"};
    labels are English source strings.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ProcedureKind.choices)
    name = models.CharField(_("name"), max_length=200)
    official_name_fr = models.CharField(_("official French name"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    permit_types = models.ManyToManyField(
        PermitType,
        verbose_name=_("permit types"),
        related_name="procedures",
        blank=True,
        help_text=_("Leave empty for a procedure open to any permit holder."),
    )
    fee_applies = models.BooleanField(
        _("fee applies"),
        default=False,
        help_text=_("Whether the permit type's fee (tax and stamp duty) is due."),
    )
    questions = models.JSONField(_("questions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.translated_name

    @property
    def translated_name(self) -> str:
        return gettext(self.name)

    @property
    def translated_description(self) -> str:
        return gettext(self.description) if self.description else ""

    def translated_questions(self) -> list[dict[str, Any]]:
        """The questions with their labels, help and choice labels in the active language."""
        return [
            {
                **question,
                "label": gettext(question["label"]),
                "help": gettext(question["help"]) if question.get("help") else "",
                "choices": [
                    {**choice, "label": gettext(choice["label"])}
                    for choice in question.get("choices", [])
                ],
            }
            for question in self.questions
        ]

    def clean(self) -> None:
        errors = questions_errors(self.questions)
        if errors:
            raise ValidationError({"questions": errors})


def questions_errors(questions: object) -> list[str]:
    """What is wrong with the shape of a procedure's questions (empty when well formed)."""
    if not isinstance(questions, list):
        return ["questions must be a list"]
    errors = []
    seen: set[str] = set()
    for position, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            errors.append(f"question {position} must be a mapping")
            continue
        code = question.get("code")
        if not isinstance(code, str) or not code:
            errors.append(f"question {position} needs a code")
        elif code in seen:
            errors.append(f"question code '{code}' appears twice")
        else:
            seen.add(code)
        if not isinstance(question.get("label"), str) or not question["label"]:
            errors.append(f"question {code or position} needs a label")
        if question.get("type") not in QuestionType.values:
            errors.append(
                f"question {code or position} has type {question.get('type')!r}; "
                f"expected one of {', '.join(QuestionType.values)}"
            )
        choices = question.get("choices", [])
        if question.get("type") == QuestionType.CHOICE and not choices:
            errors.append(f"question {code or position} is a choice without choices")
        if not isinstance(question.get("help", ""), str):
            errors.append(f"question {code or position}: help must be text")
        if not isinstance(choices, list) or not all(
            isinstance(choice, dict)
            and isinstance(choice.get("value"), str | int)
            and isinstance(choice.get("label"), str)
            and choice["label"]
            for choice in choices
        ):
            errors.append(f"question {code or position}: each choice needs a value and a label")
    return errors


class ChecklistItemQuerySet(models.QuerySet["ChecklistItem"]):
    def active(self) -> "ChecklistItemQuerySet":
        return self.filter(active=True)


class ChecklistItem(TimeStampedModel):
    """A document (pièce justificative) a procedure asks for, maybe only for some answers."""

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="checklist_items",
    )
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=250)
    help_text = models.TextField(_("help text"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    condition = models.JSONField(
        _("condition"),
        null=True,
        blank=True,
        help_text=_(
            'Asked only when the answers match, e.g. {"question": "married", '
            '"equals": true}. Empty: always asked.'
        ),
    )
    accepts_several_files = models.BooleanField(_("accepts several files"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["procedure", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "code"], name="catalog_checklist_item_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.translated_label

    @property
    def translated_label(self) -> str:
        return gettext(self.label)

    @property
    def translated_help_text(self) -> str:
        return gettext(self.help_text) if self.help_text else ""

    def clean(self) -> None:
        errors = condition_errors(self.condition)
        if errors:
            raise ValidationError({"condition": errors})


class PrefectureQuerySet(models.QuerySet["Prefecture"]):
    def active(self) -> "PrefectureQuerySet":
        return self.filter(active=True)


class Prefecture(TimeStampedModel):
    """The authority that instructs residence permits for one département or collectivity."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("Official name, in French."))
    departement_code = models.CharField(
        _("département code"),
        max_length=3,
        unique=True,
        help_text=_('INSEE code: "01", "2A", "75", "971"…'),
    )
    departement_name = models.CharField(_("département"), max_length=100)
    seat = models.CharField(_("seat (chef-lieu)"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    overseas = models.BooleanField(_("overseas"), default=False)
    address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The agents who instruct this prefecture's dossiers; they see no other.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="prefectures",
        verbose_name=_("agents"),
    )

    objects = PrefectureQuerySet.as_manager()

    class Meta:
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        # "2A" sorts after "29" as text: the data file's order keeps Corsica in its place.
        ordering = ["order", "departement_code"]

    def __str__(self) -> str:
        return f"{self.departement_code} {self.name}"


class CatalogVersion(models.Model):
    """A load of the data files that changed the catalogue or brought new files.

    Loading the files of the latest row again, with nothing to change, adds no row.
    """

    version = models.CharField(_("catalogue version"), max_length=40)
    prefectures_version = models.CharField(_("prefectures version"), max_length=40)
    sha256 = models.CharField(_("SHA-256 of the data files"), max_length=64, db_index=True)
    summary = models.JSONField(_("summary of changes"), default=dict, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"{self.version} ({self.sha256[:12]})"
