"""
Whole-config checks: paths, duplicates and the refused accounting group.

Each check returns every problem it finds, with its path relative to the
object checked, so a config with ten mistakes fails once with ten lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from hsqbo import _defaults
from hsqbo._errors import ConfigProblem
from hsqbo._filters import FilterGroup
from hsqbo._mapping import FieldMap
from hsqbo._record import Side


if TYPE_CHECKING:
    from hsqbo._config import ObjectSync, SyncConfig

__all__ = [
    "config_problems",
    "hubspot_name_problem",
    "object_problems",
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


def _field_problems(
    path: str, field: FieldMap, obj: ObjectSync
) -> list[ConfigProblem]:
    problems = _problem(f"{path}.hubspot", hubspot_name_problem(field.hubspot))
    problems += _problem(f"{path}.qbo", qbo_path_problem(field.qbo))
    if field.qbo.startswith("hsqbo.") and field.writes_to(
        Side.QBO, obj.direction
    ):
        problems.append(
            ConfigProblem(
                f"{path}.qbo",
                f"{field.qbo!r} is derived by hsqbo and cannot be written: "
                "make the field qbo_to_hubspot",
            )
        )
    if (
        obj.hubspot == "deals"
        and field.writes_to(Side.HUBSPOT, obj.direction)
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


def _duplicate_targets(obj: ObjectSync) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for side in Side:
        seen: dict[str, int] = {}
        for index, field in enumerate(obj.fields):
            if not field.writes_to(side, obj.direction):
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
    for index, field in enumerate(obj.fields):
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
    path: str, groups: Iterable[FilterGroup], side: Side
) -> list[ConfigProblem]:
    check = hubspot_name_problem if side is Side.HUBSPOT else qbo_path_problem
    problems: list[ConfigProblem] = []
    for g, group in enumerate(groups):
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
    path: str, values: Mapping[str, object], side: Side, obj: ObjectSync
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
            and obj.hubspot == "deals"
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


def object_problems(obj: ObjectSync) -> list[ConfigProblem]:
    """List every problem of one object sync, with relative paths."""
    problems: list[ConfigProblem] = []
    if not _OBJECT_NAME.match(obj.name):
        problems.append(
            ConfigProblem(
                "name",
                f"invalid name {obj.name!r}: use letters, digits, '_', '-'",
            )
        )
    if not _HUBSPOT_TYPE.match(obj.hubspot):
        problems.append(
            ConfigProblem(
                "hubspot", f"invalid HubSpot object type {obj.hubspot!r}"
            )
        )
    if not _QBO_TYPE.match(obj.qbo):
        problems.append(
            ConfigProblem(
                "qbo",
                f"invalid QBO entity {obj.qbo!r} (e.g. 'Customer', 'Item')",
            )
        )
    fields: tuple[object, ...] = obj.fields
    for index, field in enumerate(fields):
        if not isinstance(field, FieldMap):
            problems.append(
                ConfigProblem(
                    f"fields[{index}]",
                    f"expected a FieldMap, got {type(field).__name__}",
                )
            )
            continue
        problems += _field_problems(f"fields[{index}]", field, obj)
    match: tuple[object, ...] = obj.match
    for index, field in enumerate(match):
        if not isinstance(field, FieldMap):
            problems.append(
                ConfigProblem(
                    f"match[{index}]",
                    f"expected a FieldMap, got {type(field).__name__}",
                )
            )
            continue
        problems += _problem(
            f"match[{index}].hubspot", hubspot_name_problem(field.hubspot)
        )
        problems += _problem(
            f"match[{index}].qbo", qbo_path_problem(field.qbo)
        )
    if all(isinstance(f, FieldMap) for f in obj.fields):
        problems += _duplicate_targets(obj)
    problems += _filter_problems(
        "filters_to_qbo", obj.filters_to_qbo, Side.HUBSPOT
    )
    problems += _filter_problems(
        "filters_to_hubspot", obj.filters_to_hubspot, Side.QBO
    )
    problems += _defaults_problems(
        "qbo_defaults", obj.qbo_defaults, Side.QBO, obj
    )
    problems += _defaults_problems(
        "hubspot_defaults", obj.hubspot_defaults, Side.HUBSPOT, obj
    )
    return problems


def config_problems(config: SyncConfig) -> list[ConfigProblem]:
    """List every problem across the object syncs of a config."""
    from hsqbo._config import ObjectSync  # noqa: PLC0415 - cycle

    problems: list[ConfigProblem] = []
    names: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
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
        if obj.name in names:
            problems.append(
                ConfigProblem(
                    f"objects[{index}].name",
                    f"duplicate object name {obj.name!r} (also "
                    f"objects[{names[obj.name]}])",
                )
            )
        names.setdefault(obj.name, index)
        pair = (obj.hubspot, obj.qbo)
        if pair in pairs:
            problems.append(
                ConfigProblem(
                    f"objects[{index}]",
                    f"{obj.hubspot} ⇄ {obj.qbo} is already synced by "
                    f"objects[{pairs[pair]}]",
                )
            )
        pairs.setdefault(pair, index)
    return problems
