"""Statistics of the one-stop shop: what was received in a period, and what became of it.

Counted over the dossiers *received* from `start` to `end` (local dates, Asia/Ho_Chi_Minh)
that the user may see, grouped by receiving unit or by procedure: received; resolved early,
on time or late (the classification made at completion, Decision 766/QĐ-TTg); in progress;
overdue (in progress, the clock running, past the appointment); stopped; the on-time rate
(early + on time over resolved); the average processing time in working days; and two more
indicators of Decision 766: the share submitted online and the share of satisfied ratings.

One aggregate query does it all, grouped in the database (`.values().annotate()` with
conditional counts): the dossier table reaches millions of rows, so nothing here loops over
dossiers in Python. The total is added up from the groups; its average time is the sum of the
processing times over their number, which is what `Avg` over all the dossiers would give.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django import forms
from django.db.models import Avg, Case, Count, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communeos.core import access
from communeos.onestop.models import ACTIVE, Channel, Procedure, Rating, Status, Timeliness
from communeos.units.models import Level, Unit

BY_UNIT = "unit"
BY_PROCEDURE = "procedure"
GROUPINGS = [(BY_UNIT, gettext_lazy("Unit")), (BY_PROCEDURE, gettext_lazy("Procedure"))]


def _zone():
    return timezone.get_default_timezone()


def _today() -> date:
    return timezone.localdate(timezone=_zone())


# The numbers -------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


@dataclass(frozen=True)
class StatisticsRow:
    """The numbers of one group (a unit or a procedure), or of all of them (`key` None)."""

    key: int | None
    code: str
    label: str
    received: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int = 0
    overdue: int = 0
    stopped: int = 0
    online: int = 0
    rated: int = 0
    satisfied: int = 0
    average_days: float | None = None
    """Average processing time of the resolved dossiers, in working days (waiting for papers excluded)."""

    @property
    def on_time_rate(self) -> float | None:
        """Resolved early or on time, over resolved (Decision 766: progress); None if none resolved."""
        return _ratio(self.early + self.on_time, self.resolved)

    @property
    def online_share(self) -> float | None:
        """Submitted online, over received (Decision 766: online services)."""
        return _ratio(self.online, self.received)

    @property
    def satisfaction_share(self) -> float | None:
        """Rated satisfied, over rated (Decision 766: satisfaction); None if nobody rated."""
        return _ratio(self.satisfied, self.rated)

    # For templates, which cannot multiply.
    @property
    def on_time_percent(self) -> float | None:
        return _percent(self.on_time_rate)

    @property
    def online_percent(self) -> float | None:
        return _percent(self.online_share)

    @property
    def satisfaction_percent(self) -> float | None:
        return _percent(self.satisfaction_share)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "code": self.code,
            "label": self.label,
            "received": self.received,
            "resolved": self.resolved,
            "early": self.early,
            "on_time": self.on_time,
            "late": self.late,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "stopped": self.stopped,
            "online": self.online,
            "rated": self.rated,
            "satisfied": self.satisfied,
            "on_time_rate": _rounded(self.on_time_rate),
            "average_days": _rounded(self.average_days),
            "online_share": _rounded(self.online_share),
            "satisfaction_share": _rounded(self.satisfaction_share),
        }


@dataclass(frozen=True)
class StatisticsResult:
    start: date
    end: date
    group_by: str
    rows: list[StatisticsRow]
    total: StatisticsRow
    as_of: datetime
    """The moment "overdue" was measured at."""
    unit_id: int | None = None
    unit_name: str = ""
    procedure: str = ""
    procedure_name: str = ""

    @property
    def group_label(self) -> str:
        return str(dict(GROUPINGS)[self.group_by])

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "group_by": self.group_by,
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "procedure": self.procedure,
            "procedure_name": self.procedure_name,
            "as_of": self.as_of.isoformat(),
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
        }


COUNTED = [
    "received",
    "resolved",
    "early",
    "on_time",
    "late",
    "in_progress",
    "overdue",
    "stopped",
    "online",
    "rated",
    "satisfied",
]


def _aggregates(now: datetime) -> dict:
    resolved = Q(completed_at__isnull=False)
    return {
        "received": Count("id"),
        "resolved": Count("id", filter=resolved),
        "early": Count("id", filter=resolved & Q(timeliness=Timeliness.EARLY)),
        "on_time": Count("id", filter=resolved & Q(timeliness=Timeliness.ON_TIME)),
        "late": Count("id", filter=resolved & Q(timeliness=Timeliness.LATE)),
        "in_progress": Count("id", filter=Q(status__in=ACTIVE)),
        "overdue": Count("id", filter=Q(status__in=ACTIVE, paused_at__isnull=True, due_at__lt=now)),
        "stopped": Count("id", filter=Q(status=Status.STOPPED)),
        "online": Count("id", filter=Q(channel=Channel.ONLINE)),
        "rated": Count("id", filter=~Q(rating="")),
        "satisfied": Count("id", filter=Q(rating=Rating.SATISFIED)),
        "average_days": Avg("processing_days", filter=resolved),
        "days_sum": Sum("processing_days", filter=resolved),
        "days_counted": Count("processing_days", filter=resolved),
    }


def _group_fields(group_by: str) -> tuple[dict, list[str]]:
    """What a group is made of (`.values()` arguments) and how the groups are ordered."""
    if group_by == BY_PROCEDURE:
        procedure = "procedure_version__procedure__"
        return (
            {
                "group_key": F(f"{procedure}id"),
                "group_code": F(f"{procedure}code"),
                "group_name": F(f"{procedure}name_vi"),
                "group_name_en": F(f"{procedure}name_en"),
                "group_field": F(f"{procedure}field_vi"),
            },
            ["group_field", "group_name", "group_key"],
        )
    return (
        {"group_key": F("unit_id"), "group_code": F("unit__code"), "group_name": F("unit__name")},
        ["group_code", "group_key"],
    )


def _label(group_by: str, values: dict) -> str:
    if group_by == BY_PROCEDURE:
        return Procedure(name_vi=values["group_name"], name_en=values["group_name_en"]).name
    return values["group_name"]


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[from, until) in aware datetimes: local midnight of `start`, local midnight after `end`."""
    zone = _zone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )


def dossier_statistics(
    *,
    user,
    start: date,
    end: date,
    unit: Unit | None = None,
    procedure: str = "",
    group_by: str = BY_UNIT,
    now: datetime | None = None,
) -> StatisticsResult:
    """The numbers of the dossiers received from `start` to `end` (local dates, inclusive)
    that `user` may see, per receiving unit or per procedure, and in total.

    `unit` narrows to the dossiers received by a commune, or by the communes of a province;
    `procedure` to one procedure (its code). Access is decided inside the query: a unit the
    user does not see simply contributes nothing. Queries: the user's assignments (cached on
    the user), the aggregate, and the procedure's name when one is chosen.
    """
    if group_by not in dict(GROUPINGS):
        raise ValueError(f"group_by must be one of {list(dict(GROUPINGS))}, not {group_by!r}")
    now = now or timezone.now()
    since, until = period_bounds(start, end)
    dossiers = access.dossiers_visible_to(user).filter(received_at__gte=since, received_at__lt=until)
    if unit is not None:
        dossiers = dossiers.filter(unit__in=Unit.objects.filter(Q(pk=unit.pk) | Q(province=unit.pk)).values("pk"))
    procedure_name = ""
    if procedure:
        dossiers = dossiers.filter(procedure_version__procedure__code=procedure)
        names = Procedure.objects.filter(code=procedure).values_list("name_vi", "name_en").first()
        procedure_name = Procedure(name_vi=names[0], name_en=names[1]).name if names else ""
    group, ordering = _group_fields(group_by)
    groups = dossiers.order_by().values(**group).annotate(**_aggregates(now)).order_by(*ordering)

    rows = []
    days_sum, days_counted = 0, 0
    for values in groups:  # one line per unit or procedure, not per dossier
        average = values["average_days"]
        rows.append(
            StatisticsRow(
                key=values["group_key"],
                code=values["group_code"],
                label=_label(group_by, values),
                average_days=_rounded(float(average)) if average is not None else None,
                **{name: values[name] for name in COUNTED},
            )
        )
        days_sum += values["days_sum"] or 0
        days_counted += values["days_counted"]
    total = StatisticsRow(
        key=None,
        code="",
        label=_("Total"),
        average_days=_rounded(float(days_sum) / days_counted) if days_counted else None,
        **{name: sum(getattr(row, name) for row in rows) for name in COUNTED},
    )
    return StatisticsResult(
        start=start,
        end=end,
        group_by=group_by,
        rows=rows,
        total=total,
        as_of=now,
        unit_id=unit.pk if unit is not None else None,
        unit_name=unit.name if unit is not None else "",
        procedure=procedure,
        procedure_name=procedure_name,
    )


# The form ----------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")  # what <input type="date"> reads and sends


class StatisticsForm(forms.Form):
    """The filters of the statistics page (GET). `filters()` gives `dossier_statistics` its
    arguments: the valid choices, and the defaults for anything missing or wrong."""

    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All units you can see"),
    )
    procedure = forms.ChoiceField(label=gettext_lazy("Procedure"), required=False)
    group_by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=GROUPINGS, required=False, initial=BY_UNIT)

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        today = _today()
        self.fields["start"].initial = date(today.year, 1, 1)
        self.fields["end"].initial = today
        self.fields["unit"].queryset = (
            access.units_visible_to(user)
            .in_force_on(today)
            .filter(level__in=[Level.PROVINCE, Level.COMMUNE])
            .order_by(Case(When(level=Level.PROVINCE, then=Value(0)), default=Value(1)), "name", "pk")
        )
        procedures = Procedure.objects.order_by("field_vi", "name_vi").values_list("code", "name_vi", "name_en")
        self.fields["procedure"].choices = [("", _("All procedures"))] + [
            (code, Procedure(name_vi=vi, name_en=en).name) for code, vi, en in procedures
        ]

    def clean(self):
        cleaned = super().clean()
        if "start" in cleaned and "end" in cleaned:
            end = cleaned["end"] or _today()
            start = cleaned["start"] or date(end.year, 1, 1)
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."), code="period")
            cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> dict:
        today = _today()
        chosen = {"start": date(today.year, 1, 1), "end": today, "unit": None, "procedure": "", "group_by": BY_UNIT}
        if not self.is_bound:
            return chosen
        self.is_valid()
        cleaned = self.cleaned_data
        if not self.non_field_errors() and cleaned.get("start") and cleaned.get("end"):
            chosen["start"], chosen["end"] = cleaned["start"], cleaned["end"]
        for name in ("unit", "procedure", "group_by"):
            if cleaned.get(name):
                chosen[name] = cleaned[name]
        return chosen


# The chart ---------------------------------------------------------------------------------

# Each colour has at least 4.5:1 contrast on white; segments are separated by a white gap,
# and "late" is hatched, so no two segments rely on hue alone.
SEGMENTS = [
    ("early", "#1d6b2f"),
    ("on_time", "#0b5394"),
    ("late", "url(#stat-chart-late)"),
    ("in_progress", "#6b7785"),
]
LATE_COLOUR = "#a1120d"
INK = "#1b1f24"


def segment_labels() -> dict[str, str]:
    return {
        "early": capfirst(Timeliness.EARLY.label),
        "on_time": capfirst(Timeliness.ON_TIME.label),
        "late": capfirst(Timeliness.LATE.label),
        "in_progress": _("In progress"),
    }


def _number(value) -> str:
    return number_format(value, force_grouping=True)


def _percent_text(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value * 100, 1)} %"


def _period_text(result: StatisticsResult) -> str:
    return f"{date_format(result.start, 'd/m/Y')} – {date_format(result.end, 'd/m/Y')}"


def _summary(row: StatisticsRow) -> str:
    return _(
        "%(label)s: %(received)s received; %(early)s early, %(on_time)s on time, %(late)s late, "
        "%(in_progress)s in progress (%(overdue)s overdue), %(stopped)s stopped; on-time rate %(rate)s."
    ) % {
        "label": row.label,
        "received": _number(row.received),
        "early": _number(row.early),
        "on_time": _number(row.on_time),
        "late": _number(row.late),
        "in_progress": _number(row.in_progress),
        "overdue": _number(row.overdue),
        "stopped": _number(row.stopped),
        "rate": _percent_text(row.on_time_rate),
    }


def chart_title(result: StatisticsResult) -> str:
    return _("Dossiers received %(period)s, by %(grouping)s") % {
        "period": _period_text(result),
        "grouping": result.group_label.lower(),
    }


def chart_svg(result: StatisticsResult) -> SafeString:
    """A horizontal stacked bar per group (early, on time, late, in progress), scaled to the
    largest number received, with a legend, as an SVG image described by its title and desc.
    No script and no style attribute (the CSP allows neither): presentation attributes only.
    Empty when nothing was received."""
    if not result.rows:
        return mark_safe("")  # noqa: S308 — a constant
    width, label_h, bar_h, gap, legend_h, room = 720, 18, 20, 14, 36, 80
    row_h = label_h + bar_h + gap
    height = legend_h + row_h * len(result.rows)
    scale = (width - room) / max(max(row.received for row in result.rows), 1)
    labels = segment_labels()
    description = " ".join(_summary(row) for row in [*result.rows, result.total])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="stat-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="stat-chart-title" aria-describedby="stat-chart-desc" '
        f'font-family="system-ui, sans-serif" font-size="14" fill="{INK}">',
        f'<title id="stat-chart-title">{escape(chart_title(result))}</title>',
        f'<desc id="stat-chart-desc">{escape(description)}</desc>',
        '<defs><pattern id="stat-chart-late" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{LATE_COLOUR}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="1.5"/></pattern></defs>',
        '<g class="legend">',
    ]
    for index, (name, colour) in enumerate(SEGMENTS):
        x = index * 170
        parts.append(
            f'<rect x="{x}" y="4" width="16" height="16" fill="{colour}"/>'
            f'<text x="{x + 22}" y="17">{escape(labels[name])}</text>'
        )
    parts.append("</g>")
    for index, row in enumerate(result.rows):
        top = legend_h + index * row_h
        parts.append(f'<g class="bar"><text x="0" y="{top + 14}" font-weight="600">{escape(row.label)}</text>')
        x = 0.0
        for name, colour in SEGMENTS:
            count = getattr(row, name)
            if not count:
                continue
            w = count * scale
            tip = f"{row.label} · {labels[name]}: {_number(count)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{top + label_h}" width="{w:.1f}" height="{bar_h}" fill="{colour}" '
                f'stroke="#ffffff" stroke-width="1"><title>{escape(tip)}</title></rect>'
            )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{top + label_h + 15}">{escape(_number(row.received))}</text></g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — built here, every text escaped


# The Excel export --------------------------------------------------------------------------


def columns(result: StatisticsResult) -> list[tuple[str, str, str]]:
    """(attribute, heading, kind) of the table and the export; kind: text, int, days, percent."""
    headings = [
        ("label", result.group_label, "text"),
        ("received", _("Received"), "int"),
        ("resolved", _("Resolved"), "int"),
        ("early", capfirst(Timeliness.EARLY.label), "int"),
        ("on_time", capfirst(Timeliness.ON_TIME.label), "int"),
        ("late", capfirst(Timeliness.LATE.label), "int"),
        ("on_time_rate", _("On-time rate"), "percent"),
        ("in_progress", _("In progress"), "int"),
        ("overdue", _("Overdue"), "int"),
        ("stopped", capfirst(Status.STOPPED.label), "int"),
        ("average_days", _("Average time (working days)"), "days"),
        ("online_share", _("Submitted online"), "percent"),
        ("satisfaction_share", capfirst(Rating.SATISFIED.label), "percent"),
    ]
    return [(attribute, str(heading), kind) for attribute, heading, kind in headings]


def to_xlsx(result: StatisticsResult) -> bytes:
    """The same numbers as the page, as an Excel workbook: a title, a header, a line per
    group, the total; rates as percentages, the header frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    cols = columns(result)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Statistics")[:31]
    book.properties.creator = "Commune OS"

    title = _("Dossier statistics, %(period)s, by %(grouping)s") % {
        "period": _period_text(result),
        "grouping": result.group_label.lower(),
    }
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    scope = [
        _("Unit: %(unit)s") % {"unit": result.unit_name or _("all units you can see")},
        _("Procedure: %(procedure)s") % {"procedure": result.procedure_name or _("all procedures")},
        _("Overdue as of %(moment)s") % {"moment": date_format(timezone.localtime(result.as_of, _zone()), "d/m/Y H:i")},
    ]
    sheet.append(["; ".join(scope)])
    header_row = 3
    sheet.append([heading for _a, heading, _k in cols])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    formats = {"int": "#,##0", "days": "0.00", "percent": "0.0%"}
    for row in [*result.rows, result.total]:
        sheet.append([getattr(row, attribute) for attribute, _h, _k in cols])
        line = sheet.max_row
        label = sheet.cell(row=line, column=1)
        label.data_type = "s"  # a name that starts with "=" stays text, never a formula
        for index, (_a, _h, kind) in enumerate(cols, start=1):
            if kind in formats:
                sheet.cell(row=line, column=index).number_format = formats[kind]
        if row is result.total:
            for cell in sheet[line]:
                cell.font = Font(bold=True)

    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    longest = max([len(row.label) for row in result.rows] + [len(str(cols[0][1])), 12])
    sheet.column_dimensions["A"].width = min(longest + 2, 60)
    for index in range(2, len(cols) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.row_dimensions[header_row].height = 32
    out = BytesIO()
    book.save(out)
    return out.getvalue()
