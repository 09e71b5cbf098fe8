"""Keeps the API's one error shape for answers Django gives before the API sees the request."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

PREFIX = "/api/"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The API's one error shape."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


MESSAGES = {
    404: "No such endpoint; see /api/v1/docs for the list.",
    405: "This endpoint does not take that HTTP method; see /api/v1/docs.",
}


class ApiErrorShape:
    """An unknown path (404) or a wrong method (405) under /api/ answers in JSON too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            phrase = _phrase(status)
            code = phrase.lower().replace(" ", "_")
            message = MESSAGES.get(status, phrase)
            shaped = JsonResponse(error_body(code, message), status=status)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
