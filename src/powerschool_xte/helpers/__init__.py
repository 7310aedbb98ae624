"""Helpers: bulk score writes with one outcome per score, and creates that happen once."""

from __future__ import annotations

from powerschool_xte.helpers._assignments import create_assignment, existing_assignment_ids
from powerschool_xte.helpers._bulk import (
    BulkPutError,
    BulkResult,
    ItemOutcome,
    ScoreItem,
    put_scores,
    streaming_put_scores,
)

__all__ = [
    "BulkPutError",
    "BulkResult",
    "ItemOutcome",
    "ScoreItem",
    "create_assignment",
    "existing_assignment_ids",
    "put_scores",
    "streaming_put_scores",
]
