"""The registers of incoming and outgoing documents as Excel and PDF, with the columns of the
register forms of Decree 30/2020/NĐ-CP, Appendix IV.

`entries` is what `selectors.register(user=…, unit=…, direction=…, year=…)` returns: the
caller's access filter has already run, so a confidential document appears only for someone
granted it, and is then marked Mật, Tối mật or Tuyệt mật in the notes.

A register is an official document: its headings and marks are written in Vietnamese whatever
the reader's interface language, and its dates are Vietnam's (`settings.TIME_ZONE`), d/m/Y.
The "receipt signature" column stays empty: it is signed on paper.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import translation

from communeos.core import registers
from communeos.documents.models import Confidentiality, Direction, Document, Handling, Urgency, type_name
from communeos.units.models import Unit

INCOMING_COLUMNS = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ký nhận",
    "Ghi chú",
)
"""Sổ đăng ký văn bản đến (Decree 30/2020/NĐ-CP, Appendix IV)."""

OUTGOING_COLUMNS = (
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
"""Sổ đăng ký văn bản đi (Decree 30/2020/NĐ-CP, Appendix IV)."""

# Relative widths: Excel characters, and the PDF's shares of the line.
INCOMING_WIDTHS = (14, 8, 24, 26, 14, 50, 22, 12, 22)
OUTGOING_WIDTHS = (26, 15, 48, 18, 30, 18, 9, 15, 12, 20)

URGENCY_VI = {Urgency.URGENT: "Khẩn", Urgency.VERY_URGENT: "Thượng khẩn", Urgency.FLASH: "Hỏa tốc"}
CONFIDENTIALITY_VI = {
    Confidentiality.SECRET: "Mật",
    Confidentiality.TOP_SECRET: "Tối mật",
    Confidentiality.ULTRA_SECRET: "Tuyệt mật",
}

_DIRECTION_VI = {Direction.INCOMING: "đến", Direction.OUTGOING: "đi"}
_DATE = "d/m/Y"
_CHUNK = 500
# The PDF is laid out in the background (core.Export), about 9 ms an entry (17 s for 2,000): a
# longer register is downloaded as Excel.
MAX_PDF_ROWS = 5000


@dataclass(frozen=True)
class Register:
    unit: Unit
    direction: str
    year: int

    @property
    def columns(self) -> tuple[str, ...]:
        return INCOMING_COLUMNS if self.direction == Direction.INCOMING else OUTGOING_COLUMNS

    @property
    def widths(self) -> tuple[int, ...]:
        return INCOMING_WIDTHS if self.direction == Direction.INCOMING else OUTGOING_WIDTHS

    @property
    def title(self) -> str:
        """ "Sổ đăng ký văn bản đến năm 2025" """
        return f"Sổ đăng ký văn bản {_DIRECTION_VI[self.direction]} năm {self.year}"

    @property
    def full_title(self) -> str:
        return f"{self.title} — {self.unit.name}"

    @property
    def filename_stem(self) -> str:
        return f"so-van-ban-{'den' if self.direction == Direction.INCOMING else 'di'}-{self.year}-{self.unit.code}"


def _register(unit: Unit, direction: str, year: int) -> Register:
    if direction not in Direction.values:
        raise ValueError(f"direction must be one of {Direction.values}, not {direction!r}")
    return Register(unit=unit, direction=direction, year=year)


# The rows -----------------------------------------------------------------------------------


def _type_and_summary(document: Document) -> str:
    """ "Quyết định về việc …": the type's Vietnamese name, then the summary. A state document
    without a type is a công văn, unless it is a law-like one with the year in its symbol
    (`76/2025/UBTVQH15`), whose summary names it."""
    if document.doc_type:
        with translation.override("vi"):
            name = type_name(document.doc_type)
    else:
        name = "" if document.normative else "Công văn"
    summary = " ".join(document.summary.split())
    if not name or summary.casefold().startswith(name.casefold()):
        return summary
    joiner = " " if summary[:1].islower() else ": "
    return f"{name}{joiner}{summary}"


def _notes(document: Document) -> str:
    marks = [URGENCY_VI.get(document.urgency, ""), CONFIDENTIALITY_VI.get(document.confidentiality, "")]
    return "; ".join(part for part in [*marks, " ".join(document.note.split())] if part)


def _person(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _receiver(document: Document) -> str:
    """The lead handler of the latest assignment: a person, or a unit."""
    leads = [h for h in document.handlings.all() if h.role == Handling.Role.LEAD]
    if not leads:
        return ""
    lead = max(leads, key=lambda h: h.pk)
    return _person(lead.person) if lead.person_id else lead.unit.name


def _recipients(document: Document) -> str:
    if document.recipients.strip():
        return document.recipients.strip()
    return "; ".join(unit.name for unit in document.recipient_units.all())


def incoming_row(document: Document) -> list:
    return [
        registers.local_day(document.arrived_at),
        document.arrival_number,
        document.author,
        document.symbol,
        document.issued_on,
        _type_and_summary(document),
        _receiver(document),
        "",
        _notes(document),
    ]


def outgoing_row(document: Document, unit: Unit) -> list:
    return [
        document.symbol,
        document.issued_on,
        _type_and_summary(document),
        document.signer,
        _recipients(document),
        document.drafting_unit or unit.name,
        document.copies,
        registers.local_day(document.dispatched_at),
        "",
        _notes(document),
    ]


def _rows(entries: Iterable[Document], register: Register) -> Iterator[list]:
    """The register's rows, read in chunks: a year's register is a few thousand entries."""
    if isinstance(entries, QuerySet):
        if register.direction == Direction.OUTGOING:
            entries = entries.prefetch_related("recipient_units")
        entries = entries.iterator(chunk_size=_CHUNK)
    for document in entries:
        if register.direction == Direction.INCOMING:
            yield incoming_row(document)
        else:
            yield outgoing_row(document, register.unit)


# Excel --------------------------------------------------------------------------------------


def register_xlsx(entries: Iterable[Document], *, unit: Unit, direction: str, year: int) -> bytes:
    """The register as an Excel workbook: its title, the Appendix IV header (frozen, and
    repeated on every printed page), one line per entry; dates as dates (dd/mm/yyyy)."""
    register = _register(unit, direction, year)
    return registers.workbook(
        title=register.full_title,
        subtitle=f"Đơn vị: {unit.name}",
        sheet_name=f"Sổ văn bản {_DIRECTION_VI[direction]} {year}",
        columns=register.columns,
        widths=register.widths,
        rows=_rows(entries, register),
    )


# PDF ----------------------------------------------------------------------------------------


def register_html(entries: Iterable[Document], *, unit: Unit, direction: str, year: int) -> str:
    """The printable register, as the HTML that `register_pdf` lays out."""
    register = _register(unit, direction, year)
    rows = list(_rows(entries, register))
    arrival_numbers = [registers.text(row[1]) for row in rows] if direction == Direction.INCOMING else []
    return registers.html(
        "documents/pdf/register.html",
        register=register,
        unit_name=unit.name,
        columns=register.columns,
        widths=register.widths,
        rows=rows,
        first_number=arrival_numbers[0] if arrival_numbers else "",
        last_number=arrival_numbers[-1] if arrival_numbers else "",
    )


def register_pdf(entries: Iterable[Document], *, unit: Unit, direction: str, year: int) -> bytes:
    """The register as a PDF: A4 landscape, the unit and the title at the top, the header
    row repeated on every page, "Trang n/N" at the bottom."""
    return registers.pdf(register_html(entries, unit=unit, direction=direction, year=year))


def register_pdf_export(export) -> tuple[bytes, int]:
    """The PDF of a register asked for with `services.register_pdf_request` (a `core.Export`):
    the entries that were in it when they asked, as its requester sees them now."""
    from communeos.documents import selectors

    params = export.params
    entries = selectors.register(
        user=export.requested_by, unit=export.unit, direction=params["direction"], year=params["year"]
    ).filter(pk__in=params["ids"])
    rows = entries.count()
    return register_pdf(entries, unit=export.unit, direction=params["direction"], year=params["year"]), rows
