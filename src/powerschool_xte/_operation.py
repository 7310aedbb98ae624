"""`Operation`: one spec operation as data (the generated `OPERATIONS` table holds them all)."""

from __future__ import annotations

import attrs


@attrs.frozen
class Operation:
    """Routing, access and retry facts of one operation, straight from `openapi/xte.yaml`."""

    operation_id: str
    method: str
    path: str
    resource: str
    name: str
    #: statuses that are safe to resubmit unchanged (`x-retry-on`, 412 on the score PUTs)
    retry_on: frozenset[int]
    #: repeating the request cannot do harm (`x-idempotent`): 502/504/connection errors retry
    idempotent: bool
    available_since: str
    accessible_to: tuple[str, ...]
    internal: bool = False
    #: names of the query parameters the operation takes, and those it requires
    query_params: tuple[str, ...] = ()
    required_query: tuple[str, ...] = ()
    #: (query parameter, ClientOptions attribute) filled from the client when not given
    #: (``x-client-default``)
    client_defaults: tuple[tuple[str, str], ...] = ()
    #: query parameters OAuth clients must send (``x-required-for-plugins``: users_dcid)
    plugin_required_query: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``PUT /ws/xte/score``."""
        return f"{self.method} {self.path}"
