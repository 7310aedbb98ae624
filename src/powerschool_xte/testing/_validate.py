"""Refuse requests that do not match the spec (400), before any rule of PowerSchool is applied.

Bodies and query parameters are checked against the generated JSON Schemas with jsonschema-rs
(formats such as ``date`` included). A query parameter the operation does not declare is refused
(a typo such as ``section_id`` would otherwise be silently ignored), except ``pagesize`` and the
UI's ``_`` cache buster, which PowerSchool is known to ignore; ``Simulator(strict_query=False)``
ignores unknown parameters instead. Enum values in requests must be ones the
spec lists: the client parses unknown values from servers, the simulator is strict about
what it accepts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
import orjson
from aiohttp import web

from powerschool_xte.resources._schemas import (
    DEFS,
    PATH_PARAMETERS,
    QUERY_PARAMETERS,
    REQUEST_BODIES,
)
from powerschool_xte.testing._http import HTTPError

#: the decoded JSON body, kept on the request so handlers do not decode it again
BODY: web.RequestKey[Any] = web.RequestKey("xte_body", object)


@cache
def _validator(kind: str, operation_id: str, name: str = "") -> Any:
    if kind == "body":
        schema = REQUEST_BODIES[operation_id]
    elif kind == "query":
        schema = QUERY_PARAMETERS[operation_id][name]
    else:
        schema = PATH_PARAMETERS[operation_id][name]
    return jsonschema_rs.validator_for({"$defs": DEFS, **schema}, validate_formats=True)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DEFS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _typed(raw: str, schema: dict[str, Any]) -> Any:
    kind = _resolve(schema).get("type")
    if kind == "integer":
        if not (raw.isascii() and raw.isdigit()):
            return raw  # fails validation below with a clear message
        return int(raw)
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _check(validator: Any, value: Any, where: str) -> None:
    error = next(iter(validator.iter_errors(value)), None)
    if error is not None:
        at = "/".join(str(p) for p in error.instance_path)
        raise HTTPError(400, f"Bad Request: {where}{'/' + at if at else ''}: {error.message}")


#: query parameters PowerSchool is known to ignore (wire-facts 1.7, 3 #9)
IGNORED_QUERY = frozenset({"_", "pagesize"})


async def validate_request(
    request: web.Request, operation_id: str, *, strict_query: bool = True
) -> None:
    """400 unless the path, query and JSON body match the operation's schemas."""
    declared = QUERY_PARAMETERS.get(operation_id, {})
    if strict_query:
        unknown = sorted(set(request.query) - declared.keys() - IGNORED_QUERY)
        if unknown:
            raise HTTPError(
                400,
                f"Bad Request: unknown query parameter(s) {', '.join(map(repr, unknown))}; "
                f"this operation takes {', '.join(sorted(declared)) or 'none'}",
            )
    for name, schema in PATH_PARAMETERS.get(operation_id, {}).items():
        raw = request.match_info.get(name, "")
        _check(
            _validator("path", operation_id, name), _typed(raw, schema), f"path parameter {name}"
        )
    for name, schema in QUERY_PARAMETERS.get(operation_id, {}).items():
        values = request.query.getall(name, [])
        if len(values) > 1:
            raise HTTPError(
                400, f"Bad Request: query parameter {name} is given {len(values)} times"
            )
        if values:
            _check(
                _validator("query", operation_id, name),
                _typed(values[0], schema),
                f"query parameter {name}",
            )
    if REQUEST_BODIES.get(operation_id) is None:
        return
    raw_body = await request.read()
    if not raw_body:
        raise HTTPError(400, "Bad Request: a JSON request body is required")
    try:
        body = orjson.loads(raw_body)
    except orjson.JSONDecodeError as exc:
        raise HTTPError(400, f"Bad Request: malformed JSON ({exc})") from None
    _check(_validator("body", operation_id), body, "body")
    request[BODY] = body
