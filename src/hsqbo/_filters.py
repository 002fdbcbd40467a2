"""
Filters: which records an object sync takes, with HubSpot's semantics.

A filter set is a tuple of :class:`FilterGroup`; a record passes if ANY group
passes, and a group passes if ALL its filters pass. An empty set passes
everything.
"""

from __future__ import annotations

import enum

import attrs

from hsqbo._record import FieldValue


__all__ = ["Filter", "FilterGroup", "Operator"]


class Operator(enum.Enum):
    """
    The 13 comparison operators of HubSpot's search API.

    .. versionadded:: 0.1.0
    """

    EQ = "EQ"
    NEQ = "NEQ"
    LT = "LT"
    LTE = "LTE"
    GT = "GT"
    GTE = "GTE"
    BETWEEN = "BETWEEN"
    IN = "IN"
    NOT_IN = "NOT_IN"
    HAS_PROPERTY = "HAS_PROPERTY"
    NOT_HAS_PROPERTY = "NOT_HAS_PROPERTY"
    CONTAINS_TOKEN = "CONTAINS_TOKEN"
    NOT_CONTAINS_TOKEN = "NOT_CONTAINS_TOKEN"


@attrs.frozen
class Filter:
    """
    One criterion on one property.

    .. versionadded:: 0.1.0
    """

    property: str
    operator: Operator = attrs.field(converter=Operator)
    value: FieldValue = attrs.field(default=None, kw_only=True)
    values: tuple[FieldValue, ...] = attrs.field(
        default=(), converter=tuple, kw_only=True
    )
    high_value: FieldValue = attrs.field(default=None, kw_only=True)


@attrs.frozen
class FilterGroup:
    """
    Filters that must ALL pass.

    .. versionadded:: 0.1.0
    """

    filters: tuple[Filter, ...] = attrs.field(converter=tuple)
