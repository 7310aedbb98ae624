"""One attempt's bookkeeping: timeouts within a deadline, the log record, errors from answers."""

from __future__ import annotations

import logging
import time

import aiohttp
import cattrs
import orjson

from powerschool_xte import _converter, models
from powerschool_xte._exceptions import (
    APIConnectionError,
    APITimeoutError,
    OAuthError,
    RequestInfo,
    error_class,
)
from powerschool_xte._operation import Operation
from powerschool_xte._resource import Response

log = logging.getLogger("powerschool_xte")


def connection_error(
    operation: Operation, info: RequestInfo, exc: BaseException, *, timed_out: bool
) -> APIConnectionError:
    what = "timed out" if timed_out else f"failed ({type(exc).__name__}: {exc})"
    cls = APITimeoutError if timed_out else APIConnectionError
    return cls(
        f"{operation.method} {operation.path} {what} after {info.attempts} attempt(s); it may or "
        "may not have been processed"
        + (" (safe to repeat)" if operation.idempotent else " (look before repeating it)"),
        request=info,
    )


def within(timeout: aiohttp.ClientTimeout, deadline: float | None) -> aiohttp.ClientTimeout:
    """The attempt's timeout, shortened so that the call's deadline holds."""
    if deadline is None:
        return timeout
    left = max(0.001, deadline - time.monotonic())
    if timeout.total is not None and timeout.total <= left:
        return timeout
    return aiohttp.ClientTimeout(
        total=left,
        connect=timeout.connect,
        sock_read=timeout.sock_read,
        sock_connect=timeout.sock_connect,
    )


def in_time(deadline: float | None, wait: float) -> bool:
    return deadline is None or time.monotonic() + wait < deadline


def timeout_from(value: float | aiohttp.ClientTimeout | None) -> aiohttp.ClientTimeout | None:
    if value is None or isinstance(value, aiohttp.ClientTimeout):
        return value
    return aiohttp.ClientTimeout(total=float(value), connect=min(10.0, float(value)))


def log_attempt(
    operation: Operation, status: int | None, elapsed: float, attempt: int, failure: str | None
) -> None:
    level = logging.DEBUG if status is not None and status < 400 else logging.INFO
    if log.isEnabledFor(level):
        log.log(
            level,
            "%s %s -> %s in %.1f ms (attempt %d)",
            operation.method,
            operation.path,
            status if status is not None else failure,
            elapsed * 1000,
            attempt,
            extra={
                "xte_method": operation.method,
                "xte_path": operation.path,
                "xte_status": status,
                "xte_duration_ms": round(elapsed * 1000, 1),
                "xte_attempt": attempt,
            },
        )


def status_error(response: Response, *, token_endpoint: bool) -> Exception:
    text = response.content.decode("utf-8", "replace")
    body: models.ErrorBody | None = None
    try:
        decoded = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        decoded = None
    if isinstance(decoded, dict):
        if token_endpoint and "error" in decoded and "message" not in decoded:
            decoded = {
                "message": " ".join(
                    str(decoded[k]) for k in ("error", "error_description") if decoded.get(k)
                )
            }
        try:
            body = _converter.structure(decoded, models.ErrorBody)
        except (cattrs.BaseValidationError, TypeError, ValueError):
            body = None
    cls = (
        OAuthError
        if token_endpoint and response.status in (400, 401, 403)
        else error_class(response.status)
    )
    return cls(
        status=response.status,
        request=response.request,
        body=body,
        text=text[:5000],
        headers=response.headers,
    )
