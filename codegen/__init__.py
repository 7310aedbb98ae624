"""Code generator: `openapi/xte.yaml` -> `src/powerschool_xte/models/` and `resources/`.

Run ``python -m codegen`` to regenerate, ``python -m codegen --check`` to fail on drift and
``python -m codegen --diff OLD.yaml`` to see what a new spec changes. The generator owns exactly
those two folders: it deletes and rewrites them on every run and writes nothing else.
"""
