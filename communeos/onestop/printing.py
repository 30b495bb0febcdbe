"""The printable one-stop forms, as PDF.

The layouts follow the forms of Annex I to Circular 03/2025/TT-VPCP, which guides Decree
118/2025/NĐ-CP on the one-stop shop (and keeps the shape of the earlier Circular
01/2018/TT-VPCP forms): the issuing unit top left, the national motto top right with the
place and date line, the form's title and the dossier code, the body, the signature blocks.

They are official Vietnamese documents whatever the reader's interface language, so their
text is written in Vietnamese in the templates (`templates/onestop/pdf/`) and is not
translated; only the titles in `FORMS`, shown in the interface, are translatable. Dates are
printed in Vietnam's time (`settings.TIME_ZONE`), as `d/m/Y` and `H:i`.

The fonts are the system's DejaVu Serif, found through fontconfig: nothing is fetched.
"""

from datetime import datetime

import segno
from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from communeos.onestop.models import Channel, Dossier, Event, Timeliness
from communeos.people.models import Assignment

FORMS = {
    "receipt": _("Receipt and appointment slip"),
    "tracking": _("Dossier tracking form"),
    "supplement": _("Request to supplement the dossier"),
    "refusal": _("Refusal of the dossier"),
    "apology": _("Apology and new appointment"),
    "stop": _("Notice of stopping"),
}
"""The forms, in the order the interface lists them: slug → title."""

ACTIONS_VI = {
    Event.Action.RECEIVE: "Tiếp nhận hồ sơ",
    Event.Action.ASSIGN: "Phân công xử lý",
    Event.Action.START: "Bắt đầu thẩm định",
    Event.Action.SUBMIT: "Trình phê duyệt",
    Event.Action.APPROVE: "Phê duyệt",
    Event.Action.REFUSE: "Từ chối giải quyết",
    Event.Action.RESULT_READY: "Có kết quả",
    Event.Action.RETURN: "Trả kết quả",
    Event.Action.SUPPLEMENT_REQUEST: "Yêu cầu bổ sung hồ sơ",
    Event.Action.SUPPLEMENT: "Bổ sung hồ sơ",
    Event.Action.TRANSFER: "Chuyển cơ quan phối hợp",
    Event.Action.TRANSFER_BACK: "Chuyển trả lại",
    Event.Action.APOLOGY: "Xin lỗi, hẹn lại ngày trả kết quả",
    Event.Action.STOP: "Dừng giải quyết hồ sơ",
    Event.Action.RATE: "Đánh giá mức độ hài lòng",
}

TIMELINESS_VI = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}

# Who gives and who receives the dossier at each kind of hand-off, when it is not simply
# "the actor hands it to whoever acts next".
_FROM_CITIZEN = {Event.Action.RECEIVE, Event.Action.SUPPLEMENT, Event.Action.RATE}
_TO_CITIZEN = {Event.Action.RETURN, Event.Action.SUPPLEMENT_REQUEST, Event.Action.APOLOGY, Event.Action.STOP}
_NO_HAND_OFF = {Event.Action.START}


def form_available(dossier: Dossier, slug: str) -> bool:
    """Whether the form can be printed for this dossier now."""
    if slug in ("receipt", "tracking"):
        return True
    if slug == "supplement":
        return dossier.supplement_requests.exists()
    if slug == "refusal":
        # Not `refusal_reason` alone: a proposal to refuse leaves it set when the chair approves.
        return dossier.events.filter(action=Event.Action.REFUSE).exists()
    if slug == "apology":
        return dossier.apologies.exists()
    if slug == "stop":
        return dossier.stopped_at is not None
    return False


def render_pdf(dossier: Dossier, slug: str) -> bytes:
    """The form as a PDF; 404 for a form that does not exist or does not apply to the dossier.

    The dossier is read again, with what every form prints, so that a form never shows an
    instance the services have since changed (they act on their own locked copy)."""
    if slug not in FORMS:
        raise Http404("No such form.")
    dossier = Dossier.objects.select_related("unit", "procedure_version__procedure", "received_by", "decided_by").get(
        pk=dossier.pk
    )
    if not form_available(dossier, slug):
        raise Http404("This form does not apply to the dossier.")
    with translation.override("vi"), timezone.override(timezone.get_default_timezone()):
        context = _CONTEXTS[slug](dossier)
        html = render_to_string(f"onestop/pdf/{slug}.html", _common(dossier) | context)
    # Imported here: WeasyPrint takes a second to import, and most processes never print.
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def lookup_url(dossier: Dossier) -> str:
    """The public look-up of the dossier, which the QR code on the receipt opens."""
    return f"{settings.PUBLIC_BASE_URL}/lookup/{dossier.code}/"


# The parts every form shares ----------------------------------------------------------------


def _common(dossier: Dossier) -> dict:
    unit = dossier.unit
    version = dossier.procedure_version
    return {
        "dossier": dossier,
        "unit_name": unit.name,
        "unit_name_upper": unit.name.upper(),
        # In running text the kind is lower case: "Ủy ban nhân dân xã Lộc Bình".
        "unit_name_inline": unit.name[:1].lower() + unit.name[1:],
        "place": unit.short_name or unit.name,
        "procedure_name": version.procedure.name_vi,
        "online": dossier.channel == Channel.ONLINE,
    }


def _date_line(moment: datetime) -> str:
    """ "ngày 06 tháng 10 năm 2025": a day below 10 and the months 1 and 2 take a leading zero
    (Decree 30/2020/NĐ-CP, Annex I)."""
    day = timezone.localtime(moment).date()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _fee(amount: int, note: str) -> str:
    """ "10.000 đồng (note)", or the note alone when it already states the amount ("8.000
    đồng/bản sao …") or when there is no amount ("Miễn lệ phí …")."""
    money = f"{amount:,}".replace(",", ".") + " đồng" if amount else ""
    if not note:
        return money or "Không thu"
    if not money or money in note:
        return note
    return f"{money} ({note})"


def _qr_data_uri(url: str) -> str:
    # A raster image, so that a test can read the modules back from the PDF; 8 pixels a
    # module is sharp on paper, and the template asks for no smoothing when it is scaled.
    return segno.make(url, error="m").png_data_uri(scale=8, border=4)


def _signer(person, dossier: Dossier, moment: datetime) -> list[str]:
    """The lines above a People's Committee signature: "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
    or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" for a vice-chair (Decree 30/2020/NĐ-CP)."""
    codes = set()
    if person is not None:
        codes = set(
            Assignment.objects.current(timezone.localdate(moment))
            .filter(person=person, unit_id=dossier.unit_id)
            .values_list("position__code", flat=True)
        )
    if "commune_vice_chair" in codes and "commune_chair" not in codes:
        return ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    return ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


# One context per form -----------------------------------------------------------------------


def _receipt(dossier: Dossier) -> dict:
    version = dossier.procedure_version
    if version.days:
        time_limit = f"{version.days:02d} ngày làm việc"
    elif version.cutoff:
        time_limit = f"Trong ngày; tiếp nhận sau {version.cutoff:%H:%M} trả kết quả trong ngày làm việc tiếp theo"
    else:
        time_limit = "Trong ngày"
    url = lookup_url(dossier)
    return {
        "date_line": _date_line(dossier.received_at),
        "papers": list(dossier.papers.all()),
        "time_limit": time_limit,
        "time_note": version.time_note_vi,
        "fee": _fee(version.fee, version.fee_note_vi),
        "received_by": "Nộp trực tuyến" if dossier.channel == Channel.ONLINE else _person(dossier.received_by),
        "lookup_url": url,
        "qr": _qr_data_uri(url),
    }


def _person(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


def _tracking(dossier: Dossier) -> dict:
    events = list(dossier.events.select_related("actor", "from_unit", "to_unit", "to_person").order_by("at", "id"))
    steps = {step.stage: step.name_vi for step in dossier.procedure_version.steps.all()}
    citizen = f"Ông/Bà {dossier.applicant_name}"
    rows = []
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        actor = _person(event.actor)
        if event.action in _FROM_CITIZEN:
            giver = (citizen, "trực tuyến" if event.actor is None else "")
            receiver = (actor or "Bộ phận Một cửa", event.to_unit.name)
        elif event.action in _TO_CITIZEN:
            giver = (actor, event.from_unit.name)
            receiver = (citizen, "")
        elif event.action in _NO_HAND_OFF:
            giver = (actor, event.from_unit.name)
            receiver = ("", "")
        else:
            giver = (actor, event.from_unit.name)
            taker = event.to_person or (following.actor if following is not None else None)
            # The same person going on (the officer who has the result returns it) is no hand-off.
            receiver = (_person(taker) if taker != event.actor else "", event.to_unit.name)
        rows.append(
            {
                "event": event,
                "action": ACTIONS_VI.get(event.action, event.action),
                "giver": giver,
                "receiver": receiver,
                "step": steps.get(event.stage, ""),
                "timeliness": TIMELINESS_VI.get(event.stage_timeliness, ""),
            }
        )
    return {"date_line": _date_line(dossier.received_at), "rows": rows}


def _supplement(dossier: Dossier) -> dict:
    request = dossier.supplement_requests.select_related("requested_by").order_by("-requested_at", "-id").first()
    url = lookup_url(dossier)
    return {
        "date_line": _date_line(request.requested_at),
        "request": request,
        "requested_by": _person(request.requested_by),
        "lookup_url": url,
        "qr": _qr_data_uri(url),
    }


def _refusal(dossier: Dossier) -> dict:
    refused = dossier.events.filter(action=Event.Action.REFUSE).select_related("actor").order_by("-at", "-id").first()
    decided_by = dossier.decided_by or refused.actor
    decided_at = dossier.decided_at or refused.at
    return {
        "date_line": _date_line(decided_at),
        "decided_at": decided_at,
        "signer": _signer(decided_by, dossier, decided_at),
        "signer_name": _person(decided_by),
    }


def _apology(dossier: Dossier) -> dict:
    apologies = list(dossier.apologies.order_by("at", "id"))
    apology = apologies[-1]
    # The date the citizen was given before this apology: the statutory one, or the previous
    # apology's.
    previous = apologies[-2].new_due_at if len(apologies) > 1 else dossier.due_at
    return {
        "date_line": _date_line(apology.at),
        "apology": apology,
        "previous_due_at": previous,
        "signer": _signer(None, dossier, apology.at),
    }


def _stop(dossier: Dossier) -> dict:
    return {"date_line": _date_line(dossier.stopped_at), "signer": _signer(None, dossier, dossier.stopped_at)}


_CONTEXTS = {
    "receipt": _receipt,
    "tracking": _tracking,
    "supplement": _supplement,
    "refusal": _refusal,
    "apology": _apology,
    "stop": _stop,
}
