"""Typed errors, and the one place that turns every error into RFC 9457 problem JSON."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import msgspec

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

logger = logging.getLogger("didhub.errors")

PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_CODES = {
    400: "validation_failed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as every error is answered (for the OpenAPI schema)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None


class ApiError(Exception):
    """An error a client should see. `code` is the stable machine-readable reason."""

    status = 400

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404

    def __init__(self, detail: str = "Not found.") -> None:
        super().__init__("not_found", detail)


class Conflict(ApiError):
    status = 409


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class RateLimited(ApiError):
    status = 429

    def __init__(self, retry_after: int, detail: str = "Too many requests; try again later.") -> None:
        super().__init__("rate_limited", detail, headers={"Retry-After": str(max(1, retry_after))})


def validation_error(field: str, message: str) -> BadRequest:
    return BadRequest("validation_failed", f"{field}: {message}", errors=[{"field": field, "message": message}])


def problem(
    status: int, code: str, detail: str, *, errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://didhub.invalid/problems/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _api_error(_: Request, exc: ApiError) -> Response[dict[str, Any]]:
    return problem(exc.status, exc.code, exc.detail, errors=exc.errors, headers=exc.headers)


_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `(.+)`$")


def _field_name(item: dict[str, Any]) -> str:
    # an unknown field is reported against the whole body ("data"); name the field itself
    unknown = _UNKNOWN_FIELD.match(str(item.get("message", "")))
    if unknown:
        return unknown.group(1)
    key = item.get("key") or ""
    # msgspec says "$.name" or "$.items[0]"; clients want "name"
    return str(key).removeprefix("$.") or str(item.get("source") or "body")


def _validation(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append({"field": _field_name(item), "message": str(item.get("message", "invalid"))})
    if not errors:
        errors.append({"field": "body", "message": exc.detail or "invalid request"})
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
    return problem(400, "validation_failed", detail, errors=errors)


def _http(_: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status >= 500:
        return _unhandled(_, exc)
    detail = exc.detail if status != 404 else "Not found."
    # a body that is not JSON at all is a validation error of the body
    errors = [{"field": "body", "message": detail}] if status == 400 else None
    return problem(status, _CODES.get(status, "error"), detail, errors=errors, headers=exc.headers)


def _unhandled(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
    logger.error("unhandled error in %s %s (request %s)", request.method, request.url.path, request_id, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        f"Something went wrong on the server. Quote request id {request_id} when reporting it.",
    )


EXCEPTION_HANDLERS = {
    ApiError: _api_error,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unhandled,
}
