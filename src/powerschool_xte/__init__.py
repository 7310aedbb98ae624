"""Async Python SDK for PowerSchool's XTE (PowerTeacher Pro) API."""

from __future__ import annotations

from typing import Any

from powerschool_xte import models
from powerschool_xte._auth import CachedToken, TokenStore
from powerschool_xte._client import ClientOptions, XTEClient
from powerschool_xte._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    OAuthError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    RequestInfo,
    UnsupportedOperationError,
    XTEError,
)
from powerschool_xte._resource import Created, RequestOptions
from powerschool_xte._retry import NO_RETRIES, RetryPolicy, set_testing
from powerschool_xte._secret import Secret

__all__ = [
    "NO_RETRIES",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CachedToken",
    "ClientOptions",
    "ConflictError",
    "Created",
    "InternalServerError",
    "NotFoundError",
    "OAuthError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "RequestInfo",
    "RequestOptions",
    "RetryPolicy",
    "Secret",
    "TokenStore",
    "UnsupportedOperationError",
    "XTEClient",
    "XTEError",
    "models",
    "set_testing",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("powerschool-xte")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
