import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditChain(models.Model):
    """The head of one hash chain of audit entries: one chain per unit, and one for writes with no unit.

    Appending locks this row, so entries of one chain are written one after another, while
    different units append in parallel. `audit_verify` compares the head with the last entry,
    which makes the removal of the newest entries visible too. `prev_hash` is the hash before
    `last_hash`: the statement that moves the head returns it for the new entry.
    """

    key = models.BigIntegerField(primary_key=True)  # the unit's id, 0 for writes with no unit
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    prev_hash = models.CharField(max_length=64, default="", db_default="")  # older code omits it

    def __str__(self) -> str:
        return f"audit chain {self.key} at {self.last_seq}"


class AuditEntry(models.Model):
    """One write, append-only. See `communeos.core.audit`."""

    chain = models.BigIntegerField()  # indexed by the (chain, seq) constraint
    seq = models.BigIntegerField()
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # Meta.indexes lead with it
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("record type"), max_length=80)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # Meta.indexes lead with it
    )
    changes = models.JSONField(_("changes"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class Counter(models.Model):
    """The last number given in one series of one unit for one period. See `core.numbering`."""

    series = models.CharField(max_length=40)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "unit", "period"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.series} {self.unit_id} {self.period}: {self.last}"


def province_or_country() -> models.ForeignKey:
    """The province a row of the calendar's data is for; empty for the whole country."""
    return models.ForeignKey(
        "units.Unit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province"},
        help_text=_("Empty: the whole country."),
    )


class CalendarOverride(TimeStampedModel):
    """A change to the working-day calendar decided by the Government or a province:
    a compensating working Saturday, an extra day off, or the counter open on a day off.

    The range `start`..`end` is inclusive; with `weekday` set, the override applies only to
    that weekday inside the range ("every Saturday morning of 2026" is one row). With no
    province it applies to the whole country. How overrides combine with the holiday table
    is described in `communeos.core.calendar`; writes go through
    `communeos.core.services.calendar_override_create`.
    """

    class Kind(models.TextChoices):
        WORKING = "working", _("working day")
        DAY_OFF = "day_off", _("day off")
        RECEIVING = "receiving", _("receiving only")

    province = province_or_country()
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), blank=True, help_text=_("Inclusive. Empty: the same day."))
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        help_text=_("A receiving day opens the counter; it does not count towards deadlines."),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        null=True,
        blank=True,
        choices=list(WEEKDAYS.items()),
        help_text=_("Only this weekday inside the period. Empty: every day of the period."),
    )
    opens = models.TimeField(_("counter opens"), null=True, blank=True)
    closes = models.TimeField(_("counter closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-start", "province_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="calendar_override_period",
                violation_error_message=_("The override ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6),
                name="calendar_override_weekday",
                violation_error_message=_("The weekday must be Monday to Sunday."),
            ),
            models.CheckConstraint(
                condition=Q(kind="receiving") | Q(opens__isnull=True, closes__isnull=True),
                name="calendar_override_hours_for_receiving",
                violation_error_message=_("Counter hours apply to receiving days only."),
            ),
            models.CheckConstraint(
                condition=Q(opens__isnull=True) | Q(closes__isnull=True) | Q(closes__gt=F("opens")),
                name="calendar_override_hours_order",
                violation_error_message=_("The counter closes before it opens."),
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.start}" if self.end in (None, self.start) else f"{self.start}–{self.end}"
        return f"{period} {self.get_kind_display()}: {self.reason}"


class OfficeHours(TimeStampedModel):
    """The office's hours on working days, decided by the Government or a province: in force
    from `effective_from` until the next row of the same level (summer and winter hours are
    two rows a year), with an optional lunch break. A province's row wins over a national one;
    with neither, `communeos.core.calendar.DEFAULT_HOURS`. A result is due when the office
    closes, and a step's time runs only while it is open (`communeos.core.calendar`). Writes
    go through `communeos.core.services.office_hours_create`.
    """

    province = province_or_country()
    effective_from = models.DateField(_("in force from"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    break_starts = models.TimeField(_("lunch break from"), null=True, blank=True)
    break_ends = models.TimeField(_("lunch break until"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255)

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["-effective_from", "province_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "effective_from"],
                condition=Q(province__isnull=False),
                name="office_hours_one_per_province_and_day",
                violation_error_message=_("This province already has office hours from this date."),
            ),
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(province__isnull=True),
                name="office_hours_one_national_per_day",
                violation_error_message=_("The whole country already has office hours from this date."),
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")),
                name="office_hours_order",
                violation_error_message=_("The office closes before it opens."),
            ),
            models.CheckConstraint(
                condition=Q(break_starts__isnull=True, break_ends__isnull=True)
                | Q(
                    # Spelled out: a check whose comparisons meet a NULL passes.
                    break_starts__isnull=False,
                    break_ends__isnull=False,
                    break_starts__gt=F("opens"),
                    break_ends__gt=F("break_starts"),
                    closes__gt=F("break_ends"),
                ),
                name="office_hours_break",
                violation_error_message=_("A lunch break needs a start and a later end, inside opening hours."),
            ),
        ]

    def __str__(self) -> str:
        spans = (
            [(self.opens, self.break_starts), (self.break_ends, self.closes)]
            if self.break_starts
            else [(self.opens, self.closes)]
        )
        hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in spans)
        return _("%(hours)s from %(day)s") % {"hours": hours, "day": self.effective_from.strftime("%d/%m/%Y")}

    def clean(self) -> None:
        moments = {name: getattr(self, name) for name in ("opens", "closes", "break_starts", "break_ends")}
        uneven = [name for name, moment in moments.items() if moment and (moment.second or moment.microsecond)]
        if uneven:
            raise ValidationError({name: _("Give the time in whole minutes.") for name in uneven})


class StoredFile(models.Model):
    """An uploaded file kept in the database (`core.storage.DatabaseStorage`, `FILE_STORE=database`):
    written in the transaction of the record that names it, so the two are committed, lost or
    restored together."""

    name = models.CharField(max_length=255, primary_key=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.name


# A register of the longest kind (5,000 lines) is made in about a minute: a file still being
# made after this long lost its worker (stopped or killed mid-file).
STALE_EXPORT = timedelta(minutes=15)


class Export(models.Model):
    """A file made in the background for the person who asked for it (a register as PDF: tens
    of seconds for a year), by the database-backed task queue (`core.tasks.export_make`). The
    row is written with the request's audit entry; the worker fills in the file or the failure.
    Only the person who asked opens it (`access.access_export`)."""

    class Kind(models.TextChoices):
        DOCUMENT_REGISTER = "documents.register", _("document register")
        DOSSIER_REGISTER = "onestop.register", _("dossier register")

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    requested_by = models.ForeignKey(
        # PROTECT: a person is deactivated, not deleted; deleting the rows would leave their files.
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exports",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    title = models.CharField(_("title"), max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The queue's task that makes it (django_tasks_db.DBTaskResult): where it is in the queue.
    task_id = models.UUIDField(_("task"), null=True, blank=True, editable=False)
    # What was asked for (unit, kind, parameters), as a SHA-256: one pending export per person
    # and request (`services.export_request`). Empty for exports asked for before it.
    request_digest = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(finished_at__isnull=False)),
                name="export_ready_has_file",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "request_digest"],
                condition=Q(status="pending"),
                name="export_one_pending_per_request",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def content_type(self) -> str:
        from communeos.core.registers import CONTENT_TYPES

        return CONTENT_TYPES[self.filename.rsplit(".", 1)[-1]]
