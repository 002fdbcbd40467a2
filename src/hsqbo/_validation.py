"""
Whole-config checks: paths, duplicates and the refused accounting group.

Each check returns every problem it finds, with its path relative to the
object checked, so a config with ten mistakes fails once with ten lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from hsqbo import _defaults
from hsqbo._errors import ConfigProblem
from hsqbo._filters import FilterGroup
from hsqbo._mapping import FieldMap
from hsqbo._record import Direction, Side


if TYPE_CHECKING:
    from hsqbo._config import ObjectSync, SyncConfig
    from hsqbo._deals import DealRule

__all__ = [
    "ObjectParts",
    "config_problems",
    "deal_fields_problems",
    "deal_rule_problems",
    "hubspot_name_problem",
    "identity_problems",
    "object_problems",
    "parts_problems",
    "qbo_path_problem",
]

_HUBSPOT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_HUBSPOT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_QBO_TYPE = re.compile(r"^[A-Z][A-Za-z]*$")
_QBO_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_CUSTOM_FIELD = re.compile(r"^CustomField\[([^\]]+)\]$")
_VIRTUAL = re.compile(r"^hsqbo\.[a-z][a-z0-9_]*$")
_OBJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_MAX_CUSTOM_FIELD_NAME = 30


def hubspot_name_problem(name: object) -> str | None:
    """Say what is wrong with a HubSpot property name, or ``None``."""
    if not isinstance(name, str):
        return f"expected a property name, got {type(name).__name__}"
    if not name.strip():
        return "empty property name"
    if not _HUBSPOT_NAME.match(name):
        return (
            f"invalid HubSpot property name {name!r}: use the internal name "
            "(letters, digits and underscores, starting with a letter)"
        )
    return None


def qbo_path_problem(path: object) -> str | None:
    """Say what is wrong with a QBO field path, or ``None``."""
    if not isinstance(path, str):
        return f"expected a field path, got {type(path).__name__}"
    if not path.strip():
        return "empty field path"
    if _VIRTUAL.match(path):
        return None
    custom = _CUSTOM_FIELD.match(path)
    if custom:
        name = custom.group(1)
        if not name.strip() or len(name) > _MAX_CUSTOM_FIELD_NAME:
            return f"invalid custom field name {name!r}"
        return None
    segments = path.split(".")
    valid = all(_QBO_SEGMENT.match(s) for s in segments)
    return (
        None
        if valid and segments[0][:1].isupper()
        else (
            f"invalid QBO field path {path!r}: use dotted field names "
            "(PrimaryEmailAddr.Address), CustomField[<Name>] or hsqbo.<name>"
        )
    )


def _problem(path: str, message: str | None) -> list[ConfigProblem]:
    return [] if message is None else [ConfigProblem(path, message)]


@attrs.frozen(kw_only=True)
class ObjectParts:
    """
    The readable parts of one object sync, for checks across its parts.

    Loading from plain data fills in what could be read (``None`` where a
    value was invalid, only the valid entries of each list, with their
    original index), so the checks below still report everything else.
    """

    name: str | None
    hubspot: str | None
    qbo: str | None
    direction: Direction | None
    fields: Sequence[tuple[int, object]] = ()
    match: Sequence[tuple[int, object]] = ()
    filters_to_qbo: Sequence[tuple[int, FilterGroup]] = ()
    filters_to_hubspot: Sequence[tuple[int, FilterGroup]] = ()
    qbo_defaults: Mapping[str, object] = attrs.field(factory=dict)
    hubspot_defaults: Mapping[str, object] = attrs.field(factory=dict)
    deal: DealRule | None = None

    @classmethod
    def of(cls, obj: ObjectSync) -> ObjectParts:
        """Take the parts of a built object sync."""
        return cls(
            name=obj.name,
            hubspot=obj.hubspot,
            qbo=obj.qbo,
            direction=obj.direction,
            fields=list(enumerate(obj.fields)),
            match=list(enumerate(obj.match)),
            filters_to_qbo=list(enumerate(obj.filters_to_qbo)),
            filters_to_hubspot=list(enumerate(obj.filters_to_hubspot)),
            qbo_defaults=obj.qbo_defaults,
            hubspot_defaults=obj.hubspot_defaults,
            deal=obj.deal
            if isinstance(obj.deal, _deal_rule_class())
            else None,
        )


def _field_problems(
    path: str, field: FieldMap, parts: ObjectParts
) -> list[ConfigProblem]:
    problems = _problem(f"{path}.hubspot", hubspot_name_problem(field.hubspot))
    problems += _problem(f"{path}.qbo", qbo_path_problem(field.qbo))
    if parts.direction is None:
        return problems
    if field.qbo.startswith("hsqbo.") and field.writes_to(
        Side.QBO, parts.direction
    ):
        problems.append(
            ConfigProblem(
                f"{path}.qbo",
                f"{field.qbo!r} is derived by hsqbo and cannot be written: "
                "make the field qbo_to_hubspot",
            )
        )
    if (
        parts.hubspot == "deals"
        and field.writes_to(Side.HUBSPOT, parts.direction)
        and _defaults.is_accounting_deal_property(field.hubspot)
    ):
        problems.append(
            ConfigProblem(
                f"{path}.hubspot",
                f"deal property {field.hubspot!r} is in the 'accounting' "
                "group, which hsqbo never writes; map it to the invoice "
                "object instead",
            )
        )
    return problems


def _duplicate_targets(
    fields: Sequence[tuple[int, FieldMap]], direction: Direction
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for side in Side:
        seen: dict[str, int] = {}
        for index, field in fields:
            if not field.writes_to(side, direction):
                continue
            target = field.qbo if side is Side.QBO else field.hubspot
            if target in seen:
                problems.append(
                    ConfigProblem(
                        f"fields[{index}].{side.value}",
                        f"{target!r} is already written by "
                        f"fields[{seen[target]}]",
                    )
                )
            else:
                seen[target] = index
    keys: dict[str, int] = {}
    for index, field in fields:
        if field.key in keys and not any(
            p.path.startswith(f"fields[{index}].") for p in problems
        ):
            problems.append(
                ConfigProblem(
                    f"fields[{index}]",
                    f"{field.key!r} is mapped twice (see "
                    f"fields[{keys[field.key]}])",
                )
            )
        keys.setdefault(field.key, index)
    return problems


def _filter_problems(
    path: str, groups: Sequence[tuple[int, FilterGroup]], side: Side
) -> list[ConfigProblem]:
    check = hubspot_name_problem if side is Side.HUBSPOT else qbo_path_problem
    problems: list[ConfigProblem] = []
    for g, group in groups:
        if not group.filters:
            problems.append(
                ConfigProblem(
                    f"{path}[{g}].filters",
                    "empty filter group (it would let every record pass)",
                )
            )
        for i, flt in enumerate(group.filters):
            problems += _problem(
                f"{path}[{g}].filters[{i}].property", check(flt.property)
            )
    return problems


def _defaults_problems(
    path: str, values: Mapping[str, object], side: Side, parts: ObjectParts
) -> list[ConfigProblem]:
    check = hubspot_name_problem if side is Side.HUBSPOT else qbo_path_problem
    problems: list[ConfigProblem] = []
    for key, value in values.items():
        problems += _problem(f"{path}[{key!r}]", check(key))
        if value is None:
            problems.append(
                ConfigProblem(
                    f"{path}[{key!r}]",
                    "no value: leave the key out to leave the field unset",
                )
            )
        if (
            side is Side.HUBSPOT
            and parts.hubspot == "deals"
            and _defaults.is_accounting_deal_property(key)
        ):
            problems.append(
                ConfigProblem(
                    f"{path}[{key!r}]",
                    f"deal property {key!r} is in the 'accounting' group, "
                    "which hsqbo never writes",
                )
            )
    return problems


def _identity_problems(parts: ObjectParts) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    if parts.name is not None and not _OBJECT_NAME.match(parts.name):
        problems.append(
            ConfigProblem(
                "name",
                f"invalid name {parts.name!r}: use letters, digits, '_', '-'",
            )
        )
    if parts.hubspot is not None and not _HUBSPOT_TYPE.match(parts.hubspot):
        problems.append(
            ConfigProblem(
                "hubspot", f"invalid HubSpot object type {parts.hubspot!r}"
            )
        )
    if parts.qbo is not None and not _QBO_TYPE.match(parts.qbo):
        problems.append(
            ConfigProblem(
                "qbo",
                f"invalid QBO entity {parts.qbo!r} (e.g. 'Customer', 'Item')",
            )
        )
    return problems


def _field_list_problems(
    kind: str, entries: Sequence[tuple[int, object]], parts: ObjectParts
) -> tuple[list[ConfigProblem], list[tuple[int, FieldMap]]]:
    problems: list[ConfigProblem] = []
    valid: list[tuple[int, FieldMap]] = []
    for index, field in entries:
        if not isinstance(field, FieldMap):
            problems.append(
                ConfigProblem(
                    f"{kind}[{index}]",
                    f"expected a FieldMap, got {type(field).__name__}",
                )
            )
            continue
        valid.append((index, field))
        if kind == "fields":
            problems += _field_problems(f"{kind}[{index}]", field, parts)
        else:
            problems += _problem(
                f"{kind}[{index}].hubspot", hubspot_name_problem(field.hubspot)
            )
            problems += _problem(
                f"{kind}[{index}].qbo", qbo_path_problem(field.qbo)
            )
    return problems, valid


def parts_problems(parts: ObjectParts) -> list[ConfigProblem]:
    """List every problem across the parts of one object sync."""
    problems = _identity_problems(parts)
    found, fields = _field_list_problems("fields", parts.fields, parts)
    problems += found
    problems += _field_list_problems("match", parts.match, parts)[0]
    if parts.direction is not None:
        problems += _duplicate_targets(fields, parts.direction)
    problems += _filter_problems(
        "filters_to_qbo", parts.filters_to_qbo, Side.HUBSPOT
    )
    problems += _filter_problems(
        "filters_to_hubspot", parts.filters_to_hubspot, Side.QBO
    )
    problems += _defaults_problems(
        "qbo_defaults", parts.qbo_defaults, Side.QBO, parts
    )
    problems += _defaults_problems(
        "hubspot_defaults", parts.hubspot_defaults, Side.HUBSPOT, parts
    )
    if parts.deal is not None and parts.qbo not in (None, "Invoice"):
        problems.append(
            ConfigProblem(
                "deal",
                f"a deal rule ties QBO invoices to deals; {parts.qbo!r} "
                "records cannot have one (set it on the Invoice sync)",
            )
        )
    return problems


def _deal_rule_class() -> type[DealRule]:
    from hsqbo._deals import DealRule  # noqa: PLC0415 - cycle

    return DealRule


def _accounting(path: str, name: str) -> list[ConfigProblem]:
    if not _defaults.is_accounting_deal_property(name):
        return []
    return [
        ConfigProblem(
            path,
            f"deal property {name!r} is in the 'accounting' group, which "
            "hsqbo never writes; map it to the invoice object instead",
        )
    ]


def deal_rule_problems(rule: DealRule) -> list[ConfigProblem]:
    """
    List every problem of an invoice → deal rule, with relative paths.

    Deal properties must be valid names outside the ``accounting`` group
    (B17), written once each, and flow QBO → HubSpot.
    """
    problems = _problem("deal_id", qbo_path_problem(rule.deal_id))
    payments: object = rule.payments
    if not isinstance(payments, bool):
        problems.append(
            ConfigProblem(
                "payments",
                f"expected true or false, got {type(payments).__name__}",
            )
        )
    fields: tuple[object, ...] = rule.fields
    return problems + deal_fields_problems(list(enumerate(fields)))


def deal_fields_problems(
    entries: Sequence[tuple[int, object]],
) -> list[ConfigProblem]:
    """
    List every problem of the deal properties of a deal rule.

    Args:
        entries: ``(index in fields, field map)`` of the fields to check
            (loading passes the readable ones, with their original index).
    """
    problems: list[ConfigProblem] = []
    seen: dict[str, int] = {}
    for index, field in entries:
        path = f"fields[{index}]"
        if not isinstance(field, FieldMap):
            problems.append(
                ConfigProblem(
                    path, f"expected a FieldMap, got {type(field).__name__}"
                )
            )
            continue
        name_problem = hubspot_name_problem(field.hubspot)
        problems += _problem(f"{path}.hubspot", name_problem)
        problems += _problem(f"{path}.qbo", qbo_path_problem(field.qbo))
        if name_problem is None:
            problems += _accounting(f"{path}.hubspot", field.hubspot)
        if field.direction is Direction.HUBSPOT_TO_QBO:
            problems.append(
                ConfigProblem(
                    f"{path}.direction",
                    "deal properties follow the invoice: use qbo_to_hubspot",
                )
            )
        if field.hubspot in seen:
            problems.append(
                ConfigProblem(
                    f"{path}.hubspot",
                    f"{field.hubspot!r} is already written by "
                    f"fields[{seen[field.hubspot]}]",
                )
            )
        seen.setdefault(field.hubspot, index)
    return problems


def object_problems(obj: ObjectSync) -> list[ConfigProblem]:
    """List every problem of one object sync, with relative paths."""
    return parts_problems(ObjectParts.of(obj))


def identity_problems(
    objects: Sequence[tuple[int, str | None, str | None, str | None]],
) -> list[ConfigProblem]:
    """
    List duplicate names and object pairs across a config's objects.

    Each entry is ``(index, name, hubspot type, qbo entity)``; ``None`` where
    the value could not be read.
    """
    problems: list[ConfigProblem] = []
    names: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for index, name, hubspot, qbo in objects:
        if name is not None and name in names:
            problems.append(
                ConfigProblem(
                    f"objects[{index}].name",
                    f"duplicate object name {name!r} (also "
                    f"objects[{names[name]}])",
                )
            )
        if name is not None:
            names.setdefault(name, index)
        if hubspot is None or qbo is None:
            continue
        if (hubspot, qbo) in pairs:
            problems.append(
                ConfigProblem(
                    f"objects[{index}]",
                    f"{hubspot} ⇄ {qbo} is already synced by "
                    f"objects[{pairs[hubspot, qbo]}]",
                )
            )
        pairs.setdefault((hubspot, qbo), index)
    return problems


def config_problems(config: SyncConfig) -> list[ConfigProblem]:
    """List every problem across the object syncs of a config."""
    from hsqbo._config import ObjectSync  # noqa: PLC0415 - cycle

    problems: list[ConfigProblem] = []
    entries: list[tuple[int, str | None, str | None, str | None]] = []
    objects: tuple[object, ...] = config.objects
    for index, obj in enumerate(objects):
        if not isinstance(obj, ObjectSync):
            problems.append(
                ConfigProblem(
                    f"objects[{index}]",
                    f"expected an ObjectSync, got {type(obj).__name__}",
                )
            )
            continue
        entries.append((index, obj.name, obj.hubspot, obj.qbo))
    return problems + identity_problems(entries)
