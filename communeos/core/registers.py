"""What the official registers have in common (the document registers of Decree 30/2020, the
one-stop shop's dossier register): an Excel workbook laid out for printing, and a PDF made by
WeasyPrint from the register's HTML.

A register is an official document: its headings are Vietnamese whatever the reader's
interface language, and its dates are Vietnam's, d/m/Y.
"""

import gc
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from io import BytesIO

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def workbook(*, title: str, subtitle: str, sheet_name: str, columns: Sequence[str], widths: Sequence[int],
             rows: Iterable[list]) -> bytes:  # fmt: skip
    """A workbook of one sheet: the title, a subtitle, the header (frozen, and repeated on
    every printed page: A4 landscape, one page wide), one line per row; dates as dates
    (dd/mm/yyyy); text that starts with "=" stays text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    book.properties.creator = "Commune OS"
    book.properties.title = title
    sheet = book.create_sheet(sheet_name[:31])  # Excel's limit
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    def cell(value, **style):
        made = WriteOnlyCell(sheet, value)
        if isinstance(value, str) and value.startswith("="):
            made.data_type = "s"  # text from a register is never a formula
        for name, setting in style.items():
            setattr(made, name, setting)
        return made

    sheet.append([cell(title, font=Font(bold=True, size=14))])
    sheet.append([cell(subtitle, font=Font(italic=True))])
    header = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([cell(heading, font=header, alignment=centred) for heading in columns])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(
            [
                cell(value, alignment=wrap, number_format="DD/MM/YYYY")
                if isinstance(value, date)
                else cell(value, alignment=wrap)
                for value in row
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def local_day(moment: datetime | None) -> date | None:
    """The day of `moment` in Vietnam (`settings.TIME_ZONE`), as a register prints it."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date() if moment else None


def attachment(content: bytes, fmt: str, filename: str) -> HttpResponse:
    """A register's file, to be downloaded (`fmt`: xlsx or pdf)."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def text(value) -> str:
    """A cell of the printed register: dates d/m/Y, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def css_string(value: str) -> str:
    """`value` as a quoted CSS string, safe inside <style> (quotes, backslashes, angle brackets
    and ampersands escaped by code point)."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\<>&\n' else c for c in value) + '"'


@contextmanager
def collector_paused():
    """WeasyPrint lays a long table out as millions of small objects, and the cyclic garbage
    collector keeps walking them: a register of 2,000 entries took 24–30 s with it and 17–19 s
    without, on a two-core machine. The collector is paused while the PDF is made; the cycles
    left are collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def html(template: str, *, register, unit_name: str, columns: Sequence[str], widths: Sequence[int],
         rows: Iterable[list], **context) -> str:  # fmt: skip
    """A register's printable HTML, from a template extending `registers/pdf/base.html`: in
    Vietnamese, each cell as text (`text`), each column's share of the line from its width,
    `register.full_title` at the top of every page; `context` adds the template's own."""
    lines = [[text(value) for value in row] for row in rows]
    total = sum(widths)
    with translation.override("vi"):
        return render_to_string(
            template,
            {
                "register": register,
                "unit_name_upper": unit_name.upper(),
                "running_title": mark_safe(css_string(register.full_title)),  # noqa: S308 - escaped by css_string
                "columns": [
                    (heading, f"{100 * width / total:.2f}") for heading, width in zip(columns, widths, strict=True)
                ],
                "rows": lines,
                "printed_on": f"{timezone.localdate():%d/%m/%Y}",
                **context,
            },
        )


def pdf(html: str) -> bytes:
    """The register's HTML laid out as a PDF."""
    # Imported here: WeasyPrint takes a second to import, and most processes never print.
    from weasyprint import HTML

    with collector_paused():
        return HTML(string=html, base_url=None).write_pdf()
