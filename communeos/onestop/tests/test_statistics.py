"""Statistics: counts per unit and per procedure over a period, the page with its chart and
table, the Excel export, and what each person may count.

The world: a week of October 2025 (no holiday) in commune A, birth registrations (due the
same day, or the next working day when received after 15:00) and one death registration,
plus one dossier in commune B. "Now" is Friday 10 October 2025, 12:00.
"""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from communeos.conftest import make_person
from communeos.onestop import services
from communeos.onestop.models import Channel, Dossier, Procedure, Rating, Timeliness
from communeos.onestop.services import Upload
from communeos.onestop.statistics import (
    BY_PROCEDURE,
    StatisticsForm,
    StatisticsResult,
    StatisticsRow,
    chart_svg,
    dossier_statistics,
    to_xlsx,
)
from communeos.onestop.tests.test_intake import pdf_bytes

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 10, 10, 12, 0, tzinfo=HCM)
OCTOBER = {"start": date(2025, 10, 1), "end": date(2025, 10, 31)}


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=HCM)


def receive(cast, when, *, code="birth-registration", unit=None, officer=None, online=False) -> Dossier:
    procedure = Procedure.objects.get(code=code)
    papers = list(
        services.version_in_force(procedure, when.date()).papers.filter(required=True).values_list("pk", flat=True)
    )
    return services.dossier_receive(
        actor=None if online else (officer or cast.officer_a),
        unit=unit or cast.commune_a,
        procedure=procedure,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="020190012345",
        applicant_phone="0912345678",
        applicant_address="Thôn Bản Chu, xã Lộc Bình",
        channel=Channel.ONLINE if online else Channel.COUNTER,
        consent=online,
        papers_provided=[] if online else papers,
        uploads=[Upload(paper, SimpleUploadedFile(f"{paper}.pdf", pdf_bytes())) for paper in papers] if online else [],
        at=when,
    )


def process(cast, specialist, dossier, *, start, done, approve=True, rating="") -> Dossier:
    """Assign, examine, decide at `start` + a few minutes; the result is ready (or the refusal
    decided) at `done`; returned with `rating` when one is given."""
    step = start.replace(minute=start.minute + 5)
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=step)
    services.dossier_start(actor=specialist, dossier=dossier, at=step)
    services.dossier_submit(
        actor=specialist, dossier=dossier, approve=approve, reason="" if approve else "Sai giấy tờ", at=step
    )
    if approve:
        services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=step)
        dossier = services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=done)
    else:
        dossier = services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=False, at=done)
    if rating:
        dossier = services.dossier_return(actor=cast.officer_a, dossier=dossier, rating=rating, at=done)
    return dossier


@pytest.fixture
def world(cast):
    specialist = make_person("specialist.a", cast.commune_a, "specialist")
    # Monday 6 October: on time (2 hours), early (received after 15:00, done the same day),
    # late (due Monday 17:00, done Tuesday 10:30).
    on_time = process(
        cast, specialist, receive(cast, at(6, 9)), start=at(6, 9), done=at(6, 11), rating=Rating.SATISFIED
    )
    early = process(
        cast, specialist, receive(cast, at(6, 16)), start=at(6, 16), done=at(6, 16, 30), rating=Rating.DISSATISFIED
    )
    late = process(cast, specialist, receive(cast, at(6, 9, 30)), start=at(6, 9, 30), done=at(7, 10, 30))
    # Tuesday: an online submission, refused after one hour (on time).
    refused = process(
        cast, specialist, receive(cast, at(7, 9), online=True), start=at(7, 9), done=at(7, 10), approve=False
    )
    # Wednesday: one left assigned past its appointment (overdue), one waiting for papers (not overdue).
    overdue = receive(cast, at(8, 9))
    services.dossier_assign(actor=cast.officer_a, dossier=overdue, handler=specialist, at=at(8, 9, 10))
    waiting = receive(cast, at(8, 9, 30))
    services.dossier_request_supplement(
        actor=cast.officer_a, dossier=waiting, missing=["Giấy chứng sinh"], reason="Bản chụp mờ", at=at(8, 10)
    )
    # Thursday: a stopped one, and a death registration left at reception (overdue).
    stopped = receive(cast, at(9, 9))
    services.dossier_stop(actor=cast.officer_a, dossier=stopped, reason="Công dân rút hồ sơ", at=at(9, 10))
    receive(cast, at(9, 10), code="death-registration")
    # Friday: an online one, due at 17:00, still in time at noon.
    receive(cast, at(10, 9), online=True)
    # Outside the period, and in commune B.
    receive(cast, at(30, 9, month=9))
    receive(cast, at(8, 9), unit=cast.commune_b, officer=cast.officer_b)
    assert [d.timeliness for d in (on_time, early, late, refused)] == [
        Timeliness.ON_TIME,
        Timeliness.EARLY,
        Timeliness.LATE,
        Timeliness.ON_TIME,
    ]


def row_numbers(row: StatisticsRow) -> dict:
    return row.as_dict() | {"key": None, "label": None}


COMMUNE_A = {
    "code": "06529",
    "received": 9,
    "resolved": 4,
    "early": 1,
    "on_time": 2,
    "late": 1,
    "in_progress": 4,
    "overdue": 2,
    "stopped": 1,
    "online": 2,
    "rated": 2,
    "satisfied": 1,
    "on_time_rate": 0.75,
    # 2 h, 30 min, 25 h of working time (Monday 09:30 to Tuesday 10:30), 1 h: in days of 24 h.
    "average_days": 0.297,
    "online_share": 0.222,
    "satisfaction_share": 0.5,
}


def test_it_counts_received_resolved_in_progress_and_overdue_per_unit(cast, world):
    result = dossier_statistics(user=cast.officer_a, now=NOW, **OCTOBER)
    assert [row.label for row in result.rows] == ["Xã Lộc Bình"]
    assert row_numbers(result.rows[0]) == {"key": None, "label": None} | COMMUNE_A
    assert result.rows[0].key == cast.commune_a.pk
    assert row_numbers(result.total) == row_numbers(result.rows[0]) | {"code": ""}
    total = result.total
    assert total.early + total.on_time + total.late == total.resolved
    assert total.resolved + total.in_progress + total.stopped == total.received


def test_it_counts_the_dossiers_received_in_the_period_in_local_days(cast):
    # 23:30 on 30 September in Hà Nội is 16:30 UTC: still September. 00:30 on 1 October is
    # 17:30 UTC on 30 September: already October.
    for when in (at(30, 23, 30, month=9), at(1, 0, 30), at(1, 23, 30), at(2, 0, 30)):
        receive(cast, when)
    result = dossier_statistics(user=cast.officer_a, start=date(2025, 10, 1), end=date(2025, 10, 1), now=NOW)
    assert result.total.received == 2


def test_it_groups_by_procedure(cast, world, english):
    result = dossier_statistics(user=cast.officer_a, group_by=BY_PROCEDURE, now=NOW, **OCTOBER)
    assert [row.label for row in result.rows] == ["Birth registration", "Death registration"]
    birth, death = result.rows
    assert (birth.received, birth.resolved, birth.in_progress, birth.overdue, birth.stopped) == (8, 4, 3, 1, 1)
    assert (death.received, death.resolved, death.in_progress, death.overdue) == (1, 0, 1, 1)
    assert death.on_time_rate is None and death.average_days is None and death.as_dict()["average_days"] is None
    assert birth.code == "birth-registration" and birth.key == Procedure.objects.get(code="birth-registration").pk
    assert result.total.received == 9 and result.total.average_days == 0.297


def test_it_narrows_to_one_procedure_and_one_unit(cast, world):
    by_code = dossier_statistics(user=cast.officer_a, procedure="death-registration", now=NOW, **OCTOBER)
    assert by_code.total.received == 1 and by_code.procedure_name == "Đăng ký khai tử"
    provincial = dossier_statistics(user=cast.provincial, unit=cast.commune_b, now=NOW, **OCTOBER)
    assert [(row.label, row.received, row.in_progress) for row in provincial.rows] == [("Xã Khuất Xá", 1, 1)]
    whole = dossier_statistics(user=cast.provincial, unit=cast.province, now=NOW, **OCTOBER)
    assert [row.code for row in whole.rows] == ["06529", "06565"] and whole.total.received == 10


def test_the_province_sees_every_commune_and_commune_b_sees_only_its_own(cast, world):
    province = dossier_statistics(user=cast.provincial, now=NOW, **OCTOBER)
    assert [row.label for row in province.rows] == ["Xã Lộc Bình", "Xã Khuất Xá"]
    assert province.total.received == 10 and province.total.overdue == 3

    own = dossier_statistics(user=cast.officer_b, now=NOW, **OCTOBER)
    assert [(row.label, row.received) for row in own.rows] == [("Xã Khuất Xá", 1)]
    asked_for_a = dossier_statistics(user=cast.officer_b, unit=cast.commune_a, now=NOW, **OCTOBER)
    assert asked_for_a.rows == [] and asked_for_a.total.received == 0
    assert asked_for_a.total.on_time_rate is None and asked_for_a.total.average_days is None
    outsider = dossier_statistics(user=cast.outsider, now=NOW, **OCTOBER)
    assert outsider.rows == []


def test_the_form_offers_only_visible_units_and_falls_back_to_defaults(cast, world):
    form = StatisticsForm(None, user=cast.officer_b)
    assert list(form.fields["unit"].queryset) == [cast.commune_b]
    province_choices = list(StatisticsForm(None, user=cast.provincial).fields["unit"].queryset)
    assert province_choices[0] == cast.province and {cast.commune_a, cast.commune_b} < set(province_choices)
    assert len(province_choices) == 66  # Lạng Sơn and its 65 communes, none of the old ones
    defaults = form.filters()
    today = timezone.localdate()
    assert defaults == {
        "start": date(today.year, 1, 1),
        "end": today,
        "unit": None,
        "procedure": "",
        "group_by": "unit",
    }

    # Commune A is not B's to choose: the form refuses it and counts B's numbers only.
    form = StatisticsForm({"start": "2025-10-01", "end": "2025-10-31", "unit": cast.commune_a.pk}, user=cast.officer_b)
    assert not form.is_valid() and "unit" in form.errors
    assert form.filters() == {**OCTOBER, "unit": None, "procedure": "", "group_by": "unit"}

    reversed_ = StatisticsForm(
        {"start": "2025-10-31", "end": "2025-10-01", "group_by": "nonsense"}, user=cast.officer_a
    )
    assert not reversed_.is_valid()
    assert reversed_.filters() == defaults

    chosen = StatisticsForm(
        {**{k: v.isoformat() for k, v in OCTOBER.items()}, "procedure": "death-registration", "group_by": "procedure"},
        user=cast.officer_a,
    )
    assert chosen.is_valid(), chosen.errors
    assert chosen.filters() == {**OCTOBER, "unit": None, "procedure": "death-registration", "group_by": "procedure"}


def test_the_numbers_take_a_fixed_number_of_queries(cast, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the user's assignments, the aggregate, the procedure's name
        result = dossier_statistics(user=cast.provincial, procedure="birth-registration", now=NOW, **OCTOBER)
    assert result.total.received == 9  # 8 in A, 1 in B
    with django_assert_max_num_queries(1):  # the assignments are cached on the user
        dossier_statistics(user=cast.provincial, group_by=BY_PROCEDURE, now=NOW, **OCTOBER)


def test_the_result_is_plain_json(cast, world):
    data = dossier_statistics(user=cast.officer_a, now=NOW, **OCTOBER).as_dict()
    assert data["start"] == "2025-10-01" and data["end"] == "2025-10-31" and data["group_by"] == "unit"
    assert data["total"]["on_time_rate"] == 0.75 and data["rows"][0]["online_share"] == 0.222
    assert data["as_of"] == NOW.isoformat()


def test_the_chart_is_an_accessible_svg_with_escaped_labels():
    row = StatisticsRow(
        key=1, code="x", label="<b>Xã & Co</b>", received=5, resolved=3, early=1, on_time=1, late=1, in_progress=2
    )
    result = StatisticsResult(
        start=date(2025, 10, 1), end=date(2025, 10, 31), group_by="unit", rows=[row], total=row, as_of=NOW
    )
    svg = chart_svg(result)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "<b>" not in svg and "&lt;b&gt;Xã &amp; Co&lt;/b&gt;" in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count("<rect") == 4 + 4 + 1  # legend swatches, four segments, the hatch pattern
    assert (
        chart_svg(
            StatisticsResult(
                start=date(2025, 10, 1), end=date(2025, 10, 1), group_by="unit", rows=[], total=row, as_of=NOW
            )
        )
        == ""
    )


def test_the_page_shows_the_filters_the_chart_and_the_table(client, cast, world, english):
    client.force_login(cast.officer_a)
    response = client.get(
        "/onestop/statistics/", {"start": "2025-10-01", "end": "2025-10-31"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["result"].total.received == 9
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="stat-chart" role="img"' in page
    assert '<th scope="row">Xã Lộc Bình</th>' in page and '<th scope="col" class="num">On-time rate</th>' in page
    assert "75.0 %" in page and "0.30" in page and "22.2 %" in page
    assert 'href="/onestop/statistics.xlsx?start=2025-10-01&amp;end=2025-10-31"' in page
    assert "Xã Khuất Xá" not in page.split('<table class="stat-table">')[1]


def test_commune_b_sees_nothing_of_commune_a_on_the_page(client, cast, world):
    client.force_login(cast.officer_b)
    october = {"start": "2025-10-01", "end": "2025-10-31"}
    response = client.get("/onestop/statistics/", october)
    assert response.context["result"].total.received == 1
    assert "Xã Khuất Xá" in response.content.decode() and "Lộc Bình" not in response.content.decode()
    # Asking for commune A by its id: the choice is refused, and the numbers stay B's.
    response = client.get("/onestop/statistics/", october | {"unit": cast.commune_a.pk})
    assert "unit" in response.context["form"].errors and response.context["result"].total.received == 1
    assert "Lộc Bình" not in response.content.decode()
    export = load_workbook(BytesIO(client.get("/onestop/statistics.xlsx", october).content)).active
    assert [line[:2] for line in export.iter_rows(min_row=4, values_only=True)] == [("Xã Khuất Xá", 1), (_("Total"), 1)]


def test_the_page_without_filters_counts_this_year_and_may_have_nothing_to_show(client, cast, world):
    client.force_login(cast.officer_b)
    response = client.get("/onestop/statistics/")
    page = response.content.decode()
    assert response.status_code == 200 and response.context["result"].start == date(timezone.localdate().year, 1, 1)
    assert f'value="{timezone.localdate().year}-01-01"' in page and 'type="date"' in page
    assert "<svg" not in page and 'class="stat-table"' not in page


def test_the_excel_export_holds_the_same_numbers(client, cast, world):
    client.force_login(cast.provincial)
    response = client.get("/onestop/statistics.xlsx", {"start": "2025-10-01", "end": "2025-10-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(response.content)).active
    assert "01/10/2025 – 31/10/2025" in sheet["A1"].value
    assert sheet.freeze_panes == "B4"
    lines = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [line[0] for line in lines] == ["Xã Lộc Bình", "Xã Khuất Xá", str(_("Total"))]
    # label, received, resolved, early, on time, late, on-time rate, in progress, overdue (as of
    # today: all but the one waiting for papers), stopped, average days, online, satisfied
    assert lines[0] == ("Xã Lộc Bình", 9, 4, 1, 2, 1, 0.75, 4, 3, 1, 0.297, 2 / 9, 0.5)
    assert lines[1] == ("Xã Khuất Xá", 1, 0, 0, 0, 0, None, 1, 1, 0, None, 0, None)
    assert lines[2][1:3] == (10, 4) and lines[2][8] == 4 and lines[2][6] == 0.75
    assert sheet.cell(row=4, column=7).number_format == "0.0%"
    assert sheet.cell(row=4, column=11).number_format == "0.00"


def test_a_label_that_looks_like_a_formula_stays_text(cast):
    row = StatisticsRow(key=1, code="x", label='=HYPERLINK("http://evil")', received=1)
    result = StatisticsResult(
        start=date(2025, 1, 1), end=date(2025, 1, 2), group_by="unit", rows=[row], total=row, as_of=NOW
    )
    sheet = load_workbook(BytesIO(to_xlsx(result))).active
    assert sheet["A4"].data_type == "s" and sheet["A4"].value.startswith("=HYPERLINK")
