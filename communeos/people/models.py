import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from communeos.core.models import TimeStampedModel


class User(AbstractUser):
    """A staff account. Citizens have no account."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self) -> str:
        return self.full_name or self.username


class Position(models.Model):
    """A position a person holds in a unit. Kept as data so administrators can add one;
    workflows refer to positions by `code`."""

    class Scope(models.TextChoices):
        COMMUNE = "commune", _("commune")
        PROVINCE = "province", _("province")
        ANY = "any", _("any unit")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    scope = models.CharField(_("held in"), max_length=10, choices=Scope.choices, default=Scope.ANY)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class AssignmentQuerySet(models.QuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


class Assignment(TimeStampedModel):
    """A person holds a position in a unit from `start` to `end` (inclusive; open if empty).
    A secondment to another commune is a second assignment over its own dates."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
                violation_error_message=_("The assignment ends before it starts."),
            )
        ]
        indexes = [models.Index(fields=["person", "start"]), models.Index(fields=["unit", "start"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.position} — {self.unit}"


class WorkingGroup(TimeStampedModel):
    """A provincial working group that follows a set of communes (e.g. Working Group No. 4)."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("province"), on_delete=models.PROTECT, related_name="working_groups"
    )
    name = models.CharField(_("name"), max_length=150)
    communes = models.ManyToManyField("units.Unit", verbose_name=_("communes followed"), related_name="+")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="working_groups", blank=True
    )

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="working_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class ApiToken(TimeStampedModel):
    """A per-integration API token. Only its SHA-256 is stored; the token is shown once."""

    name = models.CharField(_("integration"), max_length=100)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
