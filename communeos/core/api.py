"""The API root: /api/v1/, documented at /api/v1/docs (OpenAPI at /api/v1/openapi.json).

Browsers use their session (with CSRF for writes); integrations send
`Authorization: Bearer <token>` with a per-integration token (people.ApiToken).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import NinjaAPI
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
