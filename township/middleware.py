"""Security headers the pages live with, and the request path the audit of refused 身份证号 records."""
import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import DisallowedHost
from django.core.handlers.base import BaseHandler
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpResponseBadRequest
from django.shortcuts import resolve_url
from django.template.loader import render_to_string

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


IDLE_KEY = "last_request_at"
IDLE_TOUCH_SECONDS = 60  # the session is written at most once a minute to record activity


def start_idle_clock(sender, request, user, **kwargs):
    """user_logged_in: a login session starts its idle clock (an API token login opens no session)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY):
        session[IDLE_KEY] = int(time.time())


class SessionIdleTimeoutMiddleware:
    """End a login session after SESSION_IDLE_HOURS without a request: pages go to the login page, which says why;
    the API answers as to an anonymous user. API tokens have their own expiry (township/api_auth.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(IDLE_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_HOURS * 3600:
                logout(request)
                if not request.path.startswith("/api/"):
                    return redirect_to_login(request.get_full_path(), login_url=f"{resolve_url(settings.LOGIN_URL)}"
                                                                              "?idle=1")
            elif last is None or now - last >= IDLE_TOUCH_SECONDS:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Cache-Control: no-store on every response to a logged-in user (session or token) and on every API response.

    Simpler than telling which pages carry personal data: names, 身份证号 and phone numbers appear on most
    authenticated pages, exports and raw files, and a shared office computer's browser cache or a proxy must
    keep none of them. Only the login page, the health check and static files stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


security_logger = logging.getLogger("django.security.DisallowedHost")


class DisallowedHostMiddleware:
    """A request for a host not in ALLOWED_HOSTS gets the Chinese 400 page, with DEBUG on too (Django's own
    answer is its English technical page in DEBUG, and "Bad Request (400)" without a 400.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()
        except DisallowedHost as exc:
            security_logger.error(str(exc), extra={"status_code": 400, "request": request})
            return HttpResponseBadRequest(render_to_string("400.html", {"message": BAD_HOST_MESSAGE}))
        return self.get_response(request)


BAD_HOST_MESSAGE = "请求的网址（主机名）不是本系统的地址，请检查地址后重试。"


logger = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _locked(exception):
    """SQLite's SQLITE_BUSY (and BUSY_SNAPSHOT): another connection holds the write lock, or wrote since we read."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


class SQLiteReadTransactionMiddleware:
    """On the embedded SQLite, a page that only reads does not queue for the write lock.

    Every request is one transaction (ATOMIC_REQUESTS), and on SQLite the settings begin it IMMEDIATE: it takes
    the database's one write lock at BEGIN, so a writer never fails half-way, but every request, reads too, waits
    for every other (bench/load_bench.py). Here a GET, HEAD or OPTIONS request begins DEFERRED instead: in WAL mode
    readers run side by side and beside the one writer. A read request that does write (opening a submission
    marks its notices read) may then find the lock taken, or its snapshot outdated, and SQLite refuses at once
    ("database is locked"): its transaction is rolled back whole, and the view runs once more, IMMEDIATE, as
    every request did before. PostgreSQL is not concerned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or request.method not in SAFE_METHODS:
            return self.get_response(request)
        connection.ensure_connection()  # connecting sets transaction_mode from the settings
        configured = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"
        try:
            return self.get_response(request)
        finally:
            connection.transaction_mode = configured

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._read_transaction_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        connection = connections[DEFAULT_DB_ALIAS]
        view = getattr(request, "_read_transaction_view", None)
        if view is None or getattr(connection, "transaction_mode", None) != "DEFERRED" or not _locked(exception):
            return None
        view_func, view_args, view_kwargs = view
        logger.info("SQLite 写锁被占用，只读请求改为立即加锁后重试：%s", request.path)
        connection.transaction_mode = "IMMEDIATE"  # the configured mode; __call__ restores it in any case
        # In a transaction as the handler wraps a view (ATOMIC_REQUESTS, unless the view is non_atomic_requests).
        return BaseHandler().make_view_atomic(view_func)(request, *view_args, **view_kwargs)
