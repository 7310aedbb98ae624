"""The seam between generated resource classes and the hand-written runtime.

Generated code imports only this module, `powerschool_xte.models` and the generated operation
table. Everything that touches the network is behind `APIResource._send`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import attrs
import cattrs
import orjson

from powerschool_xte import _converter
from powerschool_xte._exceptions import APIResponseValidationError, RequestInfo
from powerschool_xte._retry import RetryPolicy

if TYPE_CHECKING:
    from powerschool_xte._client import XTEClient
    from powerschool_xte._operation import Operation

T = TypeVar("T")

#: a comma-separated id list: one id, several ids, or the list already joined ("1,2,3")
IdsArg: TypeAlias = int | str | Sequence[int]


@attrs.frozen(kw_only=True)
class RequestOptions:
    """Per-call overrides. ``None`` means "use the client's setting"."""

    #: seconds for each attempt of the call (connect at most 10 s of it)
    timeout: float | None = None
    retry: RetryPolicy | None = None
    extra_headers: Mapping[str, str] | None = None


@attrs.frozen
class Response:
    """A raw HTTP response, already read."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    request: RequestInfo


@attrs.frozen
class Created:
    """The result of a create that answers 201 with an empty body."""

    #: the new id: the last path segment of ``Location`` (for assignments: the assignmentid)
    id: int
    location: str
    #: the new assignmentsectionids (the ids score writes need; NOT SECTIONS.DCID), in the order
    #: of the body's ``_assignmentsections``, from the ``AssignmentSectionIds`` header (empty
    #: when PowerSchool did not send it: read the assignment with ``get(id)`` then)
    assignmentsection_ids: tuple[int, ...] = ()


def parse_created(response: Response) -> Created:
    """Read the new id from ``Location`` and assignmentsectionids from ``AssignmentSectionIds``."""
    location = response.headers.get("Location", "")
    last = location.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    if not last.isdigit():
        raise APIResponseValidationError(
            f"201 without a usable Location header (got {location!r}); the object was created, "
            "look it up before creating it again",
            request=response.request,
            text=location,
        )
    section_ids: tuple[int, ...] = ()
    raw = response.headers.get("AssignmentSectionIds")
    if raw:
        try:
            decoded = orjson.loads(raw)
        except orjson.JSONDecodeError:
            decoded = None
        if isinstance(decoded, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in decoded
        ):
            section_ids = tuple(decoded)
    return Created(id=int(last), location=location, assignmentsection_ids=section_ids)


class APIResource:
    """Base class of the generated resource groups (``client.scores`` ...)."""

    def __init__(self, client: XTEClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    async def _send(
        self,
        operation: Operation,
        *,
        path: Mapping[str, Any],
        query: Mapping[str, Any],
        body: Any,
        options: RequestOptions | None,
    ) -> Response:
        return await self._client._send(
            operation, path=path, query=query, body=body, options=options
        )

    @staticmethod
    def _parse(response: Response, cl: type[T]) -> T:
        text = response.content
        try:
            return _converter.structure(orjson.loads(text), cl)
        except (orjson.JSONDecodeError, cattrs.BaseValidationError, TypeError, ValueError) as exc:
            detail = (
                "; ".join(cattrs.transform_error(exc))
                if isinstance(exc, cattrs.BaseValidationError)
                else str(exc)
            )
            raise APIResponseValidationError(
                f"{response.status} body of {response.request.method} "
                f"{response.request.path_template} does not match the spec: {detail}",
                request=response.request,
                text=text[:2000].decode("utf-8", "replace"),
            ) from exc

    @staticmethod
    def _created(response: Response) -> Created:
        return parse_created(response)
