from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communeos.core.models import TimeStampedModel


class Level(models.TextChoices):
    PROVINCE = "province", _("province level")
    DISTRICT = "district", _("district level")
    COMMUNE = "commune", _("commune level")


class Kind(models.TextChoices):
    """The legal kind of a unit (Law on Organisation of Local Government)."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("Centrally-run city")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    RURAL_DISTRICT = "rural_district", _("Rural district")
    TOWN = "town", _("Town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")


class UnitQuerySet(models.QuerySet):
    def in_force_on(self, day):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Unit(TimeStampedModel):
    """An administrative unit over the period it was in force.

    Units are never deleted. A code identifies a unit only within a period: after the
    2025 reform new communes reuse codes of old ones, so the identity is the row, and
    (level, code) is unique only among the units in force on a given day.
    `valid_to` is the last day in force; `valid_from` is empty when the unit predates
    our records.
    """

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=100)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    province = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The province the unit belongs to; empty for a province.",
    )
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period",
            ),
            models.UniqueConstraint(fields=["level", "code", "valid_from"], name="unit_level_code_from_unique"),
            models.UniqueConstraint(
                fields=["level", "code"], condition=Q(valid_to__isnull=True), name="unit_one_current_per_code"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "code"]),
            models.Index(fields=["province", "level"]),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class Succession(TimeStampedModel):
    """One line of lineage: `predecessor` (or part of it) became part of `successor`."""

    class Share(models.TextChoices):
        WHOLE = "whole", _("whole territory")
        PART = "part", _("part of its territory")

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions_out")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions_in")
    share = models.CharField(_("share"), max_length=5, choices=Share.choices)
    effective = models.DateField(_("effective from"))
    resolution = models.CharField(_("resolution"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("lineage")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
