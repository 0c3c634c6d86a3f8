"""Calendars of the prefectures' counters, their slots, and the bookings that dossiers hold.

A seat is never given twice: a slot counts the seats held (`booked`), raised only by a
conditional UPDATE that the database refuses past `capacity`, and a check constraint keeps
`booked` within it. A dossier holds at most one active booking of a kind (a partial unique
constraint). Both hold on SQLite and PostgreSQL alike.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.appointments.choices import ACTIVE, HOLDING, Kind, OfferStatus, Status, Weekday


class Site(models.Model):
    """A counter of a prefecture or sub-prefecture where people are received."""

    prefecture = models.ForeignKey(
        "catalog.Prefecture",
        on_delete=models.PROTECT,
        related_name="appointment_sites",
        verbose_name=_("prefecture"),
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    active = models.BooleanField(_("receives the public"), default=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["prefecture", "name"]

    def __str__(self) -> str:
        return self.name


class SiteKind(models.Model):
    """An appointment kind a site offers: how long it lasts, how many counters serve it."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="kinds", verbose_name=_("site")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=15)
    counters = models.PositiveSmallIntegerField(
        _("counters per slot"), default=1, help_text=_("People received at the same time.")
    )

    class Meta:
        verbose_name = _("appointment kind of a site")
        verbose_name_plural = _("appointment kinds of sites")
        constraints = [
            models.UniqueConstraint(fields=["site", "kind"], name="sitekind_unique"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(counters__gte=1),
                name="sitekind_sizes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} — {self.get_kind_display()}"


class OpeningHours(models.Model):
    """One opening period of a site on a weekday (several per day for a lunch break)."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="hours", verbose_name=_("site")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="hours_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """Days a site is closed (public holiday, works, strike): no slot is made in them."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="closures", verbose_name=_("site")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["site", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="closure_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.starts_on} - {self.ends_on}"


class SlotQuerySet(models.QuerySet["Slot"]):
    def free(self) -> "SlotQuerySet":
        return self.filter(closed=False, booked__lt=F("capacity"))


class Slot(models.Model):
    """A time at a site for one kind of appointment, with as many seats as counters."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="slots", verbose_name=_("site")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("seats"))
    # Seats held: raised only by `UPDATE ... WHERE booked < capacity`.
    booked = models.PositiveSmallIntegerField(_("seats held"), default=0)
    closed = models.BooleanField(_("closed"), default=False)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "starts_at"], name="slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                name="slot_never_overbooked",
            ),
            models.CheckConstraint(condition=Q(starts_at__lt=F("ends_at")), name="slot_in_order"),
        ]
        indexes = [
            models.Index(
                fields=["kind", "starts_at"], condition=Q(closed=False), name="slot_open_idx"
            ),
            models.Index(fields=["site", "starts_at"], name="slot_site_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free_seats(self) -> int:
        return 0 if self.closed else max(self.capacity - self.booked, 0)


class Booking(models.Model):
    """One appointment of a dossier, from the need to the visit; never given to another."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("dossier"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    slot = models.ForeignKey(
        Slot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("slot"),
    )
    created_at = models.DateTimeField(_("needed since"), default=timezone.now)
    # A proposed seat is kept until then for the applicant to confirm.
    offer_expires_at = models.DateTimeField(_("to confirm by"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # On the waiting list for an earlier slot since then (None: not on it).
    waitlist_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Bumped by each change of slot: a convocation or a link for an older one is refused.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=Q(status__in=sorted(ACTIVE)),
                name="booking_one_active_per_dossier_kind",
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True) | ~Q(status=Status.WAITING),
                name="booking_waiting_has_no_slot",
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=False) | ~Q(status__in=sorted(HOLDING)),
                name="booking_holding_has_slot",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "created_at"],
                condition=Q(status=Status.WAITING),
                name="booking_waiting_idx",
            ),
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(status=Status.OFFERED),
                name="booking_offer_due_idx",
            ),
            models.Index(
                fields=["kind", "waitlist_since"],
                condition=Q(waitlist_since__isnull=False),
                name="booking_waitlist_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class Offer(models.Model):
    """A freed seat offered to someone of the waiting list, held a short time for their answer."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="offers", verbose_name=_("booking")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="offers", verbose_name=_("slot")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list offer")
        verbose_name_plural = _("waiting-list offers")
        ordering = ["offered_at", "pk"]
        constraints = [
            # The same seat is never offered twice to the same booking.
            models.UniqueConstraint(fields=["booking", "slot"], name="offer_once_per_slot"),
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status=OfferStatus.OPEN),
                name="offer_one_open_per_booking",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status=OfferStatus.OPEN),
                name="offer_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking} → {self.slot}"
