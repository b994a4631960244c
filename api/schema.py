"""What the OpenAPI schema says of every operation, added once here (a drf-spectacular
post-processing hook): the refusals every endpoint may answer, and 409 for changes made on a
stale version."""

from drf_spectacular.hooks import postprocess_schema_enums

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
}
CONFLICT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": ["stale_version"]},
        "version": {"type": "integer"},
        "updated_by": {"type": "string", "nullable": True},
        "updated_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_refusals(result, generator, request, public):
    result = postprocess_schema_enums(result, generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", _response("No token, or a revoked one.", DETAIL))
            responses.setdefault("429", _response("Over the rate limit: see Retry-After.", DETAIL))
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault(
                    "403", _response("Not allowed (rights, read-only token).", DETAIL)
                )
            if method in ("put", "patch") or path.endswith("/move/"):
                responses.setdefault("409", _response("Changed since that version.", CONFLICT))
            if "{id}" in path:
                responses.setdefault("404", _response("No such record visible to you.", DETAIL))
    return result
