"""The API root: /api/v1/, documented at /api/v1/docs (OpenAPI at /api/v1/openapi.json).

Browsers use their session (with CSRF for writes); integrations send
`Authorization: Bearer <token>` with a per-integration token (people.ApiToken).
"""

import re
from datetime import date, datetime, timedelta
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Query, Router, Schema, responses
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, SessionAuth
from pydantic import BeforeValidator, model_validator

from communeos.core import calendar


def _as_written(pattern: str, form: str):
    """A check, before pydantic's own, that a day or a moment is written as ISO 8601 says:
    pydantic would also take a number (seconds since 1970), so that `start=0` meant 1 January
    1970 rather than a mistake."""
    written = re.compile(pattern)

    def check(value):
        if isinstance(value, date) or (isinstance(value, str) and written.fullmatch(value.strip())):
            return value
        raise ValueError(_("Write it as %(form)s.") % {"form": form})

    return BeforeValidator(check)


# Days and moments given to the API (in the schema: format date and date-time).
Day = Annotated[date, _as_written(r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD")]
Moment = Annotated[datetime, _as_written(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", "YYYY-MM-DDTHH:MM (ISO 8601)")]


class In(Schema):
    """What every body the API reads derives from: text carrying the NUL character is refused
    (PostgreSQL's text cannot hold it, and a write with it would fail as an error 500). It is
    there for JSON bodies: addresses, query strings and forms are checked before any view, by
    `core.middleware.refuse_nul`, so a form's schema checks again what cannot be there (a few
    microseconds), for one rule: every body schema derives from this one."""

    @model_validator(mode="after")
    def refuse_nul(self):
        if _holds_nul([value for _name, value in self]):
            raise ValueError(_("Text cannot contain the NUL character."))
        return self


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    return False


class ErrorOut(Schema):
    """Every error the API answers, whatever its status: a message to show, and for a request
    that was refused, its problems by field (`__all__` for the request as a whole)."""

    detail: str = Field(description="What went wrong, to show to the person")
    errors: dict[str, list[str]] = Field({}, description="The problems by field, when the request was refused")


def too_many_requests() -> responses.Status:
    """The API's answer to a client over its rate limit (`core.ratelimit.allow`)."""
    return responses.Status(429, {"detail": _("Too many requests; wait a minute.")})


def refusal(message: str, field: str | None = None) -> dict:
    """The API's 422 body for one problem, under `field` when it is about one."""
    return {"detail": message, "errors": {field: [message]} if field else {}}


def start_after_end() -> dict:
    """The refusal of a period whose `start` is after its `end`."""
    return refusal(_("The start date must not be after the end date."), "start")


def error_body(error: ValidationError) -> dict:
    """A service's ValidationError as the API's 422 body: `detail` to show, `errors` per field."""
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {"detail": " ".join(m for messages in errors.values() for m in messages), "errors": errors}


class BrowserSession(SessionAuth):
    """The browser's session, its writes with their CSRF token. django-ninja checks the token
    before it looks for a session at all, so a request with no session cookie (an integration
    sending its API token) was refused 403 on every write; here a request without the cookie
    is simply not a session's, and the next way in is tried."""

    def _get_key(self, request):
        if self.param_name not in request.COOKIES:
            return None
        try:
            return super()._get_key(request)
        except HttpError as error:  # django-ninja's "CSRF check Failed", in the person's language
            raise HttpError(403, _("A write in a browser session needs its CSRF token.")) from error


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from communeos.people.models import ApiToken

        found = (
            ApiToken.objects.select_related("person")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, person__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.person
        request.api_token = found
        return found.person


# The answers any operation may give besides its own, documented on each operation they apply to
# (`CommuneAPI`): status → (description, applies to the operation?).
COMMON_ERRORS = {
    "400": (
        "The body cannot be read (malformed JSON or multipart), or the address carries the NUL character",
        lambda op, method: True,
    ),
    "401": ("No valid session or token", lambda op, method: bool(op.get("security"))),
    "403": (
        "A write in a browser session without its CSRF token",
        lambda op, method: bool(op.get("security")) and method in {"post", "put", "patch", "delete"},
    ),
    "404": (
        "No such record, or one outside the units the caller may see (the same answer)",
        lambda op, method: any(p.get("in") == "path" for p in op.get("parameters", [])),
    ),
    "422": (
        "The request does not fit this schema, or the service refused it: `errors` says why, by field",
        lambda op, method: bool(op.get("parameters")) or "requestBody" in op,
    ),
}


class CommuneAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """django-ninja's schema, with the errors any operation may answer (`COMMON_ERRORS`)
        documented on each operation they apply to, in `ErrorOut`'s shape, so that the schema
        lists every status an operation answers (a test fuzzes the API against it)."""
        schema = super().get_openapi_schema(**kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in schemas:  # referenced below, whether or not an operation names it
            schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                answers = operation.setdefault("responses", {})
                declared = {str(status) for status in answers}  # django-ninja's keys are numbers
                for status, (description, applies) in COMMON_ERRORS.items():
                    if status not in declared and applies(operation, method):
                        answers[status] = {"description": description, "content": error}
        return schema


api = CommuneAPI(
    title="Commune OS API",
    version="1",
    description="The open API of Commune OS. Every record is scoped to the units the caller may see; "
    "a record outside that scope answers 404, like one that does not exist.",
    # The token first: a request that sends one means it, whatever cookie it also carries.
    auth=[TokenAuth(), BrowserSession()],
    urls_namespace="api",
)

# The apps' routers are added in communeos/urls.py: they import `error_body` from here.


class Pages(PageNumberPagination):
    """django-ninja's page numbers, bounded: a page number past 2³¹ made an OFFSET the
    database cannot hold (an error 500); now it is refused with 422 like any invalid query."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=2**31 - 1)
        page_size: int | None = Field(None, ge=1)


@api.exception_handler(OverflowError)
def number_too_large(request, exc):
    """SQLite holds integers of 64 bits: a larger number given for an id or a filter cannot be
    compared with its column there (PostgreSQL compares it and finds nothing). A request that
    carries one is refused; any write it began is rolled back with its transaction."""
    return api.create_response(request, {"detail": _("A number in the request is too large.")}, status=422)


@api.exception_handler(RequestValidationError)
def request_does_not_fit(request, exc):
    """A request that does not fit the operation's schema: 422 in `ErrorOut`'s shape, as a
    service's refusal is (`error_body`), each problem under the field it is about, in the
    person's language (`schema_message`)."""
    errors: dict[str, list[str]] = {}
    for issue in exc.errors:
        errors.setdefault(_field(issue.get("loc", ())), []).append(schema_message(issue))
    problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    detail = _("The request does not fit the API's schema: %(problems)s") % {"problems": problems}
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


# pydantic's error types (its messages are English only) → the message shown, with the values
# of the error's context (`%(ge)s`, …). A type not listed gets `_NOT_VALID`.
_SCHEMA_MESSAGE_TYPES = [
    (gettext_lazy("This field is required."), ["missing"]),
    (gettext_lazy("Give text here."), ["string_type", "string_unicode"]),
    (gettext_lazy("Give at least %(min_length)s characters."), ["string_too_short"]),
    (gettext_lazy("Give at most %(max_length)s characters."), ["string_too_long"]),
    (gettext_lazy("Write it in the form %(pattern)s."), ["string_pattern_mismatch"]),
    (gettext_lazy("Give a whole number."), ["int_type", "int_parsing", "int_from_float"]),
    (gettext_lazy("The number is too large."), ["int_parsing_size"]),
    (
        gettext_lazy("Give a number."),
        ["float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"],
    ),
    (gettext_lazy("Give at most %(max_digits)s digits."), ["decimal_max_digits"]),
    (gettext_lazy("Give at most %(decimal_places)s decimal places."), ["decimal_max_places"]),
    (gettext_lazy("Give true or false."), ["bool_type", "bool_parsing"]),
    (
        gettext_lazy("Give a day, written YYYY-MM-DD."),
        ["date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"],
    ),
    (
        gettext_lazy("Give a day and time, written YYYY-MM-DDTHH:MM (ISO 8601)."),
        ["datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"],
    ),
    (gettext_lazy("Give a UUID, such as 123e4567-e89b-12d3-a456-426614174000."), ["uuid_type", "uuid_parsing"]),
    (gettext_lazy("Give a UUID of version %(expected_version)s."), ["uuid_version"]),
    (gettext_lazy("Give a number greater than %(gt)s."), ["greater_than"]),
    (gettext_lazy("Give a number of at least %(ge)s."), ["greater_than_equal"]),
    (gettext_lazy("Give a number less than %(lt)s."), ["less_than"]),
    (gettext_lazy("Give a number of at most %(le)s."), ["less_than_equal"]),
    (gettext_lazy("Give a multiple of %(multiple_of)s."), ["multiple_of"]),
    (gettext_lazy("Give a list."), ["list_type", "tuple_type", "set_type", "iterable_type"]),
    (gettext_lazy("Give at least %(min_length)s items."), ["too_short"]),
    (gettext_lazy("Give at most %(max_length)s items."), ["too_long"]),
    (gettext_lazy("Give an object of named fields."), ["dict_type", "model_type", "model_attributes_type"]),
    (gettext_lazy("Give one of: %(expected)s."), ["literal_error", "enum"]),
    (gettext_lazy("The body is not valid JSON."), ["json_invalid", "json_type"]),
    (gettext_lazy("This field is not taken here."), ["extra_forbidden"]),
]
SCHEMA_MESSAGES = {kind: message for message, kinds in _SCHEMA_MESSAGE_TYPES for kind in kinds}
_NOT_VALID = gettext_lazy("This value is not valid.")


def schema_message(issue: dict) -> str:
    """One problem django-ninja found, in the active language. A check of this project's own
    (a `ValueError` in a validator) already speaks it: its message is shown as it is."""
    kind, context = issue.get("type", ""), issue.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and context.get("error"):
        return str(context["error"])
    message = SCHEMA_MESSAGES.get(kind, _NOT_VALID)
    try:
        return str(message) % {name: str(value) for name, value in context.items()}
    except (KeyError, TypeError, ValueError):  # a context without the value the message names
        return str(_NOT_VALID)


def _field(loc) -> str:
    """The field a problem is about, from django-ninja's location: without where it was read
    from (path, query, form, body) nor the name of the operation's body parameter, which is
    `data` in every operation here (ninja names it for a problem with the whole body)."""
    parts = [str(part) for part in loc][1:]
    if parts[:1] == ["data"]:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@csrf_exempt  # it changes nothing; a write to it is answered 404 like any other request
def not_found(request):
    """An address under /api/ that no operation serves: the API's JSON 404 (Django's would be
    an HTML page)."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


@api.exception_handler(Http404)
def record_not_found(request, exc):
    """django-ninja's 404, as any address under /api/ that no operation serves is answered: no
    such record, or one outside the units the caller may see (the same answer)."""
    return not_found(request)


@api.exception_handler(HttpError)
def refused(request, exc):
    """django-ninja's own refusals (its messages are English only), in the person's language;
    a refusal of this project's (`BrowserSession`'s 403) already speaks it."""
    messages = {
        400: _("The request body cannot be read as JSON."),
        401: _("Sign in, or send a valid API token."),
    }
    detail = messages.get(exc.status_code, str(exc))
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(MultiPartParserError)
def unreadable_body(request, exc):
    """A body that says it is multipart but cannot be read as such (no boundary, say): 400,
    as Django answers it, but in the API's JSON and whatever DEBUG is."""
    detail = _("The request body cannot be read as multipart/form-data: %(reason)s") % {"reason": exc}
    return api.create_response(request, {"detail": detail}, status=400)


# Files made in the background (core.Export) -----------------------------------------------------

router = Router(tags=["exports"])


class ExportOut(Schema):
    id: UUID
    kind: str
    title: str
    filename: str
    status: str  # pending, ready or failed
    # While pending: queued (`ahead` tasks before it), running, or stalled (its worker stopped:
    # ask again); null otherwise.
    progress: str | None
    ahead: int | None
    rows: int | None
    created_at: datetime
    finished_at: datetime | None
    url: str  # this resource: poll it until status is no longer "pending"
    file_url: str | None  # the file, once ready

    @staticmethod
    def resolve_status(export) -> str:
        _progress(export)  # first: it reads the export again if its task has ended meanwhile
        return export.status

    @staticmethod
    def resolve_progress(export) -> str | None:
        progress = _progress(export)
        return progress.state if progress else None

    @staticmethod
    def resolve_ahead(export) -> int | None:
        progress = _progress(export)
        return progress.ahead if progress and progress.state == "queued" else None

    @staticmethod
    def resolve_url(export) -> str:
        return reverse("api:export", kwargs={"export_id": export.pk})

    @staticmethod
    def resolve_file_url(export) -> str | None:
        return reverse("api:export_file", kwargs={"export_id": export.pk}) if export.status == "ready" else None


def _progress(export):
    """`selectors.export_progress`, read once per export and answer."""
    from communeos.core import selectors

    if not hasattr(export, "_progress"):
        export._progress = selectors.export_progress(export)
    return export._progress


def accepted(response, export) -> responses.Status:
    """202 for an export just asked for, its address in Location (`response`: the operation's
    temporal response, whose headers django-ninja copies)."""
    response["Location"] = ExportOut.resolve_url(export)
    return responses.Status(202, export)


@router.get("/", response=list[ExportOut], summary="Your files made in the background, newest first")
@paginate(Pages, page_size=30)
def export_list(request):
    from communeos.core import access

    return access.exports_visible_to(request.user)


@router.get(
    "/{uuid:export_id}/",
    response={200: ExportOut, 404: ErrorOut},
    url_name="export",
    summary="One of your exports: pending, ready (with file_url) or failed",
)
def export_detail(request, export_id: UUID):
    from communeos.core import access

    return access.access_export(request.user, export_id)


@router.get(
    "/{uuid:export_id}/file/",
    response={200: None, 404: ErrorOut},
    url_name="export_file",
    summary="The file of a ready export (404 while it is being prepared; each download is audited)",
)
def export_file(request, export_id: UUID):
    from communeos.core.views import export_download

    return export_download(request.user, export_id)


# The working-day clock: public, as the holidays and office hours it answers from are. --------

calendar_router = Router(tags=["calendar"])

#: The longest period one question may span.
CALENDAR_MAX_DAYS = 366


class OfficeSpanOut(Schema):
    opens: str = Field(description="Local time, HH:MM")
    closes: str = Field(description="Local time, HH:MM")


class CalendarDayOut(Schema):
    date: date
    working: bool = Field(description="The day counts towards deadlines")
    receiving: bool = Field(description="The counter receives dossiers: every working day, and receiving days")
    office_hours: list[OfficeSpanOut] = Field(
        description="When it is open that day: the office hours on a working day, the counter's hours on a "
        "receiving day, none on a day off"
    )


class CalendarQuery(Schema):
    start: Day
    end: Day
    unit: str | None = Field(None, description="Code of a province or commune in force; none: the national calendar")


@calendar_router.get(
    "/",
    response={200: list[CalendarDayOut], 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="The working-day calendar from start to end (at most 366 days) of a province, or the national one "
    "(404: no unit in force with that code)",
)
def calendar_days(request, query: Query[CalendarQuery]):
    if query.start > query.end:
        return responses.Status(422, start_after_end())
    if (query.end - query.start).days >= CALENDAR_MAX_DAYS:
        message = _("Ask for at most %(n)s days at a time.") % {"n": CALENDAR_MAX_DAYS}
        return responses.Status(422, refusal(message, "end"))
    province = _calendar_unit(query.unit, query.start) if query.unit else None
    days = []
    day = query.start
    while day <= query.end:
        spans = calendar.open_hours(day, province=province)  # none exactly when the counter is closed
        days.append(
            {
                "date": day,
                "working": calendar.is_working_day(day, province=province),
                "receiving": bool(spans),
                "office_hours": [{"opens": f"{a:%H:%M}", "closes": f"{b:%H:%M}"} for a, b in spans],
            }
        )
        day += timedelta(days=1)
    return days


def _calendar_unit(code: str, start: date):
    """The unit with `code` in force today, or else on the period's first day (a unit merged
    since); 404 if neither."""
    from communeos.units.selectors import unit_by_code

    try:
        return unit_by_code(code=code, on=calendar.today())
    except Http404:
        return unit_by_code(code=code, on=start)
