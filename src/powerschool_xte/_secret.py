"""`Secret`: a string that never shows itself in a repr, a log line or an exception."""

from __future__ import annotations

from typing import Any, Final

_MASK: Final = "********"


class Secret:
    """Holds a client secret or an access token; only `reveal()` gives the value back."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a secret must be a string")
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({_MASK!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        # Pickling would write the secret in clear wherever the pickle goes, and a masked copy
        # would be a broken credential: refuse both. A token store serializes explicitly
        # (`CachedToken.dumps`).
        raise TypeError("a Secret cannot be pickled; a TokenStore should use CachedToken.dumps()")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __bool__(self) -> bool:
        return bool(self._value)
