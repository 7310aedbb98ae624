"""Forward-compatible string enums for the generated models.

PowerSchool adds enum values without notice (`scoretype`, `publishoption`). A closed enum would
make a whole response unparseable because of one new value, so every generated enum derives from
`OpenStrEnum`: an unknown value becomes a pseudo-member that keeps the raw string, compares equal
to it, reports ``is_known == False`` and serializes back unchanged.
"""

from __future__ import annotations

import enum
from typing import Any


class OpenStrEnum(enum.StrEnum):
    """A `StrEnum` that accepts values it does not know."""

    @classmethod
    def _missing_(cls, value: Any) -> OpenStrEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """True when the value is one the spec lists."""
        return self._value_ in type(self)._value2member_map_
