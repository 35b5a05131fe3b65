"""RFC 9457 problem details: one exception type, one response shape, stable `code`s.

Contract errors (the problem or plan breaks problem-v1) are 422 with `errors`, a list of
`{path, rule}`; everything else carries a `code` clients can switch on. Nothing a client
sends may reach the last handler, which answers 500 without a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from dispatch_opt.errors import InputError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("dispatch_opt.api")

_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Missing or wrong API key"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("body_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("invalid_input", "Invalid input"),
    429: ("too_many_requests", "Too many requests"),
    500: ("internal_error", "Internal error"),
    503: ("unavailable", "Service unavailable"),
    504: ("solve_timeout", "Solve timed out"),
}


class ApiError(Exception):
    """An error answered as problem+json with an HTTP status and a stable `code`."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.title = title
        self.headers = headers or {}
        self.extra = extra


def contract_error(exc: InputError) -> ApiError:
    """422 for a document that breaks the contract, naming every field path and rule."""
    errors = [{"path": i.path, "rule": i.rule} for i in exc.issues]
    first = errors[0] if errors else {"path": "", "rule": "invalid"}
    where = f"{first['path']}: " if first["path"] else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ApiError(422, "invalid_input", f"{where}{first['rule']}{more}", errors=errors)


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response (RFC 9457) with `type`, `title`, `status`, `detail`, `code`."""
    body: dict[str, Any] = {
        "type": f"https://dispatch-opt.dev/problems/{code}",
        "title": title or _STATUS_CODES.get(status, ("", "Error"))[1],
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_handlers(app: FastAPI) -> None:
    """Route every error, including framework ones, to problem+json."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.code,
            exc.detail,
            title=exc.title,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return await _api_error(request, contract_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"path": ".".join(str(p) for p in e.get("loc", ())), "rule": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return problem_response(
            422,
            "invalid_input",
            "request parameters are invalid",
            errors=errors,
            instance=request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _STATUS_CODES.get(exc.status_code, ("http_error", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            exc.status_code,
            code,
            detail,
            title=title,
            instance=request.url.path,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "internal_error",
            f"internal error ({type(exc).__name__})",
            instance=request.url.path,
        )
