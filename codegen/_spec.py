"""Read `openapi/xte.yaml` into a small frozen IR for the endpoint templates.

The reader is strict: our spec is hand-written, so anything the templates cannot express is a hard
error naming the JSON pointer, never a silent skip.
"""

from __future__ import annotations

import hashlib
import keyword
from pathlib import Path
from typing import Any

import attrs
import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


class SpecError(Exception):
    """The spec uses something the generator does not support."""


@attrs.frozen
class Param:
    name: str
    python_name: str
    location: str  # "path" | "query"
    required: bool
    python_type: str
    description: str
    client_default: str | None
    required_for_plugins: bool


@attrs.frozen
class Response:
    status: str
    description: str


@attrs.frozen
class Operation:
    operation_id: str
    method: str
    path: str
    resource: str
    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    body_type: str | None
    body_required: bool
    result_kind: str  # "model" | "created" | "none"
    result_type: str
    responses: tuple[Response, ...]
    retry_on: tuple[int, ...]
    idempotent: bool
    available_since: str
    accessible_to: tuple[str, ...]
    internal: bool


@attrs.frozen
class Spec:
    text: bytes
    sha256: str
    tags: dict[str, str]
    operations: tuple[Operation, ...]


def load(path: Path) -> Spec:
    """Parse and validate the spec at ``path``."""
    text = path.read_bytes()
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1"):
        raise SpecError(f"{path}: expected an OpenAPI 3.1 document")
    tags = {t["name"]: str(t.get("description", "")) for t in doc.get("tags", [])}
    ops = [_operation(doc, path, method, op, tags) for path, method, op in raw_operations(doc)]
    ids = [o.operation_id for o in ops]
    if len(ids) != len(set(ids)):
        raise SpecError("operationId values are not unique")
    names = [(o.resource, o.name) for o in ops]
    if len(names) != len(set(names)):
        raise SpecError("two operations share a tag and an x-method")
    return Spec(
        text=text,
        sha256=hashlib.sha256(text).hexdigest(),
        tags=tags,
        operations=tuple(ops),
    )


def raw_operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation, path-level parameters merged in."""
    out = []
    for path, item in (doc.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                op = dict(item[method])
                op["parameters"] = [*item.get("parameters", []), *op.get("parameters", [])]
                out.append((path, method, op))
    return out


def resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise SpecError(f"external $ref not supported: {ref}")
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def _python_type(doc: dict[str, Any], schema: Any, pointer: str) -> str:
    resolved = resolve(doc, schema)
    if resolved.get("x-id-list"):
        return "IdsArg"
    kinds = {"integer": "int", "boolean": "bool", "string": "str", "number": "float"}
    if resolved.get("type") in kinds:
        return kinds[resolved["type"]]
    raise SpecError(f"{pointer}: unsupported parameter schema {resolved!r}")


def _model_type(doc: dict[str, Any], schema: Any, pointer: str) -> str:
    name = _ref_name(schema)
    if name is not None:
        return f"models.{name}"
    if isinstance(schema, dict) and schema.get("type") == "array":
        return f"builtins.list[{_model_type(doc, schema.get('items'), pointer + '/items')}]"
    raise SpecError(f"{pointer}: bodies must be a $ref to a component schema or an array of one")


def _operation(
    doc: dict[str, Any], path: str, method: str, op: dict[str, Any], tags: dict[str, str]
) -> Operation:
    pointer = f"#/paths/{path.replace('/', '~1')}/{method}"
    for key in ("operationId", "tags", "x-method", "summary", "x-available-since"):
        if key not in op:
            raise SpecError(f"{pointer}: missing {key}")
    resource = op["tags"][0]
    if resource not in tags:
        raise SpecError(f"{pointer}: tag {resource!r} is not declared under tags")
    params: list[Param] = []
    for i, raw in enumerate(op.get("parameters", [])):
        p = resolve(doc, raw)
        where = f"{pointer}/parameters/{i}"
        if p["in"] not in ("path", "query"):
            raise SpecError(f"{where}: parameters in {p['in']!r} are not supported")
        py_type = _python_type(doc, p["schema"], where + "/schema")
        py_name = p["name"] + "_" if keyword.iskeyword(p["name"]) else p["name"]
        params.append(
            Param(
                name=p["name"],
                python_name=py_name,
                location=p["in"],
                required=bool(p.get("required", False)) or p["in"] == "path",
                python_type=py_type,
                description=" ".join(str(p.get("description", "")).split()),
                client_default=p.get("x-client-default"),
                required_for_plugins=bool(p.get("x-required-for-plugins", False)),
            )
        )
    body_type = None
    body_required = False
    if "requestBody" in op:
        rb = resolve(doc, op["requestBody"])
        content = rb.get("content", {})
        if "application/json" in content:
            body_type = _model_type(doc, content["application/json"]["schema"], pointer)
            body_required = bool(rb.get("required", False))
        elif not op.get("x-internal"):
            raise SpecError(f"{pointer}: only application/json bodies are generated")
    responses = op.get("responses", {})
    success = sorted(s for s in responses if str(s).startswith("2"))
    if not success:
        raise SpecError(f"{pointer}: no 2xx response")
    ok = resolve(doc, responses[success[0]])
    content = ok.get("content", {})
    if "application/json" in content:
        result_kind = "model"
        result_type = _model_type(doc, content["application/json"]["schema"], pointer)
    elif "Location" in ok.get("headers", {}):
        result_kind, result_type = "created", "Created"
    else:
        result_kind, result_type = "none", "None"
    resp = tuple(
        Response(str(s), " ".join(str(resolve(doc, r).get("description", "")).split()))
        for s, r in sorted(responses.items(), key=lambda kv: str(kv[0]))
    )
    return Operation(
        operation_id=op["operationId"],
        method=method.upper(),
        path=path,
        resource=resource,
        name=op["x-method"],
        summary=str(op["summary"]),
        description=str(op.get("description", "")).strip(),
        params=tuple(params),
        body_type=body_type,
        body_required=body_required,
        result_kind=result_kind,
        result_type=result_type,
        responses=resp,
        retry_on=tuple(int(s) for s in op.get("x-retry-on", [])),
        idempotent=bool(op.get("x-idempotent", method in ("get", "put", "delete"))),
        available_since=str(op["x-available-since"]),
        accessible_to=tuple(op.get("x-accessible-to", [])),
        internal=bool(op.get("x-internal", False)),
    )
