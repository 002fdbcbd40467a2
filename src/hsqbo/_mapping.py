"""Field mappings: which HubSpot property pairs with which QBO field."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from hsqbo._record import Direction, FieldValue


__all__ = ["FieldMap", "Transform"]

Transform = str | Callable[[FieldValue], FieldValue]
"""A named transform (``"lower"``, ``"decimal:2"``) or a Python callable."""


@attrs.frozen
class FieldMap:
    """
    One mapped field.

    .. versionadded:: 0.1.0
    """

    hubspot: str
    qbo: str
    direction: Direction = attrs.field(
        default=Direction.TWO_WAY, converter=Direction, kw_only=True
    )
    transform: Transform | None = attrs.field(default=None, kw_only=True)
    empty_overwrites: bool = attrs.field(default=False, kw_only=True)
