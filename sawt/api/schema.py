"""What drf-spectacular cannot see for itself: the bearer token, and the error answers every
operation may give (each documented, so a client and a schema checker know them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "required": ["message", "errors"],
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_READ_ERRORS = {
    "400": "Bad input: every problem with its field.",
    "401": "No token, or an unknown or revoked one.",
    "403": "The token's scope or role does not allow this.",
    "404": "Not found, or not within the token's agency.",
    "429": "Too many requests from this token; see Retry-After.",
    "503": "The database is busy with an import; send the request again.",
}
_WRITE_ERRORS = {
    **_READ_ERRORS,
    "409": "A conflict: the object changed since the version given.",
    "413": "The request body or the batch is too large.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "sawt.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `sawt token create`, sent as `Authorization: Bearer`.",
        }


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the Error component, and the error answers on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = _READ_ERRORS if method == "get" else _WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
