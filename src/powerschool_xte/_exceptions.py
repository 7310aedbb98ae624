"""Everything the SDK raises.

::

    XTEError                                base of everything we raise
    ├── APIError                            .message, .request (RequestInfo: method, path template, url, attempts)
    │   ├── APIConnectionError              the request may or may not have reached PowerSchool
    │   │   └── APITimeoutError
    │   ├── APIStatusError                  .status, .body (parsed ErrorBody or None), .errors, .text, .headers
    │   │   ├── BadRequestError             400
    │   │   ├── AuthenticationError         401 (after a refresh and replay with each new token)
    │   │   │   └── OAuthError              the token endpoint refused the client credentials
    │   │   ├── PermissionDeniedError       403 (wrong section, missing plugin field grant, wrong role)
    │   │   ├── NotFoundError               404
    │   │   ├── ConflictError               409 validation error or locked term: never retried
    │   │   ├── PreconditionFailedError     412 "Resubmit" (score PUTs, after the resubmit budget) or
    │   │   │                               "has grades" (DELETE assignment without force)
    │   │   ├── RateLimitError              429; .retry_after
    │   │   └── InternalServerError         >= 500
    │   └── APIResponseValidationError      a 2xx body that does not match the spec
    └── UnsupportedOperationError           the operation is newer than the configured server_version

No exception, repr or message ever contains an access token, a client secret or an
``Authorization`` header: `RequestInfo` records the method, the path template and the URL only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from powerschool_xte import models


@attrs.frozen
class RequestInfo:
    """What was asked, without credentials."""

    method: str
    path_template: str
    url: str
    operation_id: str
    attempts: int = 1


class XTEError(Exception):
    """Base class of every error this package raises."""


class UnsupportedOperationError(XTEError):
    """The operation needs a newer PowerSchool than the client was told the server runs."""

    def __init__(self, label: str, needs: str, server_version: str) -> None:
        self.label, self.needs, self.server_version = label, needs, server_version
        super().__init__(
            f"{label} needs PowerSchool {needs} or newer; this client is configured for "
            f"server_version={server_version!r}. No request was sent."
        )


class APIError(XTEError):
    """An API call failed."""

    def __init__(self, message: str, *, request: RequestInfo | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__))


def _rebuild(cls: type[APIError], state: dict[str, Any]) -> APIError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class APIConnectionError(APIError):
    """The connection failed; PowerSchool may or may not have processed the request."""


class APITimeoutError(APIConnectionError):
    """The request timed out; PowerSchool may or may not have processed it."""


class APIResponseValidationError(APIError):
    """A successful response whose body does not match the spec."""

    def __init__(self, message: str, *, request: RequestInfo | None, text: str) -> None:
        super().__init__(message, request=request)
        self.text = text


class APIStatusError(APIError):
    """PowerSchool answered with an error status."""

    status_code: ClassVar[int | None] = None

    def __init__(
        self,
        *,
        status: int,
        request: RequestInfo,
        body: models.ErrorBody | None,
        text: str,
        headers: Mapping[str, str],
    ) -> None:
        self.status = status
        self.body = body
        self.text = text
        self.headers = dict(headers)
        super().__init__(_describe(status, request, body, text), request=request)

    @property
    def errors(self) -> list[models.ErrorItem]:
        """The ``errors[]`` items of PowerSchool's error body (empty if there were none)."""
        return list(self.body.errors or []) if self.body is not None else []

    @property
    def server_message(self) -> str | None:
        """PowerSchool's ``message``."""
        return self.body.message if self.body is not None else None


def _describe(status: int, request: RequestInfo, body: models.ErrorBody | None, text: str) -> str:
    head = f"{status} on {request.method} {request.path_template}"
    if request.attempts > 1:
        head += f" after {request.attempts} attempts"
    if body is not None and (body.message or body.errors):
        detail = body.message or ""
        for item in body.errors or []:
            bits = [b for b in (item.field, item.code) if b]
            if item.params:
                bits.append(", ".join(f"{k}={v}" for k, v in sorted(item.params.items())))
            if bits:
                detail += ("; " if detail else "") + " ".join(bits)
        return f"{head}: {detail}"
    snippet = " ".join(text.split())[:200]
    return f"{head}: {snippet}" if snippet else head


class BadRequestError(APIStatusError):
    """400."""

    status_code = 400


class AuthenticationError(APIStatusError):
    """401: the token was refused even after one refresh."""

    status_code = 401


class OAuthError(AuthenticationError):
    """The token endpoint refused the client credentials."""


class PermissionDeniedError(APIStatusError):
    """403."""

    status_code = 403


class NotFoundError(APIStatusError):
    """404."""

    status_code = 404


class ConflictError(APIStatusError):
    """409: validation error or locked term. Retrying the same request cannot help."""

    status_code = 409


class PreconditionFailedError(APIStatusError):
    """412: "Resubmit" on score PUTs (budget exhausted) or "has grades" on a DELETE."""

    status_code = 412


class RateLimitError(APIStatusError):
    """429: the plugin's minimum request interval was not respected."""

    status_code = 429

    @property
    def retry_after(self) -> float | None:
        """Seconds PowerSchool asked us to wait, if it said."""
        from powerschool_xte._retry import parse_retry_after

        return parse_retry_after(self.headers.get("Retry-After"))


class InternalServerError(APIStatusError):
    """5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: RateLimitError,
}


def error_class(status: int) -> type[APIStatusError]:
    """The exception class for a status."""
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)
