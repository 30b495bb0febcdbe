from django.conf import settings
from django.db import models
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
    which makes the removal of the newest entries visible too.
    """

    key = models.BigIntegerField(primary_key=True)  # the unit's id, 0 for writes with no unit
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain {self.key} at {self.last_seq}"


class AuditEntry(models.Model):
    """One write, append-only. See `communeos.core.audit`."""

    chain = models.BigIntegerField(db_index=True)
    seq = models.BigIntegerField()
    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("record type"), max_length=80)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
