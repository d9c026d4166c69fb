"""Upload size limits enforced while the body streams in, not after it has all been read.

FILE_UPLOAD_MAX_MEMORY_SIZE is only the memory/disk threshold; a request past the
limit must be stopped by a handler installed before request.POST/FILES are read.
"""
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect


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


def limit_upload_size(max_bytes_setting, default):
    """Install SizeLimitedUploadHandler before the body is parsed; the view sees request.upload_too_large.

    csrf_exempt outside and csrf_protect inside: CSRF checking reads request.POST,
    which would parse the body before the handler is in place.
    """
    from django.conf import settings

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            max_bytes = getattr(settings, max_bytes_setting, default)
            request.upload_too_large = False
            request.upload_handlers.insert(0, SizeLimitedUploadHandler(request, max_bytes))
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator
