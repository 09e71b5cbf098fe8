"""Requests no view should see."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

from agora.api.middleware import error_body

MESSAGE = "The request contains a NUL character (%00 or \\u0000), which no field accepts."
TOO_BIG = "The request body is too large: send at most %d bytes."


class RefuseNulCharacters:
    """PostgreSQL text cannot hold NUL: a NUL in a URL, a query or a JSON body would reach
    a query and fail there as a server error. Refuse it up front with a clear 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.path.encode() + unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        # every body, whatever type it claims (text/plain, json-patch+json, multipart): no
        # field of Agora takes a file, so a NUL anywhere in a body is refused
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                raw += request.body + unquote_to_bytes(request.body.replace(b"+", b" "))
            except RequestDataTooBig:
                return _refuse(
                    request, "payload_too_large", TOO_BIG % settings.DATA_UPLOAD_MAX_MEMORY_SIZE, 413
                )
        if b"\x00" in raw or b"\\u0000" in raw:
            return _refuse(request, "bad_request", MESSAGE, 400)
        return self.get_response(request)


def _refuse(request, code: str, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
