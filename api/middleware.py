"""Pure ASGI middleware: the request body size limit and per-request metrics."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, problem_response
from api.metrics import ApiMetrics


class BodyLimit:
    """Refuse bodies above `max_bytes`: at once when Content-Length says so, else as soon
    as the streamed body passes the limit (the endpoint then answers 413)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count what arrives."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                await problem_response(400, "bad_request", "invalid Content-Length")(
                    scope, receive, send
                )
                return
            if length > self.max_bytes:
                await problem_response(413, "body_too_large", self._detail())(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise ApiError(413, "body_too_large", self._detail())
            return message

        await self.app(scope, counted, send)

    def _detail(self) -> str:
        """The 413 sentence."""
        return f"the request body is larger than {self.max_bytes} bytes"


class RequestMetrics:
    """Count and time every request by method, route template and status."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and watch the status line go by."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.observe_request(
                scope.get("method", ""), path, status[0], time.perf_counter() - started
            )
