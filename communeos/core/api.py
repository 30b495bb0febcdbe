"""The API root: /api/v1/, documented at /api/v1/docs (OpenAPI at /api/v1/openapi.json).

Browsers use their session (with CSRF for writes); integrations send
`Authorization: Bearer <token>` with a per-integration token (people.ApiToken).
"""

from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from ninja import Field, NinjaAPI, Router, Schema, responses
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, SessionAuth


def error_body(error: ValidationError) -> dict:
    """A service's ValidationError as the API's 422 body: `detail` to show, `errors` per field."""
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {"detail": " ".join(m for messages in errors.values() for m in messages), "errors": errors}


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


api = NinjaAPI(
    title="Commune OS API",
    version="1",
    description="The open API of Commune OS. Every record is scoped to the units the caller may see; "
    "a record outside that scope answers 404, like one that does not exist.",
    auth=[SessionAuth(), TokenAuth()],
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
    return api.create_response(request, {"detail": "A number in the request is too large."}, status=422)


@api.exception_handler(MultiPartParserError)
def unreadable_body(request, exc):
    """A body that says it is multipart but cannot be read as such (no boundary, say): 400,
    as Django answers it, but in the API's JSON and whatever DEBUG is."""
    detail = f"The request body cannot be read as multipart/form-data: {exc}"
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


class NotFoundOut(Schema):
    detail: str


@router.get("/", response=list[ExportOut], summary="Your files made in the background, newest first")
@paginate(Pages, page_size=30)
def export_list(request):
    from communeos.core import access

    return access.exports_visible_to(request.user)


@router.get(
    "/{uuid:export_id}/",
    response={200: ExportOut, 404: NotFoundOut},
    url_name="export",
    summary="One of your exports: pending, ready (with file_url) or failed",
)
def export_detail(request, export_id: UUID):
    from communeos.core import access

    return access.access_export(request.user, export_id)


@router.get(
    "/{uuid:export_id}/file/",
    response={200: None, 404: NotFoundOut},
    url_name="export_file",
    summary="The file of a ready export (404 while it is being prepared; each download is audited)",
)
def export_file(request, export_id: UUID):
    from communeos.core.views import export_download

    return export_download(request.user, export_id)
