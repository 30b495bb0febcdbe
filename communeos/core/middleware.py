"""Two middlewares: requests carrying the NUL character refused; the Content-Security-Policy
header, django-csp's for pages, one fixed policy for JSON.

NUL: PostgreSQL's text cannot hold the character (a look-up or a write with it fails: an
error 500), and no name, code or search needs it. Django's forms refuse it in their fields;
an address or a query string carrying it (`%00`) is refused here, before any view, with 400;
the API's bodies are checked by their schemas (`core.api.In`).

CSP:
A JSON answer is data, never a document to render: it gets the policy OWASP advises for APIs
(`default-src 'none'; frame-ancestors 'none'`: nothing may load from it, nothing may frame it),
stricter than the pages' and the same for every answer, so it is not built per response
(django-csp builds a policy for each, which the public API's busiest answers paid for).
"""

from csp.middleware import CSPMiddleware
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def refuse_nul(get_response):
    def middleware(request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            message = _("The address contains the NUL character, which no page or search takes.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            response.headers.setdefault("Content-Security-Policy", JSON_POLICY)
            return response
        return super().process_response(request, response)
