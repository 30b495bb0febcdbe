"""Official documents: the incoming and outgoing registers of each unit, their numbering
rules (data), citations between documents, attachments, routing and confidentiality.

One `Document` row is one entry of one unit's register: an incoming document (văn bản đến)
with its arrival number, or an outgoing one (văn bản đi) numbered when it is issued. When an
outgoing document is dispatched to a unit inside the system, that unit's incoming register
gets its own entry, linked by `source`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from communeos.core.models import TimeStampedModel


class Body(models.TextChoices):
    """Who issues: the State (Decree 30/2020/NĐ-CP) or the Party (Guideline 36-HD/VPTW)."""

    STATE = "state", _("state body")
    PARTY = "party", _("party body")


class Direction(models.TextChoices):
    INCOMING = "incoming", _("incoming")
    OUTGOING = "outgoing", _("outgoing")


class Urgency(models.TextChoices):
    NORMAL = "", _("normal")
    URGENT = "khan", _("Khẩn (urgent)")
    VERY_URGENT = "thuong_khan", _("Thượng khẩn (very urgent)")
    FLASH = "hoa_toc", _("Hỏa tốc (flash)")


class Confidentiality(models.TextChoices):
    NONE = "", _("not secret")
    SECRET = "mat", _("Mật (secret)")
    TOP_SECRET = "toi_mat", _("Tối mật (top secret)")
    ULTRA_SECRET = "tuyet_mat", _("Tuyệt mật (ultra secret)")


class Status(models.TextChoices):
    # incoming
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    # outgoing
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    ISSUED = "issued", _("issued")
    DISPATCHED = "dispatched", _("dispatched")


class Digitisation(models.TextChoices):
    NONE = "none", _("no file")
    STORED = "stored", _("file stored, no text")
    TEXT = "text", _("text extracted")
    OCR = "ocr", _("text recognised (OCR)")


class NumberingRule(TimeStampedModel):
    """How a kind of issuing body numbers its documents, from `effective_from`. Data, because
    the rules change: Decree 30/2020/NĐ-CP (state: per calendar year from 01 on 1 January,
    secret documents in their own series) and Guideline 36-HD/VPTW (party: per document type
    across the committee's term, secret documents in the same series)."""

    class Period(models.TextChoices):
        YEAR = "year", _("calendar year")
        TERM = "term", _("party committee term")

    body = models.CharField(_("body"), max_length=10, choices=Body.choices)
    period = models.CharField(_("numbered per"), max_length=10, choices=Period.choices)
    per_type = models.BooleanField(_("one series per document type"), default=False)
    secret_own_series = models.BooleanField(_("secret documents in their own series"), default=False)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)

    class Meta:
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")
        ordering = ["body", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["body", "effective_from"], name="numbering_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_body_display()} ({self.effective_from:%d/%m/%Y})"


class PartyTerm(TimeStampedModel):
    """A party committee's term (nhiệm kỳ): party documents are numbered across it."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("term"), max_length=100)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("party committee term")
        verbose_name_plural = _("party committee terms")
        ordering = ["unit", "-start"]

    def __str__(self) -> str:
        return self.name


class Document(TimeStampedModel):
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="documents")
    # The unit's province (a province's own register: the province), set by the services when
    # the entry is made; a unit's row never changes province. Province-wide searches go
    # through an index of the words per province (`documents.search`, migration 0006).
    province = models.ForeignKey(
        "units.Unit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        editable=False,
    )
    direction = models.CharField(_("register"), max_length=10, choices=Direction.choices)
    body = models.CharField(_("issuing body"), max_length=10, choices=Body.choices, default=Body.STATE)
    year = models.PositiveSmallIntegerField(_("register year"))
    arrival_number = models.PositiveIntegerField(_("arrival number"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_in_time = models.BooleanField(_("registered the same or next working day"), null=True)

    symbol = models.CharField(_("number and symbol"), max_length=80, blank=True, db_index=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    doc_type = models.CharField(_("document type"), max_length=10, blank=True)
    issuer = models.CharField(_("issuer code"), max_length=40, blank=True)
    drafting_unit = models.CharField(_("drafting unit code"), max_length=40, blank=True)
    normative = models.BooleanField(
        _("legal normative document"), default=False, help_text=_("Its symbol carries the year.")
    )
    author = models.CharField(_("author"), max_length=250, help_text=_("The issuing body, as written."))
    issued_on = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("summary"))
    signer = models.CharField(_("signed by"), max_length=150, blank=True)
    recipients = models.TextField(_("recipients"), blank=True)
    recipient_units = models.ManyToManyField("units.Unit", verbose_name=_("recipients in the system"), blank=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, blank=True, default="")
    confidentiality = models.CharField(
        _("confidentiality"), max_length=12, choices=Confidentiality.choices, blank=True, default=""
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.ForeignKey(
        "self",
        verbose_name=_("sent as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        help_text=_("For an incoming document sent from inside the system: the sender's outgoing entry."),
    )
    note = models.TextField(_("notes"), blank=True)
    text = models.TextField(_("text"), blank=True)
    digitisation = models.CharField(
        _("digitisation"), max_length=10, choices=Digitisation.choices, default=Digitisation.NONE
    )
    search_text = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-year", "-arrival_number", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "arrival_number"],
                condition=Q(direction="incoming"),
                name="document_arrival_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(direction="outgoing") | Q(arrival_number__isnull=False),
                name="document_incoming_has_arrival_number",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["issued", "dispatched"]) | Q(number__isnull=False),
                name="document_issued_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "direction", "year"]),
            models.Index(fields=["unit", "status", "deadline"]),
            models.Index(fields=["issuer", "symbol", "issued_on"]),
            models.Index(fields=["issued_on"]),
        ]

    def __str__(self) -> str:
        return self.symbol or str(_("draft"))

    @property
    def is_confidential(self) -> bool:
        return bool(self.confidentiality)


class Reference(models.Model):
    """A document known by its canonical symbol and, when the citing text gives it, its date:
    in the system (`document`) or only cited so far (a placeholder, e.g. `60-NQ/TW`) until
    someone registers it. The date matters: every commune issues its own `01/QĐ-UBND` each
    year, so a symbol alone names a document only when it carries its year and issuer."""

    symbol = models.CharField(_("number and symbol"), max_length=80, db_index=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="known_as")

    class Meta:
        verbose_name = _("referenced document")
        verbose_name_plural = _("referenced documents")
        constraints = [models.UniqueConstraint(fields=["symbol", "issued_on"], name="reference_symbol_date_unique")]

    def __str__(self) -> str:
        return self.symbol


class Citation(models.Model):
    citing = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")
    cited_date = models.DateField(null=True, blank=True)
    context = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["citing", "reference"], name="citation_unique")]

    def __str__(self) -> str:
        return f"{self.citing_id} → {self.reference}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"documents/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file of a document, stored under its SHA-256 (`documents_verify` re-hashes it)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    text = models.TextField(_("extracted text"), blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return self.name


class Handling(TimeStampedModel):
    """The chair's assignment of an incoming document: to a person or a unit, as the lead
    handler or a co-handler, with a comment and a deadline."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead handler")
        CO = "co", _("co-handler")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="handlings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="document_handlings"
    )
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=5, choices=Role.choices)
    comment = models.TextField(_("instructions"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("handling")
        verbose_name_plural = _("handlings")
        ordering = ["document", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False), name="handling_has_person_or_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.person or self.unit}"


class ConfidentialGrant(TimeStampedModel):
    """Who may see a confidential document: explicitly named people, whatever their scope."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "person"], name="confidential_grant_unique")]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.person_id}"


def type_name(code: str) -> str:
    from communeos.documents.symbols import PARTY_TYPES, STATE_TYPES

    found = STATE_TYPES.get(code) or PARTY_TYPES.get(code)
    if found is None:
        return code
    return found.name_en if (get_language() or "vi").startswith("en") else found.name_vi
