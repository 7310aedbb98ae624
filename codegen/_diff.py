"""`python -m codegen --diff OLD.yaml`: what a new spec changes, before regenerating.

Lists operations, parameters, responses, schemas, fields and enum values that were added,
removed or changed between two spec files, plus changes of the `x-` rules the runtime obeys
(`x-retry-on`, `x-available-since`, `x-accessible-to`, `x-idempotent`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from codegen._spec import raw_operations, resolve

RULES = (
    "x-retry-on",
    "x-available-since",
    "x-accessible-to",
    "x-idempotent",
    "x-method",
    "x-internal",
    "tags",
)


def _ops(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{method.upper()} {path}": op for path, method, op in raw_operations(doc)}


def _params(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """``in:name`` -> everything about the parameter that matters to the SDK (prose left out)."""
    out = {}
    for raw in op["parameters"]:
        p = resolve(doc, raw)
        out[f"{p['in']}:{p['name']}"] = {
            k: v for k, v in p.items() if k not in ("description", "name", "in")
        }
    return out


def _schema_shape(schema: Any) -> Any:
    """A schema without its prose: what changes generated code, validation or x- rules."""
    if not isinstance(schema, dict):
        return schema
    return {k: v for k, v in schema.items() if k not in ("description", "title", "examples")}


def diff_specs(old_path: Path, new_path: Path) -> str:
    """A readable report of the differences from ``old_path`` to ``new_path``."""
    old, new = yaml.safe_load(old_path.read_text()), yaml.safe_load(new_path.read_text())
    lines: list[str] = []
    add = lines.append
    old_ops, new_ops = _ops(old), _ops(new)
    for key in sorted(new_ops.keys() - old_ops.keys()):
        add(f"+ operation {key} ({new_ops[key].get('operationId')})")
    for key in sorted(old_ops.keys() - new_ops.keys()):
        add(f"- operation {key} ({old_ops[key].get('operationId')})")
    for key in sorted(old_ops.keys() & new_ops.keys()):
        a, b = old_ops[key], new_ops[key]
        for rule in RULES:
            if a.get(rule) != b.get(rule):
                add(f"~ operation {key}: {rule} {a.get(rule)!r} -> {b.get(rule)!r}")
        pa, pb = _params(old, a), _params(new, b)
        for p in sorted(pb.keys() - pa.keys()):
            add(f"+ parameter {key} {p}{' (required)' if pb[p]['required'] else ''}")
        for p in sorted(pa.keys() - pb.keys()):
            add(f"- parameter {key} {p}")
        for p in sorted(pa.keys() & pb.keys()):
            if pa[p] != pb[p]:
                add(f"~ parameter {key} {p}: {pa[p]} -> {pb[p]}")
        ra, rb = set(map(str, a.get("responses", {}))), set(map(str, b.get("responses", {})))
        for s in sorted(rb - ra):
            add(f"+ response {key} {s}")
        for s in sorted(ra - rb):
            add(f"- response {key} {s}")
        if a.get("requestBody") != b.get("requestBody"):
            add(f"~ request body {key}")
    old_s = (old.get("components") or {}).get("schemas") or {}
    new_s = (new.get("components") or {}).get("schemas") or {}
    for name in sorted(new_s.keys() - old_s.keys()):
        add(f"+ schema {name}")
    for name in sorted(old_s.keys() - new_s.keys()):
        add(f"- schema {name}")
    for name in sorted(old_s.keys() & new_s.keys()):
        a, b = old_s[name], new_s[name]
        if a.get("enum") != b.get("enum"):
            ea, eb = a.get("enum") or [], b.get("enum") or []
            for v in [v for v in eb if v not in ea]:
                add(f"+ enum value {name}.{v}")
            for v in [v for v in ea if v not in eb]:
                add(f"- enum value {name}.{v}")
        fa, fb = a.get("properties") or {}, b.get("properties") or {}
        for f in sorted(fb.keys() - fa.keys()):
            add(f"+ field {name}.{f}")
        for f in sorted(fa.keys() - fb.keys()):
            add(f"- field {name}.{f}")
        for f in sorted(fa.keys() & fb.keys()):
            if _schema_shape(fa[f]) != _schema_shape(fb[f]):
                add(f"~ field {name}.{f}: {_schema_shape(fa[f])} -> {_schema_shape(fb[f])}")
        if set(a.get("required") or []) != set(b.get("required") or []):
            add(f"~ schema {name}: required {a.get('required')} -> {b.get('required')}")
    if not lines:
        return f"no differences that affect the SDK between {old_path} and {new_path}"
    return "\n".join(lines)
