"""
QBO models to :class:`~hsqbo.Record` and back, for the planner.

Fields are QBO's JSON keys as dotted paths (``PrimaryEmailAddr.Address``,
``BillAddr.City``, ``CustomerRef.value``); custom fields are
``CustomField[<Name>]``; ``Line`` and ``LinkedTxn`` stay tuples of mappings
in QBO's shape. ``version`` is the ``SyncToken`` and ``updated_at`` is
``MetaData.LastUpdatedTime`` in UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar, cast

from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._record import FieldValue, Record, Side
from hsqbo._unset import UNSET
from hsqbo.qbo._models import (
    CONVERTER,
    PLAIN,
    Entity,
    Invoice,
    _Wire,
    field_reader,
    structure,
)


__all__ = ["KEPT_WHOLE", "from_fields", "to_fields", "to_record"]

E = TypeVar("E", bound=Entity)

KEPT_WHOLE: Final = frozenset({"Line", "LinkedTxn"})
"""Arrays kept as tuples of mappings instead of being flattened."""
_SKIPPED: Final = frozenset({"Id", "SyncToken", "domain", "sparse"})
_CUSTOM: Final = re.compile(r"CustomField\[(.+)\]")


def _custom_value(field: Mapping[str, Any]) -> FieldValue:
    for key in ("StringValue", "NumberValue", "BooleanValue", "DateValue"):
        if key in field:
            value: FieldValue = field[key]
            return value
    return None


def _flatten(prefix: str, value: object, out: dict[str, FieldValue]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, inner, out)
    elif isinstance(value, list | tuple):
        out[prefix] = tuple(value)
    else:
        out[prefix] = cast("FieldValue", value)


def _shown(model: _Wire) -> tuple[list[tuple[str, object]], dict[str, object]]:
    """
    Return *model*'s set fields as (JSON key, value), and its extra keys.

    Extra keys a set field shadows are left out, as :func:`unstructure`
    does.
    """
    wires, read = field_reader(type(model))
    values = read(model)
    fields = [
        (wire, value)
        for wire, value in zip(wires, values)  # noqa: B905 - extra is last
        if value is not UNSET
    ]
    extra = values[-1]
    if extra:
        taken = {wire for wire, _ in fields}
        return fields, {k: v for k, v in extra.items() if k not in taken}
    return fields, {}


def _flatten_model(
    prefix: str, model: _Wire, out: dict[str, FieldValue]
) -> None:
    """Flatten *model* as :func:`_flatten` flattens its unstructured form."""
    # Walking the model itself skips building (then re-walking) the nested
    # dicts of its wire shape.
    wires, read = field_reader(type(model))
    values = read(model)
    for wire, value in zip(wires, values):  # noqa: B905 - extra is last
        if value is UNSET:
            continue
        path = f"{prefix}.{wire}" if prefix else wire
        if value.__class__ in PLAIN:
            out[path] = cast("FieldValue", value)
        elif isinstance(value, _Wire):
            _flatten_model(path, value, out)
        else:
            _flatten(path, CONVERTER.unstructure(value), out)
    extra = values[-1]
    if extra:
        taken = {
            wire
            for wire, value in zip(wires, values)  # noqa: B905 - as above
            if value is not UNSET
        }
        for key, value in extra.items():
            if key not in taken:
                _flatten(f"{prefix}.{key}" if prefix else key, value, out)


def _top_field(key: str, value: object, out: dict[str, FieldValue]) -> None:
    """Add one top-level key of an entity's wire shape to *out*."""
    if key in _SKIPPED:
        return
    if key == "CustomField" and isinstance(value, list | tuple):
        for field in value:
            name = field.get("Name") or field.get("DefinitionId")
            out[f"CustomField[{name}]"] = _custom_value(field)
    elif key in KEPT_WHOLE and isinstance(value, list | tuple):
        out[key] = tuple(value)
    else:
        _flatten(key, value, out)


def to_fields(entity: Entity) -> dict[str, FieldValue]:
    """
    Return *entity*'s fields as dotted paths.

    >>> from hsqbo.qbo import Customer, PhysicalAddress, to_fields
    >>> to_fields(Customer(display_name="Ada",
    ...                    bill_addr=PhysicalAddress(city="Bath")))
    {'DisplayName': 'Ada', 'BillAddr.City': 'Bath'}

    .. versionadded:: 0.1.0
    """
    out: dict[str, FieldValue] = {}
    fields, extra = _shown(entity)
    for key, value in fields:
        if value.__class__ in PLAIN:
            if key not in _SKIPPED:
                out[key] = cast("FieldValue", value)
        elif isinstance(value, _Wire):
            if key not in _SKIPPED:
                _flatten_model(key, value, out)
        else:
            # Tuples of models (lines, custom fields) in their wire shape.
            _top_field(key, CONVERTER.unstructure(value), out)
    for key, value in extra.items():
        _top_field(key, value, out)
    return out


def _is_voided(entity: Entity) -> bool:
    if not isinstance(entity, Invoice):
        return False
    note = entity.private_note
    # QBO keeps a voided invoice, zeroes it and prefixes its note.
    return (
        isinstance(note, str)
        and note.startswith("Voided")
        and entity.total_amt in (UNSET, Decimal(0))
    )


def to_record(entity: Entity) -> Record:
    """
    Return *entity* as a :class:`~hsqbo.Record` for the planner.

    ``archived`` is ``True`` for an inactive customer or item and for a
    voided invoice.

    Raises:
        ValueError: The entity has no id or no ``MetaData.LastUpdatedTime``
            (it was not read from QBO).

    .. versionadded:: 0.1.0
    """
    if entity.id is UNSET:
        msg = f"this {entity.ENTITY} has no Id; read it from QBO first"
        raise ValueError(msg)
    meta = entity.meta_data
    if meta is UNSET or meta.last_updated_time is UNSET:
        msg = f"{entity.ENTITY} {entity.id} has no MetaData.LastUpdatedTime"
        raise ValueError(msg)
    active = getattr(entity, "active", UNSET)
    return Record(
        Side.QBO,
        entity.ENTITY,
        entity.id,
        to_fields(entity),
        meta.last_updated_time,
        version=None if entity.sync_token is UNSET else entity.sync_token,
        archived=active is False or _is_voided(entity),
    )


def _set_path(target: dict[str, Any], path: str, value: object) -> None:
    parts = path.split(".")
    node = target
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            msg = f"{path} conflicts with a value at {part}"
            raise TypeError(msg)
        node = child
    node[parts[-1]] = value


def _custom_field(
    name: str, value: FieldValue, ids: Mapping[str, str]
) -> dict[str, Any]:
    field: dict[str, Any] = {"DefinitionId": ids[name], "Name": name}
    if isinstance(value, bool):
        field.update(Type="BooleanType", BooleanValue=value)
    elif isinstance(value, int | float | Decimal):
        field.update(Type="NumberType", NumberValue=Decimal(str(value)))
    elif isinstance(value, dt.date):
        field.update(Type="DateType", DateValue=value)
    elif value is not None:
        field.update(Type="StringType", StringValue=str(value))
    return field


def from_fields(
    cls: type[E],
    fields: Mapping[str, FieldValue],
    *,
    custom_field_ids: Mapping[str, str] | None = None,
) -> E:
    """
    Build a model of *cls* from dotted-path fields.

    The reverse of :func:`to_fields`; fields left out stay unset.

    Args:
        cls: The entity class, e.g. :class:`Customer`.
        fields: Dotted paths to values.
        custom_field_ids: ``DefinitionId`` by custom field name, needed for
            every ``CustomField[<Name>]`` in *fields*.

    Raises:
        ConfigError: A custom field whose definition id is not known.

    >>> from hsqbo.qbo import Customer, from_fields
    >>> customer = from_fields(
    ...     Customer,
    ...     {"DisplayName": "Ada", "PrimaryEmailAddr.Address": "a@x.example"},
    ... )
    >>> customer.primary_email_addr
    EmailAddress(address='a@x.example')

    .. versionadded:: 0.1.0
    """
    ids = custom_field_ids or {}
    wire: dict[str, Any] = {}
    custom: list[dict[str, Any]] = []
    problems = []
    for path, value in fields.items():
        match = _CUSTOM.fullmatch(path)
        if match:
            name = match.group(1)
            if name not in ids:
                problems.append(
                    ConfigProblem(
                        path,
                        f"no DefinitionId known for custom field {name!r}",
                    )
                )
                continue
            custom.append(_custom_field(name, value, ids))
        elif path in KEPT_WHOLE and isinstance(value, tuple):
            wire[path] = list(value)
        else:
            _set_path(wire, path, value)
    if problems:
        raise ConfigError(problems)
    if custom:
        wire["CustomField"] = custom
    return structure(wire, cls)
