"""The OpenAPI document describes every JSON body: each request body and each 2xx JSON answer is an object
with declared properties (or a list of such objects), never a bare "any object" or an empty schema.

A client generated from the document, or a reader of the docs page, then knows every field an operation
takes and answers. ``$ref`` to a component schema is followed; ``null`` beside an object is allowed.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def _typed(document: dict[str, Any], schema: dict[str, Any] | None) -> bool:
    """An object with declared properties, a list of such, or one of them or null."""
    if not schema:
        return False
    schema = _resolved(document, schema)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        present = [a for a in alternatives if _resolved(document, a).get("type") != "null"]
        return bool(present) and all(_typed(document, a) for a in present)
    if schema.get("type") == "array":
        return _typed(document, schema.get("items"))
    return schema.get("type") == "object" and bool(schema.get("properties"))


def _json_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = (content or {}).get("application/json", {}).get("schema")
    return schema


def _untyped_bodies(document: dict[str, Any]) -> dict[str, set[str]]:
    """Each operation (``METHOD /path``) whose request body or 2xx JSON answer is not typed, and which."""
    found: dict[str, set[str]] = {}
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            name = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            if body is not None and not _typed(document, _json_schema(body.get("content"))):
                found.setdefault(name, set()).add("request")
            for status, answer in operation.get("responses", {}).items():
                schema = _json_schema(answer.get("content"))
                if status.startswith("2") and "application/json" in answer.get("content", {}) and not _typed(
                        document, schema):
                    found.setdefault(name, set()).add(f"answer {status}")
    return found


def test_every_json_body_and_answer_is_an_object_with_declared_properties(web_app: Litestar) -> None:
    document = _document(web_app)
    assert _untyped_bodies(document) == {}
    operations = [m for item in document["paths"].values() for m in HTTP_METHODS if m in item]
    assert len(operations) > 50  # the whole API was read, not an empty document


def test_an_untyped_body_is_seen_and_a_typed_one_is_not() -> None:
    """The rule itself: "any object", an empty schema and a list of them are untyped; a $ref to properties is not."""
    document: dict[str, Any] = {"components": {"schemas": {
        "Typed": {"type": "object", "properties": {"id": {"type": "string"}}},
        "Loose": {"type": "object", "additionalProperties": {}},
    }}}
    typed = {"$ref": "#/components/schemas/Typed"}
    assert _typed(document, typed)
    assert _typed(document, {"type": "array", "items": typed})
    assert _typed(document, {"oneOf": [typed, {"type": "null"}]})
    assert not _typed(document, {"$ref": "#/components/schemas/Loose"})
    assert not _typed(document, {"type": "object"})
    assert not _typed(document, {})
    assert not _typed(document, None)
    assert not _typed(document, {"type": "array", "items": {"type": "object"}})
    assert not _typed(document, {"oneOf": [typed, {"type": "object"}]})
