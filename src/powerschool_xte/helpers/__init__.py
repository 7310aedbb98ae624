"""Bulk helpers: concurrent, chunked score writes with one outcome per input score."""

from __future__ import annotations

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
    "put_scores",
    "streaming_put_scores",
]
