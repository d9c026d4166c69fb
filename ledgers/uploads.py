"""Upload size limits enforced while the body streams in, not after it has all been read.

FILE_UPLOAD_MAX_MEMORY_SIZE is only the memory/disk threshold; a request past the
limit must be stopped by a handler installed before request.POST/FILES are read,
which also means before the CSRF check (it reads request.POST).
"""
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from rest_framework import exceptions, status


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None, max_bytes=5 * 1024 * 1024):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.max_bytes + 64 * 1024:  # multipart overhead
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def parse_within_limit(request, max_bytes) -> bool:
    """Parse the body now, under `max_bytes`; True (and an empty POST/FILES) when it was too large.

    Django does not catch a StopUpload raised from handle_raw_input (a Content-Length
    already past the limit), so it is caught here.
    """
    request.upload_too_large = False
    request.upload_handlers.insert(0, SizeLimitedUploadHandler(request, max_bytes))
    try:
        request.POST  # noqa: B018 - parse now, under the limit
    except StopUpload:
        request.upload_too_large = True
    if request.upload_too_large:
        request._post, request._files = QueryDict(), MultiValueDict()
    return request.upload_too_large


def limit_upload_size(setting_name, default, *, too_large):
    """Decorator: past the limit, answer `too_large(request, ...)` before anything reads the body.

    csrf_exempt outside and csrf_protect inside, because the CSRF check reads
    request.POST; the refusal comes before it, and nothing is written on that path.
    """

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and parse_within_limit(request, getattr(settings, setting_name, default)):
                return too_large(request, *args, **kwargs)
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "文件过大。"
    default_code = "too_large"


class SizeLimitedAPIMixin:
    """An API view whose POST body is parsed under a size limit before anything else (authentication, CSRF)
    reads it, and answered 413 past it. The limit is the setting `upload_limit_setting` (or its default)."""

    upload_limit_setting = "SUBMISSION_MAX_BYTES"
    upload_limit_default = 5 * 1024 * 1024

    def upload_limit(self) -> int:
        return getattr(settings, self.upload_limit_setting, self.upload_limit_default)

    def initialize_request(self, request, *args, **kwargs):
        request.upload_too_large = False
        if request.method == "POST":
            limit = self.upload_limit()
            parse_within_limit(request, limit)
            # A JSON body (the month's rows) is no upload the handler sees: its declared length decides.
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                request.upload_too_large = True
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if getattr(request._request, "upload_too_large", False):
            raise TooLarge(f"文件或内容超过{self.upload_limit() // (1024 * 1024)}MB的上限，已拒绝接收。")
        super().initial(request, *args, **kwargs)
