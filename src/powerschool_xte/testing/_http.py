"""Request context, PowerSchool-style errors and small parsing helpers for the handlers."""

from __future__ import annotations

from typing import Any, TypeGuard

import attrs
import orjson
from aiohttp import web

from powerschool_xte._operation import Operation


@attrs.define
class Ctx:
    """Who is calling, resolved by the simulator's auth step."""

    operation: Operation
    client_id: str | None = None
    users_dcid: int | None = None
    #: "PLUGINS" for OAuth bearer tokens, "TEACHERS" for a PowerTeacher Pro session cookie
    role: str | None = None


class HTTPError(Exception):
    """Raised by handlers; becomes a PowerSchool-style JSON error response."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.headers = status, message, errors, headers


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=orjson.dumps(data), status=status, headers=headers, content_type="application/json"
    )


def error_response(err: HTTPError) -> web.Response:
    body: dict[str, Any] = {"message": err.message}
    if err.errors is not None:
        body["errors"] = err.errors
    return json_response(body, err.status, err.headers)


def validation(resource: str, field: str, code: str, message: str, **params: Any) -> HTTPError:
    """409 "Validation Error" with one ``errors[]`` item."""
    return HTTPError(
        409,
        f"Validation Error: {message}",
        [{"resource": resource, "field": field, "code": code, "params": params}],
    )


def locked_term(resource: str, term_id: int) -> HTTPError:
    return HTTPError(
        409,
        "Locked Term",
        [
            {
                "resource": resource,
                "field": "termid",
                "code": "LockedTerm",
                "params": {"term_id": term_id},
            }
        ],
    )


def parse_int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 19 or int(value) > 2**63 - 1:
        raise HTTPError(400, f"{name} must be an integer id, got {value[:40]!r}")
    return int(value)


def path_id(request: web.Request, name: str) -> int:
    """An int64 id from the path (400 otherwise)."""
    raw = request.match_info[name]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > 2**63 - 1:
        raise HTTPError(400, f"Bad Request: {name} must be an int64 id, got {raw[:40]!r}")
    return int(raw)


def parse_ids(value: str | None, name: str) -> list[int]:
    if not value:
        raise HTTPError(400, f"{name} is required")
    out = [parse_int(v, name) for v in value.split(",")]
    if any(v is None for v in out):
        raise HTTPError(400, f"{name} must be a comma-separated list of ids")
    return [v for v in out if v is not None]


def parse_bool(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise HTTPError(400, f"{name} must be true or false, got {value[:20]!r}")


def is_id(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def id_list(body: dict[str, Any], key: str) -> list[int]:
    raw = body.get(key, [])
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(is_id(v) for v in raw):
        raise HTTPError(400, f"{key} must be an array of ids")
    return list(raw)


async def read_json(request: web.Request) -> Any:
    from powerschool_xte.testing._validate import BODY

    if BODY in request:
        return request[BODY]
    raw = await request.read()
    if not raw:
        raise HTTPError(400, "A JSON request body is required")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise HTTPError(400, f"Malformed JSON: {exc}") from None


async def read_object(request: web.Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise HTTPError(400, "The request body must be a JSON object")
    return body
