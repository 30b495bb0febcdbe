"""The Content-Security-Policy header: django-csp's for pages, one fixed policy for JSON.

A JSON answer is data, never a document to render: it gets the policy OWASP advises for APIs
(`default-src 'none'; frame-ancestors 'none'`: nothing may load from it, nothing may frame it),
stricter than the pages' and the same for every answer, so it is not built per response
(django-csp builds a policy for each, which the public API's busiest answers paid for).
"""

from csp.middleware import CSPMiddleware

JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            response.headers.setdefault("Content-Security-Policy", JSON_POLICY)
            return response
        return super().process_response(request, response)
