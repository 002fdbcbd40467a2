"""Field mappings: which HubSpot property pairs with which QBO field."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping

import attrs

from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._record import Direction, FieldValue, Side
from hsqbo._transforms import (
    TransformError,
    compile_transform,
    transform_problems,
)


__all__ = ["FieldMap", "Transform", "TransformError", "is_empty"]

Transform = str | Callable[[FieldValue], FieldValue]
"""A named transform (``"lower"``, ``"decimal:2"``) or a Python callable."""


def is_empty(value: FieldValue) -> bool:
    """
    Tell whether a value counts as "no value".

    ``None``, an empty or whitespace-only string, and an empty tuple or
    mapping are empty; ``0``, ``False`` and dates are values.

    >>> from hsqbo._mapping import is_empty
    >>> [is_empty(v) for v in (None, "  ", (), 0, False)]
    [True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple | Mapping):
        return not value
    return False


def callable_name(fn: Callable[..., object]) -> str:
    """Name a callable as ``module.qualname`` (stable across runs)."""
    owner = getattr(fn, "__objclass__", None)  # methods of builtin types
    module = (
        getattr(fn, "__module__", None)
        or getattr(owner, "__module__", None)
        or "?"
    )
    qualname = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return f"{module}.{qualname}"


def _check_transform(
    instance: FieldMap,
    attribute: attrs.Attribute[Transform | None],
    value: object,
) -> None:
    del instance, attribute
    if value is None or (callable(value) and not isinstance(value, str)):
        return
    if not isinstance(value, str):
        raise ConfigError(
            [
                ConfigProblem(
                    "transform",
                    f"expected a transform name or a callable, got "
                    f"{type(value).__name__}",
                )
            ]
        )
    problems = transform_problems(value)
    if problems:
        raise ConfigError([ConfigProblem("transform", p) for p in problems])


@functools.lru_cache(maxsize=256)
def _compiled(spec: str) -> Callable[[FieldValue], FieldValue]:
    return compile_transform(spec)


@attrs.frozen
class FieldMap:
    """
    One mapped field: a HubSpot property and a QBO field path.

    Args:
        hubspot: The HubSpot property's internal name (``email``).
        qbo: The QBO field as a dotted path (``PrimaryEmailAddr.Address``),
            ``CustomField[<Name>]`` for an invoice custom field, or a
            virtual ``hsqbo.<name>`` path the planner derives.
        direction: Which way this field may flow; combined with the
            object's direction (both must allow a write).
        transform: A transform name (``strip``, ``lower``, ``upper``,
            ``digits``, ``phone``, ``decimal``, ``decimal:N``, ``date``,
            ``datetime``, ``bool``, ``text``; join several with ``|``) or a
            Python callable (not serialisable).
        empty_overwrites: Whether an empty value may wipe a filled one on
            the other side. Off by default: an empty value never clears data.

    Raises:
        ConfigError: The transform name is not valid.

    >>> m = FieldMap("phone", "PrimaryPhone.FreeFormNumber", transform="phone")
    >>> m.normalize(" +1 (555) 010-0000 ")
    '+15550100000'
    >>> m.key
    'phone=PrimaryPhone.FreeFormNumber'

    .. versionadded:: 0.1.0
    """

    hubspot: str
    qbo: str
    direction: Direction = attrs.field(
        default=Direction.TWO_WAY, converter=Direction, kw_only=True
    )
    transform: Transform | None = attrs.field(
        default=None, kw_only=True, validator=_check_transform
    )
    empty_overwrites: bool = attrs.field(default=False, kw_only=True)

    @property
    def key(self) -> str:
        """The stable identifier of the mapped pair, ``"<hubspot>=<qbo>"``."""
        return f"{self.hubspot}={self.qbo}"

    @property
    def transform_name(self) -> str | None:
        """The transform's name; callables as ``module.qualname``."""
        if self.transform is None or isinstance(self.transform, str):
            return self.transform
        return callable_name(self.transform)

    @property
    def fingerprint(self) -> str:
        """
        A stable hash of everything that decides what this mapping writes.

        It changes when the pair, the direction, the transform or
        ``empty_overwrites`` changes, so the state store can tell that the
        base values of this field are stale and a backfill is due.
        """
        payload = json.dumps(
            [
                self.hubspot,
                self.qbo,
                self.direction.value,
                self.transform_name,
                self.empty_overwrites,
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def normalize(self, value: FieldValue) -> FieldValue:
        """
        Return the canonical value used to compare and to write.

        The transform is applied and every empty value becomes ``None``;
        applying it twice gives the same result.

        Raises:
            TransformError: The value cannot be converted.
        """
        if is_empty(value):
            return None
        if self.transform is not None:
            if isinstance(self.transform, str):
                value = _compiled(self.transform)(value)
            else:
                value = self._call(self.transform, value)
        return None if is_empty(value) else value

    def _call(
        self, fn: Callable[[FieldValue], FieldValue], value: FieldValue
    ) -> FieldValue:
        try:
            return fn(value)
        except TransformError:
            raise
        except (
            ValueError,
            TypeError,
            ArithmeticError,
            LookupError,
            AttributeError,
        ) as exc:
            raise TransformError(callable_name(fn), value, str(exc)) from exc

    def writes_to(self, side: Side, object_direction: Direction) -> bool:
        """
        Tell whether this field may be written to *side*.

        Both the field's and its object's direction must allow it.

        >>> FieldMap("a", "A").writes_to(Side.QBO, Direction.QBO_TO_HUBSPOT)
        False
        """
        return self.direction.writes_to(side) and object_direction.writes_to(
            side
        )

    def reads_from(self, side: Side, object_direction: Direction) -> bool:
        """Tell whether this field may take its value from *side*."""
        return self.writes_to(side.other, object_direction)
