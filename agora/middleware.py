"""Requests no view should see."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, JsonResponse

from agora.api.middleware import error_body

MESSAGE = "The request contains a NUL character (%00 or \\u0000), which no field accepts."


class RefuseNulCharacters:
    """PostgreSQL text cannot hold NUL: a NUL in a URL, a query or a JSON body would reach
    a query and fail there as a server error. Refuse it up front with a clear 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.path.encode() + unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in (
            "application/json",
            "application/x-www-form-urlencoded",
        ):
            raw += request.body + unquote_to_bytes(request.body.replace(b"+", b" "))
        if b"\x00" in raw or b"\\u0000" in raw:
            if request.path.startswith("/api/"):
                return JsonResponse(error_body("bad_request", MESSAGE), status=400)
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
