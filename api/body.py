"""Reading JSON request bodies: the media type is checked here, the JSON by the io layer
(which names every broken field)."""

from __future__ import annotations

from fastapi import Request

from api.errors import ApiError


def _is_json(content_type: str) -> bool:
    """application/json or any application/*+json, parameters ignored."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def json_body(request: Request) -> bytes:
    """The raw body of a JSON request (415 for another media type)."""
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        shown = content_type or "none"
        raise ApiError(415, "unsupported_media_type", f"send application/json (got {shown})")
    return await request.body()


def request_body(schema: str, description: str) -> dict:
    """`openapi_extra` declaring a JSON body of a component schema (read by hand here)."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
    }
