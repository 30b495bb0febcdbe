"""Two middlewares: requests carrying the NUL character refused; the Content-Security-Policy
header, django-csp's for pages, one fixed policy for JSON.

NUL: PostgreSQL's text cannot hold the character (a look-up or a write with it fails: an
error 500), and no name, code or search needs it. A request carrying it in its address, its
query string (`%00`) or a form's fields is refused here, before any view, with
400 (Django's forms refuse it too, but views also read a few fields directly, and the API
reads forms without Django's forms); JSON bodies are checked by the API's schemas
(`core.api.In`).

CSP:
A JSON answer is data, never a document to render: it gets the policy OWASP advises for APIs
(`default-src 'none'; frame-ancestors 'none'`: nothing may load from it, nothing may frame it),
stricter than the pages' and the same for every answer, so it is not built per response
(django-csp builds a policy for each, which the public API's busiest answers paid for).
"""

from csp.middleware import CSPMiddleware
from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _


def refuse_nul(get_response):
    def middleware(request):
        try:
            found = _carries_nul(request)
        except MultiPartParserError as error:
            if request.path.startswith("/api/"):  # as the API answers it (core.api.unreadable_body)
                from communeos.core.api import unreadable_body

                return unreadable_body(request, error)
            raise  # Django answers 400, as it would have in the view
        if found:
            message = _("The request contains the NUL character, which no field, page or search takes.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _carries_nul(request) -> bool:
    """In the address, the query string, or a form's fields. A form is read here as the view
    would read it, and once: Django keeps what it parsed for the view."""
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.method != "POST" or request.content_type not in FORMS:
        return False
    # File names need no check: Django's parsers drop unprintable characters from them.
    return any("\x00" in text for name, values in request.POST.lists() for text in (name, *values))


JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            response.headers.setdefault("Content-Security-Policy", JSON_POLICY)
            return response
        return super().process_response(request, response)
