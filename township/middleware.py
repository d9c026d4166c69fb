"""Security headers the pages live with, and the request path the audit of refused 身份证号 records."""
from django.conf import settings

from township import audit

# No inline scripts anywhere (data goes through json_script); styles may be inline
# because ECharts and the admin set style attributes.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# drf-spectacular's Swagger UI page boots itself with an inline script.
API_DOCS_POLICY = DEFAULT_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = API_DOCS_POLICY if request.path.startswith(("/api/docs", "/api/redoc")) else DEFAULT_POLICY
            response["Content-Security-Policy"] = getattr(settings, "CONTENT_SECURITY_POLICY", None) or policy
        response.setdefault("Referrer-Policy", "same-origin")
        return response


class RequestAuditMiddleware:
    """The request's path for the refusals of 身份证号 its view causes (a form's clean() has no request at hand),
    and those refusals written once the view's transaction has ended, committed or rolled back (township.audit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tokens = audit.start_request(request.path)
        try:
            return self.get_response(request)
        finally:
            audit.end_request(tokens)
