"""Who is calling: API key checks, client identity, and the per-client request limit."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

from api.errors import ApiError
from api.settings import ApiSettings


def _fingerprint(key: str) -> str:
    """A short, non-reversible name for a key (client identity, logs)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def check_api_key(request: Request) -> None:
    """Dependency of /v1: a valid key in the configured header when keys are required."""
    settings: ApiSettings = request.app.state.settings
    if not settings.auth_required:
        return
    given = request.headers.get(settings.api_key_header, "")
    if not given or not any(hmac.compare_digest(given, key) for key in settings.keys):
        raise ApiError(
            401,
            "unauthorized",
            f"a valid API key is required in the {settings.api_key_header} header",
            headers={"WWW-Authenticate": f'ApiKey header="{settings.api_key_header}"'},
        )


def client_id(request: Request) -> str:
    """The client a request counts against: its API key when it sent one, else its address."""
    settings: ApiSettings = request.app.state.settings
    key = request.headers.get(settings.api_key_header)
    if key and key in settings.keys:
        return f"key:{_fingerprint(key)}"
    host = request.client.host if request.client else "unknown"
    return f"ip:{host}"


class InflightLimiter:
    """At most `limit` concurrent requests per client; one more gets 429."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._count: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, client: str) -> AsyncIterator[None]:
        """Count one request of `client` while the block runs (event loop only: no lock)."""
        n = self._count.get(client, 0)
        if n >= self.limit:
            raise ApiError(
                429,
                "too_many_requests",
                f"at most {self.limit} concurrent requests per client",
                headers={"Retry-After": "1"},
            )
        self._count[client] = n + 1
        try:
            yield
        finally:
            left = self._count[client] - 1
            if left:
                self._count[client] = left
            else:
                del self._count[client]
