"""`python -m codegen [--check] [--diff OLD.yaml] [--spec PATH] [--root DIR]`."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from codegen._render import OWNED, render

ROOT = Path(__file__).resolve().parent.parent


def _tree(base: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(base)): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _drift(fresh_root: Path, project_root: Path) -> list[str]:
    problems: list[str] = []
    for owned in OWNED:
        want, have = _tree(fresh_root / owned), _tree(project_root / owned)
        for name in sorted(want.keys() | have.keys()):
            if name not in have:
                problems.append(f"missing: {owned / name}")
            elif name not in want:
                problems.append(f"not generated (remove it): {owned / name}")
            elif want[name] != have[name]:
                problems.append(f"differs: {owned / name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--spec", type=Path, default=None, help="spec file (openapi/xte.yaml)")
    parser.add_argument("--root", type=Path, default=ROOT, help="project root to write into")
    parser.add_argument("--check", action="store_true", help="fail if the tree is not fresh")
    parser.add_argument("--diff", type=Path, metavar="OLD", help="show what changes from OLD")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()
    spec_path: Path = (args.spec or root / "openapi" / "xte.yaml").resolve()

    if args.diff is not None:
        from codegen._diff import diff_specs

        print(diff_specs(args.diff, spec_path))
        return 0

    with tempfile.TemporaryDirectory(prefix="xte-codegen-") as tmp:
        fresh = Path(tmp)
        render(spec_path, fresh, root)
        if args.check:
            problems = _drift(fresh, root)
            if problems:
                print("generated code is out of date with", spec_path, file=sys.stderr)
                for line in problems:
                    print("  " + line, file=sys.stderr)
                print("run `python -m codegen` and commit the result", file=sys.stderr)
                return 1
            print("generated code is up to date")
            return 0
        for owned in OWNED:
            target = root / owned
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(fresh / owned, target)
    print("generated", ", ".join(str(o) for o in OWNED))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
