"""The sentinel for "no value given", distinct from ``None`` and ``""``."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeAlias


__all__ = ["UNSET", "Unset"]


class _UnsetType(enum.Enum):
    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _UnsetType.UNSET
"""Marks a value that was not given (as opposed to ``None``, "clear it")."""

Unset: TypeAlias = Literal[_UnsetType.UNSET]
"""The type of :data:`UNSET`, for annotations like ``str | Unset``."""
