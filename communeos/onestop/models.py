"""The one-stop shop: the procedure catalogue (versioned data) and citizens' dossiers.

A procedure's rules live in a `ProcedureVersion` with its effective dates and legal basis;
a dossier keeps the version it was received under, so a later change of the law never
rewrites an old dossier's deadline. The clock of a dossier is kept in working days (see
`communeos.core.calendar`): `start_at` is when it started, `statutory_days` the working time
the law allows, `paused_days` the time spent waiting for the citizen to supplement, and
`due_at` = `start_at` + statutory + paused, recomputed whenever the clock stops or restarts.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from communeos.core.models import TimeStampedModel
from communeos.core.uploads import new_name


def appointment(due_at, promised_at):
    """The date the citizen was told: the apology's new date when there is one (unless a
    later supplement moved the deadline past it)."""
    return max(promised_at, due_at) if promised_at else due_at


def localized(vi: str, en: str) -> str:
    """The English text when the active language is English and there is one, else the Vietnamese."""
    return en if (get_language() or "vi").startswith("en") and en else vi


class Procedure(TimeStampedModel):
    """An administrative procedure (thủ tục hành chính); its rules are in its versions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    national_code = models.CharField(_("national portal code"), max_length=20, blank=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    field_vi = models.CharField(_("field (Vietnamese)"), max_length=100)
    field_en = models.CharField(_("field (English)"), max_length=100)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["field_vi", "name_vi"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_vi, self.name_en)

    @property
    def field(self) -> str:
        return localized(self.field_vi, self.field_en)


class ProcedureVersionQuerySet(models.QuerySet):
    def in_force_on(self, day):
        return self.filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class ProcedureVersion(TimeStampedModel):
    """The rules of a procedure from `effective_from` to `effective_to` (inclusive)."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    fee = models.PositiveIntegerField(_("fee (VND)"), default=0)
    fee_note_vi = models.CharField(_("fee note (Vietnamese)"), max_length=250, blank=True)
    fee_note_en = models.CharField(_("fee note (English)"), max_length=250, blank=True)
    days = models.PositiveSmallIntegerField(
        _("time limit (working days)"), help_text=_("0 means the result is due the same day.")
    )
    cutoff = models.TimeField(
        _("cut-off hour"),
        null=True,
        blank=True,
        help_text=_("Same-day procedures: received after this hour, due the next working day."),
    )
    time_note_vi = models.CharField(_("time note (Vietnamese)"), max_length=250, blank=True)
    time_note_en = models.CharField(_("time note (English)"), max_length=250, blank=True)
    online_allowed = models.BooleanField(_("online submission allowed"), default=True)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="procedure_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="procedure_version_dates",
                violation_error_message=_("A version cannot end before it starts."),
            ),
        ]

    @property
    def fee_note(self) -> str:
        return localized(self.fee_note_vi, self.fee_note_en)

    @property
    def time_note(self) -> str:
        return localized(self.time_note_vi, self.time_note_en)

    def __str__(self) -> str:
        return f"{self.procedure} (v{self.version})"


class Stage(models.TextChoices):
    """The four stages every dossier goes through; each procedure says who performs each."""

    RECEIVE = "receive", _("receive and assign")
    PROCESS = "process", _("examine and propose")
    APPROVE = "approve", _("approve or refuse")
    RETURN = "return", _("hand over the result")


class ProcedureStep(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    positions = models.ManyToManyField("people.Position", verbose_name=_("performed by"))
    share = models.PositiveSmallIntegerField(_("share of the time (%)"))

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "stage"], name="procedure_step_stage_unique"),
            models.CheckConstraint(condition=Q(share__lte=100), name="procedure_step_share_max"),
        ]

    def __str__(self) -> str:
        return localized(self.name_vi, self.name_en)


class ProcedurePaper(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="papers")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("required paper")
        verbose_name_plural = _("required papers")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return localized(self.name_vi, self.name_en)


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    ASSIGNED = "assigned", _("assigned")
    PROCESSING = "processing", _("processing")
    AWAITING_APPROVAL = "awaiting_approval", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    RESULT_READY = "result_ready", _("result ready")
    RETURNED = "returned", _("returned")
    SUPPLEMENT = "supplement", _("waiting for papers")
    STOPPED = "stopped", _("stopped")


ACTIVE = [
    Status.RECEIVED,
    Status.ASSIGNED,
    Status.PROCESSING,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
    Status.SUPPLEMENT,
]
"""Dossiers whose result is not ready yet: they count as in progress and can be overdue."""


class Channel(models.TextChoices):
    COUNTER = "counter", _("at the counter")
    ONLINE = "online", _("online")


class Timeliness(models.TextChoices):
    EARLY = "early", _("early")
    ON_TIME = "on_time", _("on time")
    LATE = "late", _("late")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    NEUTRAL = "neutral", _("neither satisfied nor dissatisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class Dossier(TimeStampedModel):
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # Meta.indexes lead with it
    )
    holder_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("now handled by"),
        on_delete=models.PROTECT,
        related_name="held_dossiers",
        db_index=False,  # Meta.indexes lead with it
    )
    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # Meta.indexes lead with it
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    paused_status = models.CharField(max_length=20, choices=Status.choices, blank=True)

    applicant_name = models.CharField(_("applicant"), max_length=150)
    applicant_id_number = models.CharField(_("citizen ID number"), max_length=12)
    applicant_phone = models.CharField(_("phone"), max_length=20)
    applicant_address = models.CharField(_("address"), max_length=300)
    applicant_email = models.EmailField(_("email"), blank=True)
    consent_at = models.DateTimeField(_("consent to the processing of personal data"), null=True, blank=True)

    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # people are deactivated, never deleted: nothing looks dossiers up by it
    )
    start_at = models.DateTimeField(_("clock starts"))
    statutory_days = models.DecimalField(_("statutory time (working days)"), max_digits=9, decimal_places=6)
    paused_days = models.DecimalField(
        _("time waiting for papers (working days)"), max_digits=9, decimal_places=6, default=Decimal(0)
    )
    due_at = models.DateTimeField(_("appointment"), db_index=True)
    paused_at = models.DateTimeField(_("waiting for papers since"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("requests to supplement"), default=0)
    promised_at = models.DateTimeField(_("new appointment (apology)"), null=True, blank=True)

    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_dossiers",
        db_index=False,  # Meta.indexes lead with it
    )
    proposal = models.CharField(_("proposal"), max_length=10, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # people are deactivated, never deleted: nothing looks dossiers up by it
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    timeliness = models.CharField(_("timeliness"), max_length=10, choices=Timeliness.choices, blank=True)
    processing_days = models.DecimalField(
        _("processing time (working days)"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stop_reason = models.TextField(_("reason for stopping"), blank=True)
    rating = models.CharField(_("satisfaction"), max_length=15, choices=Rating.choices, blank=True)
    rating_channel = models.CharField(_("rated"), max_length=10, choices=Channel.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)

    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "received_at"]),
            models.Index(fields=["holder_unit", "status", "due_at"]),
            models.Index(fields=["handler", "status"]),
            models.Index(fields=["procedure_version", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(timeliness="") | Q(completed_at__isnull=True), name="dossier_completed_has_timeliness"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def procedure(self) -> Procedure:
        return self.procedure_version.procedure

    @property
    def appointment_at(self):
        return appointment(self.due_at, self.promised_at)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_transferred(self) -> bool:
        return self.holder_unit_id != self.unit_id


class DossierPaper(models.Model):
    """One line of the required-papers checklist as received (or supplemented)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="papers")
    paper = models.ForeignKey(ProcedurePaper, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("paper"), max_length=300)
    provided_at = models.DateTimeField(_("provided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


def dossier_file_path(instance: "DossierFile", filename: str) -> str:
    """As `core.uploads.store_new` names a dossier's files (`core.uploads.new_name`)."""
    return new_name("dossiers", instance.sha256)


class DossierFile(models.Model):
    """An uploaded scan of a paper, typed by its content; its file is its own (named by the day,
    its SHA-256 and a random suffix: the same scan given twice is two files)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    paper = models.ForeignKey(DossierPaper, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    file = models.FileField(_("file"), upload_to=dossier_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.original_name


class Event(models.Model):
    """One hand-off of a dossier: the lines of the dossier tracking form (phiếu kiểm soát)."""

    class Action(models.TextChoices):
        RECEIVE = "receive", _("received")
        ASSIGN = "assign", _("assigned")
        START = "start", _("processing started")
        SUBMIT = "submit", _("submitted for approval")
        APPROVE = "approve", _("approved")
        REFUSE = "refuse", _("refused")
        RESULT_READY = "result_ready", _("result ready")
        RETURN = "return", _("returned to the citizen")
        SUPPLEMENT_REQUEST = "supplement_request", _("papers requested")
        SUPPLEMENT = "supplement", _("papers supplemented")
        TRANSFER = "transfer", _("transferred")
        TRANSFER_BACK = "transfer_back", _("sent back")
        APOLOGY = "apology", _("apology with a new date")
        STOP = "stop", _("stopped")
        RATE = "rate", _("rated")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # Hand-offs are read per dossier only; people and units are never deleted: no index on
    # these keys (each one would cost every write of the busiest table).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    from_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    to_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(_("status after"), max_length=20, choices=Status.choices)
    stage = models.CharField(_("step finished"), max_length=10, choices=Stage.choices, blank=True)
    stage_due_at = models.DateTimeField(_("step deadline"), null=True, blank=True)
    stage_timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SupplementRequest(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    missing = models.JSONField(_("missing papers"), default=list)
    reason = models.TextField(_("reason"))
    supplemented_at = models.DateTimeField(_("supplemented at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request to supplement")
        verbose_name_plural = _("requests to supplement")
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.requested_at:%Y-%m-%d}"


class Apology(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason for the delay"))
    new_due_at = models.DateTimeField(_("new appointment"))

    class Meta:
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")
        ordering = ["dossier", "at"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.at:%Y-%m-%d}"
