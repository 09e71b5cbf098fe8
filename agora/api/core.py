"""The API object, its token auth, its one error shape, its rate limits, ETags.

Every error is `{"error": {"code", "message", "fields"}}` with its HTTP status; nothing
reaches the client as a 500 page or a stack trace.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.params.models import QueryModel
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from agora.accounts.tokens import authenticate

from .middleware import error_body
from .schemas import ErrorOut

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """A bearer token of one role: each audience's router authenticates its role once.
    No or a bad token: 401; a good token of another role: 403."""

    def __init__(self, role: str):
        super().__init__()
        self.role = role

    def authenticate(self, request, token):
        row = authenticate(token)
        if row is None:
            # a bad token counts against its address like an anonymous call: guessing tokens
            # is limited like everything else
            wait = hit(f"address:{AddressThrottle().get_ident(request)}", settings.AGORA_API_RATE_ANONYMOUS)
            if wait is not None:
                raise Throttled(wait)
            return None
        if row.role != self.role:
            raise PermissionDenied(f"This needs an {self.role} token.")
        request.user = row.user
        request.token = row
        return row


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/m" -> (120, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip().lower()]


def hit(key: str, rate: str) -> float | None:
    """Count one request against `key` at `rate`; the seconds to wait if it is over, else None.

    A fixed window counted by one atomic increment in the shared cache (Redis in production):
    however many workers and threads ask at once, at most `count` get through per window
    (a read-modify-write of a history, ninja's default, lets several through on one count)."""
    count, period = parse_rate(rate)
    now = time.time()
    window = f"throttle:{key}:{int(now // period)}"
    cache.add(window, 0, period + 1)
    try:
        n = cache.incr(window)
    except ValueError:  # the window expired between add and incr
        cache.add(window, 1, period + 1)
        n = 1
    return period - (now % period) if n > count else None


class WindowThrottle(BaseThrottle):
    """A rate from settings (read on every request, so deployments and tests can change it),
    counted by `hit`; ninja keeps one throttle object for all requests, so the wait of the
    request being checked is kept per thread."""

    setting = ""

    def __init__(self):
        self._local = threading.local()

    def key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        key = self.key(request)
        self._local.wait = hit(key, getattr(settings, self.setting)) if key else None
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


class AddressThrottle(WindowThrottle):
    """Anonymous requests, per client address (REMOTE_ADDR unless proxies are trusted)."""

    setting = "AGORA_API_RATE_ANONYMOUS"

    def key(self, request):
        return None if getattr(request, "auth", None) is not None else f"address:{self.get_ident(request)}"


class TokenThrottle(WindowThrottle):
    """Requests with a token, per token (not per address: one office may share an address)."""

    setting = "AGORA_API_RATE_TOKEN"

    def key(self, request):
        token = getattr(request, "token", None)
        return None if token is None else f"token:{token.pk}"


class AgoraApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__  # "create_notice", not "agora_api_endpoints_create_notice"


api = AgoraApi(
    title="Agora API",
    version="1",
    description="Notices of public assemblies, decisions and the venue schedule. Public reads need no token; "
    "organizers and officers use a bearer token made on /accounts/tokens/.",
    urls_namespace="api",
    throttle=[AddressThrottle(), TokenThrottle()],
)


def known_query_parameters(run):
    """Refuse query parameters an endpoint does not take: `?venu=3` would otherwise be
    ignored silently and answer with the whole, unfiltered list."""
    operation = run.__self__
    known = set()
    for model in operation.models:
        if issubclass(model, QueryModel):
            known |= set(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)

    @functools.wraps(run)
    def checked(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - known)
        if unknown:
            expected = ", ".join(sorted(known)) or "none"
            return error(
                request,
                422,
                "invalid",
                f"Unknown query parameter(s): {', '.join(unknown)}. This endpoint takes: {expected}.",
                {name: ["not a parameter of this endpoint"] for name in unknown},
            )
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(known_query_parameters, mode="view")


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(request, error_body(code, message, fields), status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path", "payload")]
        message = item.get("msg", "invalid").removeprefix("Value error, ")
        fields.setdefault(".".join(loc) or "request", []).append(message)
    return error(request, 422, "invalid", "Some fields are invalid; see `fields`.", fields)


@api.exception_handler(DjangoValidationError)
def _refused(request, exc: DjangoValidationError):
    fields = (
        {k: [str(m) for m in v] for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
    )
    return error(request, 400, getattr(exc, "code", None) or "refused", " ".join(exc.messages), fields)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error(request, 403, "forbidden", str(exc) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, 401, "unauthenticated", "Send a valid token: Authorization: Bearer agora_…")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "not_found", "No such object (or not yours).")


@api.exception_handler(ObjectDoesNotExist)
def _missing(request, exc):
    return error(request, 404, "not_found", "No such object (or not yours).")


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    wait = max(1, int(exc.wait or 1))
    response = error(request, 429, "rate_limited", f"Too many requests; retry in {wait} s.")
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(HttpError)
def _http(request, exc: HttpError):
    if exc.status_code == 400:  # ninja's only 400 of its own: a body it cannot parse
        return error(request, 400, "bad_request", "The body is not valid JSON (or not JSON at all).")
    return error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def _crash(request, exc):
    log.exception("API error")
    return error(request, 500, "server_error", "Something went wrong on our side; it was logged.")


def with_etag(request, payload) -> HttpResponse:
    """JSON with an ETag; 304 when the client already has this version."""
    body = json.dumps(payload, default=str, ensure_ascii=False, sort_keys=True).encode()
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == tag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = tag
    return response


ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 422, 429)}
