"""The spec against the vendor doc: every operation, every field, every recorded resolution."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from powerschool_xte import UnsupportedOperationError, XTEClient
from powerschool_xte.resources import OPERATIONS, RESOURCES
from powerschool_xte.testing import Simulator
from tests.conftest import ROOT

SPEC = yaml.safe_load((ROOT / "openapi" / "xte.yaml").read_text())
VENDOR_DOC = ROOT.parent / "shared" / "xte" / "vendor-api-doc.md"
if not VENDOR_DOC.exists():  # CI lays shared/ beside the clone
    VENDOR_DOC = Path(__file__).resolve().parents[2] / "shared" / "xte" / "vendor-api-doc.md"
VENDOR = VENDOR_DOC.read_text(encoding="utf-8-sig") if VENDOR_DOC.exists() else None
needs_vendor_doc = pytest.mark.skipif(
    VENDOR is None, reason="shared/xte/vendor-api-doc.md is not beside the checkout"
)


def vendor_operations() -> set[tuple[str, str]]:
    assert VENDOR is not None
    return {
        (m, p)
        for m, p in re.findall(r"^### (GET|PUT|POST|DELETE|PATCH) (\S+)", VENDOR, re.MULTILINE)
    }


def vendor_models() -> dict[str, set[str]]:
    """Model name -> field names, from every ``Name { field (type...): ... }`` block."""
    assert VENDOR is not None
    models: dict[str, set[str]] = {}
    for name, body in re.findall(r"^(\w+) \{\n(.*?)^\}", VENDOR, re.MULTILINE | re.DOTALL):
        fields = set(re.findall(r"^\s+(\w+) \(", body, re.MULTILINE))
        models.setdefault(name, set()).update(fields)
    return models


def vendor_example_keys() -> set[str]:
    assert VENDOR is not None
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                keys.add(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for block in re.findall(r"```json\n(.*?)```", VENDOR, re.DOTALL):
        walk(json.loads(block))
    return keys


def spec_method(operation: tuple[str, str]) -> Any:
    method, path = operation
    [op] = [o for o in OPERATIONS.values() if o.method == method and o.path == path]
    return op


@needs_vendor_doc
def test_every_vendor_operation_is_in_the_spec_and_on_the_client() -> None:
    """17 distinct operations (19 headings, two listed twice), each with a generated method."""
    ops = vendor_operations()
    assert len(ops) == 17
    client = XTEClient("http://127.0.0.1:9", "id", "secret")
    for operation in sorted(ops):
        op = spec_method(operation)
        method = getattr(getattr(client, op.resource), op.name)
        assert inspect.iscoroutinefunction(method), operation


def test_every_operation_carries_its_x_rules() -> None:
    """x-available-since, x-accessible-to and x-retry-on as the issue asks."""
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert re.fullmatch(r"\d+\.\d+\.\d+", op["x-available-since"]), (method, path)
            assert op["x-accessible-to"], (method, path)
    retry = {(o.method, o.path): o.retry_on for o in OPERATIONS.values()}
    assert retry[("PUT", "/ws/xte/score")] == {412}
    assert retry[("PUT", "/ws/xte/score/assignment")] == {412}
    assert retry[("DELETE", "/ws/xte/section/assignment/{id}")] == frozenset()
    assert [k for k, v in retry.items() if v] == [
        ("PUT", "/ws/xte/score"),
        ("PUT", "/ws/xte/score/assignment"),
    ]
    assert OPERATIONS["createSectionAssignment"].idempotent is False
    assert OPERATIONS["putScore"].available_since == "12.0.1"
    assert OPERATIONS["putScore"].accessible_to == ("PLUGINS",)


@needs_vendor_doc
def test_every_vendor_field_is_in_the_spec_or_resolved() -> None:
    """Each field of each vendor model is a property of its schema or named in x-vendor-names."""
    schemas = SPEC["components"]["schemas"]
    by_vendor: dict[str, list[dict[str, Any]]] = {}
    for schema in schemas.values():
        for vendor_name in schema.get("x-vendor-model", []):
            by_vendor.setdefault(vendor_name, []).append(schema)
    missing = []
    for model, fields in vendor_models().items():
        assert model in by_vendor, f"vendor model {model} has no schema with x-vendor-model"
        for field in sorted(fields):
            if not any(
                field in s.get("properties", {}) or field in s.get("x-vendor-names", {})
                for s in by_vendor[model]
            ):
                missing.append(f"{model}.{field}")
    assert missing == []
    known = {
        k
        for s in schemas.values()
        for k in [*s.get("properties", {}), *s.get("x-vendor-names", {})]
    }
    assert sorted(vendor_example_keys() - known) == []


def test_every_inconsistency_of_wire_facts_section_4_is_resolved_in_the_spec() -> None:
    """#1..#21 each appear in an x-resolution(s) note (or, for #19/#20, info-level notes)."""
    text = (ROOT / "openapi" / "xte.yaml").read_text()
    notes = " ".join(re.findall(r"x-resolutions?:.*?(?=\n\S|\n  [a-zA-Z/]|\Z)", text, re.DOTALL))
    notes += " ".join(re.findall(r'- "(#\d+:.*?)"', text))
    for n in range(1, 22):
        assert re.search(rf"#{n}\b", notes), f"wire-facts 4 #{n} has no recorded resolution"


def test_id_lists_and_ids_are_typed() -> None:
    """Comma-separated id lists are IdList strings; ids are bounded int64."""
    schemas = SPEC["components"]["schemas"]
    assert schemas["Int64Id"] == {
        "type": "integer",
        "format": "int64",
        "minimum": 0,
        "maximum": 2**63 - 1,
    }
    assert schemas["IdList"]["x-id-list"] is True
    lists = []
    for item in SPEC["paths"].values():
        for op in item.values():
            for p in op.get("parameters", []) if isinstance(op, dict) else []:
                if p.get("name") in ("section_ids", "standard_ids", "grade_scale_ids"):
                    lists.append(p["schema"]["$ref"])
    assert lists
    assert set(lists) == {"#/components/schemas/IdList"}


def test_generated_docstrings_give_roles_version_and_errors() -> None:
    """Every method documents its summary, roles, minimum version and error statuses."""
    for attr, cls in RESOURCES.items():
        for op in (o for o in OPERATIONS.values() if o.resource == attr):
            doc = inspect.getdoc(getattr(cls, op.name)) or ""
            assert f"Available since PowerSchool {op.available_since}" in doc
            assert ", ".join(op.accessible_to) in doc.replace("\n", " ")
            assert "401:" in doc
            assert "Errors" in doc


async def test_operation_newer_than_the_server_raises_before_sending(sim: Simulator) -> None:
    """server_version='11.1': PUT /ws/xte/score/assignment (12.0.1) fails with no request sent."""
    from powerschool_xte import models

    async with sim.client(server_version="11.1") as xte:
        with pytest.raises(UnsupportedOperationError, match=r"needs PowerSchool 12\.0\.1"):
            await xte.scores.put_one(
                models.AssignmentScoreWrite(
                    assignmentsection=models.AssignmentSectionRef(assignmentsectionid=1),
                    studentsdcid=1,
                )
            )
        assert sim.request_log() == []
        assert len(await xte.teacher_categories.list(year_id=36)) == 5  # 10.0.0 is fine


def diff_against_current(tmp_path: Path, new_text: str) -> str:
    """What `python -m codegen --diff` says from the committed spec to ``new_text``."""
    new = tmp_path / "new.yaml"
    new.write_text(new_text)
    done = subprocess.run(
        [sys.executable, "-m", "codegen", "--diff", str(ROOT / "openapi" / "xte.yaml"), "--spec", str(new)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def test_codegen_diff_reports_what_a_new_spec_changes(tmp_path: Path) -> None:
    """--diff lists added operations, parameters, fields, enum values and changed x- rules."""
    old = (ROOT / "openapi" / "xte.yaml").read_text()
    new = old.replace(
        'x-method: put\n      x-available-since: "10.0.0"\n      x-accessible-to: [ADMIN, TEACHERS, PLUGINS]\n      x-retry-on: [412]',
        'x-method: put\n      x-available-since: "10.0.0"\n      x-accessible-to: [ADMIN, TEACHERS, PLUGINS]\n      x-retry-on: [412, 409]',
        1,
    )
    new = new.replace(
        "enum: [REAL_SCORE, SCORE_CODE]", "enum: [REAL_SCORE, SCORE_CODE, GRADE_SCALE]", 1
    )
    new = new.replace(
        "        hasstandards:\n",
        "        gradebooktype:\n          type: string\n        hasstandards:\n",
        1,
    )
    assert new.count("409]") == 1
    out = diff_against_current(tmp_path, new)
    assert "~ operation PUT /ws/xte/score: x-retry-on [412] -> [412, 409]" in out
    assert "+ enum value ActualScoreKind.GRADE_SCALE" in out
    assert "+ field Assignment.gradebooktype" in out
    quiet = diff_against_current(
        tmp_path,
        old.replace(
            "      x-client-default: users_dcid\n      x-required-for-plugins: true\n",
            "      x-client-default: users_dcid\n",
            1,
        ),
    )
    assert "~ parameter GET /ws/xte/section/assignment/ query:users_dcid" in quiet
    assert "no differences" in diff_against_current(tmp_path, old)
