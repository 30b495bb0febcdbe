"""The workflow: each step by its role, supplements stop the clock, transfers keep it,
classification at completion, the queue's order, the apology prompt."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from communeos.conftest import make_office_hours, make_person
from communeos.onestop import selectors, services
from communeos.onestop.models import Event, Status, Timeliness
from communeos.onestop.tests.conftest import at, receive, run_to_approval


def test_a_birth_registration_goes_from_receipt_to_return_on_time(cast, specialist):
    dossier = run_to_approval(cast, specialist, receive(cast))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 8, 14, 0))
    services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 8, 15, 0))
    dossier = services.dossier_return(actor=cast.officer_a, dossier=dossier, rating="satisfied", at=at(2025, 10, 8, 16))
    assert dossier.status == Status.RETURNED
    assert dossier.timeliness == Timeliness.ON_TIME
    assert dossier.processing_days == Decimal("0.250")  # 09:00 → 15:00 is a quarter of a working day
    assert dossier.rating == "satisfied" and dossier.rating_channel == "counter"
    actions = list(dossier.events.values_list("action", "stage", "stage_timeliness"))
    assert actions == [
        ("receive", "", ""),
        ("assign", "receive", "on_time"),
        ("start", "", ""),
        ("submit", "process", "on_time"),
        ("approve", "approve", "on_time"),
        ("result_ready", "", ""),
        ("return", "return", "on_time"),
    ]


def test_a_three_day_procedure_done_the_next_day_is_early(cast, specialist):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))  # Monday → Thursday
    run_to_approval(cast, specialist, dossier, day=(2025, 10, 7))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 7, 14, 0))
    dossier = services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 7, 15, 0))
    assert dossier.due_at == at(2025, 10, 9, 17, 0)
    assert dossier.timeliness == Timeliness.EARLY


def test_a_result_after_the_appointment_is_late(cast, specialist):
    dossier = run_to_approval(cast, specialist, receive(cast))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 9, 9, 0))
    dossier = services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 9, 10, 0))
    assert dossier.timeliness == Timeliness.LATE
    approve = dossier.events.get(action=Event.Action.APPROVE)
    assert approve.stage_timeliness == Timeliness.LATE


def test_each_step_is_done_by_the_role_its_procedure_names(cast, specialist, english):
    dossier = receive(cast)
    with pytest.raises(ValidationError, match="One-stop officer"):
        services.dossier_assign(actor=specialist, dossier=dossier, handler=specialist)
    with pytest.raises(ValidationError):
        services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=cast.chair_a)  # not a specialist
    run_to_approval(cast, specialist, dossier)
    with pytest.raises(ValidationError, match="Commune chair"):
        services.dossier_decide(actor=specialist, dossier=dossier, approve=True)
    with pytest.raises(ValidationError):
        services.dossier_decide(actor=cast.officer_b, dossier=dossier, approve=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_APPROVAL and dossier.decided_by is None


def test_a_second_approval_is_told_who_approved_first(cast, specialist, english):
    vice = make_person("vice.a", cast.commune_a, "commune_vice_chair")
    dossier = run_to_approval(cast, specialist, receive(cast))
    stale = type(dossier).objects.get(pk=dossier.pk)
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 8, 14, 0))
    with pytest.raises(ValidationError, match=r"already approved by Chair\.A"):
        services.dossier_decide(actor=vice, dossier=stale, approve=False, reason="Thiếu giấy tờ")
    stale.refresh_from_db()
    assert stale.status == Status.APPROVED and stale.decided_by == cast.chair_a
    assert stale.events.filter(action__in=["approve", "refuse"]).count() == 1


def test_a_refusal_needs_a_reason_and_is_returned_with_it(cast, specialist):
    dossier = run_to_approval(cast, specialist, receive(cast))
    with pytest.raises(ValidationError):
        services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=False, reason=" ")
    dossier = services.dossier_decide(
        actor=cast.chair_a,
        dossier=dossier,
        approve=False,
        reason="Giấy chứng sinh không hợp lệ",
        at=at(2025, 10, 8, 14),
    )
    assert dossier.status == Status.REFUSED and dossier.timeliness == Timeliness.ON_TIME
    dossier = services.dossier_return(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 8, 15))
    assert dossier.status == Status.RETURNED and dossier.refusal_reason == "Giấy chứng sinh không hợp lệ"


def test_a_request_to_supplement_stops_the_clock(cast, specialist):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))  # due Thu 9 Oct 17:00
    services.dossier_request_supplement(
        actor=cast.officer_a, dossier=dossier, missing=["Tờ khai"], reason="Thiếu chữ ký", at=at(2025, 10, 6, 10, 0)
    )
    # waiting from Monday 10:00 to Wednesday 10:00: two working days
    dossier = services.dossier_supplement(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 8, 10, 0))
    assert dossier.status == Status.RECEIVED
    assert dossier.paused_days == Decimal(2)
    assert dossier.due_at == at(2025, 10, 13, 17, 0)  # Thursday + 2 working days = Monday
    assert dossier.supplement_count == 1
    # The steps share the 38 office hours from Monday 09:00 to Thursday 17:00 (10 % to receive
    # and assign: Monday 12:48), then move by the two days waited: Wednesday 12:48.
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(2025, 10, 8, 11, 0))
    assign = dossier.events.get(action=Event.Action.ASSIGN)
    assert assign.stage_due_at == at(2025, 10, 8, 12, 48) and assign.stage_timeliness == Timeliness.ON_TIME


def test_a_step_deadline_falls_in_office_hours(cast, specialist):
    """Counted in office hours, a step's share never lands in the night to be pulled back."""
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 16, 0))  # due Thu 9 Oct 17:00
    run_to_approval(cast, specialist, dossier, day=(2025, 10, 7))
    dossier = services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 9, 9))
    due = {e.stage: e.stage_due_at for e in dossier.events.exclude(stage="")}
    # 31 office hours: 3.1 to receive (Tuesday 09:06), 18.6 by the proposal (Wednesday 14:36),
    # 27.9 by the approval (Thursday 13:54).
    assert due == {
        "receive": at(2025, 10, 7, 9, 6),
        "process": at(2025, 10, 8, 14, 36),
        "approve": at(2025, 10, 9, 13, 54),
    }


def test_the_provinces_office_hours_set_the_steps_deadlines_and_the_closing(cast, specialist):
    """Lạng Sơn's winter hours, 07:30–11:30 and 13:30–16:30: a step is never due at lunch."""
    lunch = (time(11, 30), time(13, 30))
    make_office_hours(date(2025, 10, 1), time(7, 30), time(16, 30), lunch, province=cast.province)
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 15, 30))
    assert dossier.due_at == at(2025, 10, 9, 16, 30)
    run_to_approval(cast, specialist, dossier, day=(2025, 10, 7))
    dossier = services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 9, 9))
    due = {e.stage: e.stage_due_at for e in dossier.events.exclude(stage="")}
    # 1 + 7 + 7 + 7 = 22 office hours: 2.2 to receive (Tuesday 08:42), 13.2 by the proposal
    # (Wednesday 14:42, after lunch), 19.8 by the approval (Thursday 14:18).
    assert due == {
        "receive": at(2025, 10, 7, 8, 42),
        "process": at(2025, 10, 8, 14, 42),
        "approve": at(2025, 10, 9, 14, 18),
    }


def test_after_a_wait_the_appointment_and_the_steps_keep_to_the_new_days_hours(cast, specialist):
    """Moved by the days waited, a deadline lands on a day whose hours may differ: the
    appointment goes to that day's closing, a step never into its lunch break."""

    def hours(day, lunch, closes):
        make_office_hours(day, time(7, 30), closes, lunch, province=cast.province)

    hours(date(2025, 10, 1), (time(11, 30), time(13, 30)), time(17))
    hours(date(2025, 10, 8), (time(12), time(14)), time(17))
    hours(date(2025, 10, 10), (time(12), time(14)), time(16, 30))
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))
    assert dossier.due_at == at(2025, 10, 9, 17, 0)
    services.dossier_request_supplement(
        actor=cast.officer_a, dossier=dossier, missing=["Tờ khai"], reason="Thiếu chữ ký", at=at(2025, 10, 6, 10, 0)
    )
    dossier = services.dossier_supplement(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 8, 10, 0))
    # Thursday + 2 working days = Monday 13 October, whose office closes at 16:30.
    assert dossier.due_at == at(2025, 10, 13, 16, 30)
    # Receiving's share, 2.85 of the 28.5 office hours, ends Monday 13:51; two days later is
    # Wednesday 13:51, inside that day's break (12:00–14:00): due at its start.
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(2025, 10, 8, 11, 0))
    assign = dossier.events.get(action=Event.Action.ASSIGN)
    assert assign.stage_due_at == at(2025, 10, 8, 12, 0)


def test_a_second_request_to_supplement_makes_the_dossier_late(cast, specialist):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))
    for day in (6, 7):
        services.dossier_request_supplement(
            actor=cast.officer_a, dossier=dossier, missing=["Tờ khai"], reason="Sai", at=at(2025, 10, day, 10)
        )
        dossier = services.dossier_supplement(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, day, 11))
    run_to_approval(cast, specialist, dossier, day=(2025, 10, 7))
    services.dossier_decide(actor=cast.chair_a, dossier=dossier, approve=True, at=at(2025, 10, 7, 14))
    dossier = services.dossier_result_ready(actor=cast.officer_a, dossier=dossier, at=at(2025, 10, 7, 15))
    assert dossier.completed_at < dossier.due_at
    assert dossier.timeliness == Timeliness.LATE


def test_a_transfer_to_the_province_keeps_one_clock(cast, specialist):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))
    due = dossier.due_at
    services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=specialist, at=at(2025, 10, 6, 9, 30))
    services.dossier_start(actor=specialist, dossier=dossier, at=at(2025, 10, 6, 10))
    services.dossier_transfer(
        actor=specialist, dossier=dossier, to_unit=cast.province, note="Xác minh tại Sở Tư pháp", at=at(2025, 10, 6, 11)
    )
    dossier.refresh_from_db()
    assert dossier.holder_unit == cast.province and dossier.due_at == due
    # the province sees it in its queue; the commune can no longer submit it
    assert dossier in selectors.dossier_queue(user=cast.provincial, unit=cast.province)
    with pytest.raises(ValidationError):
        services.dossier_submit(actor=specialist, dossier=dossier)
    with pytest.raises(ValidationError):
        services.dossier_transfer_back(actor=specialist, dossier=dossier, note="x")  # not staff of the province
    services.dossier_transfer_back(actor=cast.provincial, dossier=dossier, note="Đã xác minh", at=at(2025, 10, 8, 9))
    dossier.refresh_from_db()
    assert dossier.holder_unit == cast.commune_a and dossier.due_at == due
    assert list(
        dossier.events.filter(action__in=["transfer", "transfer_back"]).values_list("from_unit", "to_unit")
    ) == [
        (cast.commune_a.pk, cast.province.pk),
        (cast.province.pk, cast.commune_a.pk),
    ]


def test_a_transfer_outside_the_province_is_refused(cast, specialist):
    dossier = receive(cast)
    outside = cast.outsider.assignments.get().unit
    with pytest.raises(ValidationError):
        services.dossier_transfer(actor=cast.officer_a, dossier=dossier, to_unit=outside, note="x")


def test_the_queue_puts_overdue_first_then_due_today(cast, specialist):
    now = at(2025, 10, 9, 10, 0)  # Thursday
    overdue = receive(cast, when=at(2025, 10, 8, 9, 0))  # due yesterday 17:00
    later = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 9, 8, 0))  # due Tuesday
    today = receive(cast, when=at(2025, 10, 9, 9, 0))  # due today 17:00
    queue = list(selectors.dossier_queue(user=cast.officer_a, unit=cast.commune_a, now=now))
    assert queue == [overdue, today, later]
    assert list(selectors.dossier_queue(user=specialist, unit=cast.commune_a, now=now)) == []


def test_a_dossier_about_to_go_late_prompts_the_apology_slip(cast, specialist):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))  # due Thu 17:00
    assert not services.needs_apology(dossier, now=at(2025, 10, 7, 9, 0))
    assert services.needs_apology(dossier, now=at(2025, 10, 9, 9, 0))
    with pytest.raises(ValidationError):  # the new date must be after the appointment
        services.dossier_apologise(
            actor=cast.officer_a, dossier=dossier, new_due_at=at(2025, 10, 8, 17), reason="x", at=at(2025, 10, 9, 9)
        )
    with pytest.raises(ValidationError):  # and a working day
        services.dossier_apologise(
            actor=cast.officer_a, dossier=dossier, new_due_at=at(2025, 10, 11, 17), reason="x", at=at(2025, 10, 9, 9)
        )
    services.dossier_apologise(
        actor=cast.officer_a,
        dossier=dossier,
        new_due_at=at(2025, 10, 13, 17),
        reason="Chờ kết quả xác minh",
        at=at(2025, 10, 9, 9),
    )
    dossier.refresh_from_db()
    assert dossier.appointment_at == at(2025, 10, 13, 17)
    assert not services.needs_apology(dossier, now=at(2025, 10, 9, 9, 0) + timedelta(hours=1))


def test_stopping_a_dossier_needs_a_reason(cast):
    dossier = receive(cast)
    with pytest.raises(ValidationError):
        services.dossier_stop(actor=cast.officer_a, dossier=dossier, reason="")
    dossier = services.dossier_stop(actor=cast.officer_a, dossier=dossier, reason="Công dân rút hồ sơ")
    assert dossier.status == Status.STOPPED
    with pytest.raises(ValidationError):
        services.dossier_assign(actor=cast.officer_a, dossier=dossier, handler=cast.officer_a)


def test_every_step_is_in_the_audit_trail(cast, specialist):
    from communeos.core.models import AuditEntry

    dossier = run_to_approval(cast, specialist, receive(cast))
    actions = list(
        AuditEntry.objects.filter(object_id=str(dossier.pk), object_type="onestop.dossier")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["dossier.receive", "dossier.assign", "dossier.start", "dossier.submit"]


def test_the_receiving_commune_apologises_and_stops_while_the_dossier_is_away(cast, specialist):
    dossier = receive(cast, code="marital-status-confirmation", when=at(2025, 10, 6, 9, 0))
    services.dossier_transfer(
        actor=cast.officer_a, dossier=dossier, to_unit=cast.province, note="Xác minh", at=at(2025, 10, 6, 10)
    )
    services.dossier_apologise(
        actor=cast.officer_a, dossier=dossier, new_due_at=at(2025, 10, 14, 17), reason="Chờ Sở", at=at(2025, 10, 9, 9)
    )
    stopped = services.dossier_stop(actor=cast.chair_a, dossier=dossier, reason="Công dân rút hồ sơ")
    assert stopped.status == Status.STOPPED
