"""The one-stop shop's dossier register (sổ theo dõi hồ sơ) of a receiving unit over a period,
as Excel and PDF: one line per dossier received, with the columns of the register form of
Circular 01/2018/TT-VPCP (Mẫu số 06; its layout here follows secondary sources, to be checked
against the official annex).

`dossiers` is what `selectors.dossier_register(user=…, unit=…, start=…, end=…)` returns: the
caller's access filter has run. The register names each applicant with address and phone:
its export is a view of personal data, audited by `services.dossier_register_export`.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from communeos.core import registers
from communeos.onestop.models import Channel, Dossier, Status, Timeliness
from communeos.units.models import Unit

COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Có kết quả giải quyết",
    "Trả kết quả",
    "Ký nhận",
    "Ghi chú",
)
# Excel characters, and the PDF's shares of the line: at 7 pt a date (dd/mm/yyyy) and a code
# fit on one line of their columns.
WIDTHS = (5, 19, 26, 7, 18, 24, 15, 11, 11, 11, 11, 11, 7, 12)
ONE_LINE_COLUMNS = (1, 7, 8, 9, 10, 11)  # the code and the dates, never broken

# The PDF is laid out in the background (core.Export), about 9 ms a line: a year of a busy
# commune is two or three thousand lines. A longer register is exported as Excel.
MAX_PDF_ROWS = 5000

TIMELINESS_VI = {Timeliness.EARLY: "Trước hạn", Timeliness.ON_TIME: "Đúng hạn", Timeliness.LATE: "Trễ hạn"}
STATUS_VI = {
    Status.SUPPLEMENT: "Chờ bổ sung",
    Status.REFUSED: "Từ chối",
    Status.STOPPED: "Dừng xử lý",
}


@dataclass(frozen=True)
class DossierRegister:
    unit: Unit
    start: date
    end: date

    @property
    def title(self) -> str:
        return "Sổ theo dõi hồ sơ"

    @property
    def period(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    @property
    def full_title(self) -> str:
        return f"{self.title} — {self.unit.name} — {self.period}"

    @property
    def filename_stem(self) -> str:
        return f"so-theo-doi-ho-so-{self.unit.code}-{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def _notes(dossier: Dossier) -> str:
    notes = [
        TIMELINESS_VI.get(dossier.timeliness, ""),
        STATUS_VI.get(dossier.status, ""),
        "Trực tuyến" if dossier.channel == Channel.ONLINE else "",
        f"Yêu cầu bổ sung: {dossier.supplement_count} lần" if dossier.supplement_count else "",
        f"Hẹn lại: {registers.local_day(dossier.promised_at):%d/%m/%Y}" if dossier.promised_at else "",
    ]
    return "; ".join(note for note in notes if note)


def row(number: int, dossier: Dossier) -> list:
    """One line of the register; `dossier` carries `transferred_at` (`selectors.dossier_register`)."""
    contact = ", ".join(part for part in (dossier.applicant_address, dossier.applicant_phone) if part)
    return [
        number,
        dossier.code,
        dossier.procedure_version.procedure.name_vi,
        1,
        dossier.applicant_name,
        contact,
        dossier.holder_unit.name,
        registers.local_day(dossier.received_at),
        registers.local_day(dossier.promised_at or dossier.due_at),
        registers.local_day(dossier.transferred_at),
        registers.local_day(dossier.completed_at),
        registers.local_day(dossier.returned_at),
        "",
        _notes(dossier),
    ]


def rows(dossiers: Iterable[Dossier]) -> Iterator[list]:
    """The register's lines, read in chunks when given a query."""
    if isinstance(dossiers, QuerySet):
        dossiers = dossiers.iterator(chunk_size=500)
    for number, dossier in enumerate(dossiers, start=1):
        yield row(number, dossier)


def register_xlsx(dossiers: Iterable[Dossier], *, unit: Unit, start: date, end: date) -> bytes:
    register = DossierRegister(unit, start, end)
    return registers.workbook(
        title=f"{register.title} — {unit.name}",
        subtitle=register.period,
        sheet_name="Sổ theo dõi hồ sơ",
        columns=COLUMNS,
        widths=WIDTHS,
        rows=rows(dossiers),
    )


def register_html(dossiers: Iterable[Dossier], *, unit: Unit, start: date, end: date) -> str:
    return registers.html(
        "onestop/pdf/register.html",
        register=DossierRegister(unit, start, end),
        unit_name=unit.name,
        columns=COLUMNS,
        widths=WIDTHS,
        rows=rows(dossiers),
        one_line_columns=[index + 1 for index in ONE_LINE_COLUMNS],
    )


def register_pdf(dossiers: Iterable[Dossier], *, unit: Unit, start: date, end: date) -> bytes:
    """A4 landscape, the unit and the period at the top, the header row on every page."""
    return registers.pdf(register_html(dossiers, unit=unit, start=start, end=end))


def register_pdf_export(export) -> tuple[bytes, int]:
    """The PDF of a register asked for with `services.dossier_register_pdf_request` (a
    `core.Export`): the dossiers that were in it when they asked, as its requester sees them now."""
    from communeos.onestop import selectors

    start, end = date.fromisoformat(export.params["start"]), date.fromisoformat(export.params["end"])
    dossiers = selectors.dossier_register(user=export.requested_by, unit=export.unit, start=start, end=end).filter(
        pk__in=export.params["ids"]
    )
    rows = dossiers.count()
    return register_pdf(dossiers, unit=export.unit, start=start, end=end), rows
