"""
Configs to and from plain data, reporting every problem with its path.

Loading walks the whole input before it gives up, so one
:class:`~hsqbo.ConfigError` lists every unknown key, missing key and invalid
value (``objects[0].fields[3].transform: unknown transform 'lowr' (did you
mean 'lower'?)``). Dumping leaves out values equal to their default, which
keeps TOML short, and refuses callables by name.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from dateutil import parser as date_parser

from hsqbo._config import (
    ON_DUPLICATE,
    ConflictPolicy,
    DisplayNameRule,
    ObjectSync,
    SyncConfig,
)
from hsqbo._converter import converter
from hsqbo._deals import DealRule
from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._filters import Filter, FilterGroup, Operator
from hsqbo._mapping import FieldMap
from hsqbo._record import Direction
from hsqbo._unset import UNSET
from hsqbo._validation import (
    ObjectParts,
    deal_fields_problems,
    hubspot_name_problem,
    identity_problems,
    parts_problems,
    qbo_path_problem,
)


__all__ = ["structure_config", "unstructure_config"]

_T = TypeVar("_T")
_E = TypeVar("_E", bound=enum.Enum)

_CONFIG_KEYS = ("objects", "setup_at")
_OBJECT_KEYS = (
    "name",
    "hubspot",
    "qbo",
    "direction",
    "fields",
    "filters_to_qbo",
    "filters_to_hubspot",
    "match",
    "conflicts",
    "display_name",
    "enabled",
    "qbo_defaults",
    "hubspot_defaults",
    "deal",
)
_DEAL_KEYS = ("deal_id", "fields", "payments")
_FIELD_KEYS = ("hubspot", "qbo", "direction", "transform", "empty_overwrites")
_FILTER_KEYS = ("property", "operator", "value", "values", "high_value")
_GROUP_KEYS = ("filters",)
_RULE_KEYS = ("from_company", "on_duplicate")


class _Reader:
    """Collects problems while reading nested plain data."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ConfigProblem(path, message))

    def absorb(self, path: str, error: ConfigError) -> None:
        for problem in error.problems:
            sub = problem.path
            if not sub:
                joined = path
            elif sub.startswith("["):
                joined = f"{path}{sub}"
            else:
                joined = f"{path}.{sub}" if path else sub
            self.add(joined, problem.message)

    def table(
        self, path: str, data: object, allowed: Sequence[str]
    ) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.add(path, f"expected a table, got {_kind(data)}")
            return None
        for key in data:
            if key not in allowed:
                message = f"unknown key {key!r}"
                close = difflib.get_close_matches(str(key), allowed, n=1)
                if close:
                    message += f" (did you mean {close[0]!r}?)"
                else:
                    message += "; valid: " + ", ".join(allowed)
                self.add(_join(path, str(key)), message)
        return data

    def required(
        self, path: str, data: Mapping[str, object], key: str
    ) -> object:
        if key not in data:
            self.add(_join(path, key), "missing required key")
            return UNSET
        return data.get(key)

    def text(self, path: str, value: object) -> str | None:
        if value is UNSET:
            return None
        if not isinstance(value, str):
            self.add(path, f"expected text, got {_kind(value)}")
            return None
        return value

    def flag(self, path: str, value: object) -> bool | None:
        if not isinstance(value, bool):
            self.add(path, f"expected true or false, got {_kind(value)}")
            return None
        return value

    def choice(self, path: str, value: object, kind: type[_E]) -> _E | None:
        if value is UNSET:
            return None
        if isinstance(value, kind):
            return value
        valid = [m.value for m in kind]
        if isinstance(value, str):
            for member in kind:
                if value in {member.value, member.name}:
                    return member
            message = f"unknown {_label(kind)} {value!r}"
            close = difflib.get_close_matches(value, valid, n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
            self.add(path, message + "; valid: " + ", ".join(valid))
            return None
        self.add(path, f"expected text, got {_kind(value)}")
        return None

    def items(self, path: str, value: object) -> list[tuple[str, Any]]:
        if value is UNSET:
            return []
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            self.add(path, f"expected a list, got {_kind(value)}")
            return []
        return [(f"{path}[{i}]", item) for i, item in enumerate(value)]

    def build(self, path: str, make: Callable[[], _T]) -> _T | None:
        try:
            return make()
        except ConfigError as exc:
            self.absorb(path, exc)
        return None


def _got(value: _T | None) -> _T:
    # Only called once no problem was recorded, so every value was read.
    if value is None:
        msg = "a value was not read although no problem was recorded"
        raise RuntimeError(msg)
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"text {value!r}"
    for kind, label in _KINDS:
        if isinstance(value, kind):
            return label
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    return type(value).__name__


_KINDS: tuple[tuple[type | types.UnionType, str], ...] = (
    (bool, "a boolean"),
    (Mapping, "a table"),
    (list | tuple, "a list"),
)


def _label(kind: type[enum.Enum]) -> str:
    return {
        Direction: "direction",
        Operator: "operator",
        ConflictPolicy: "conflict policy",
    }.get(kind, kind.__name__)


def _read_field(r: _Reader, path: str, data: object) -> FieldMap | None:
    table = r.table(path, data, _FIELD_KEYS)
    if table is None:
        return None
    before = len(r.problems)
    hubspot = r.text(
        _join(path, "hubspot"), r.required(path, table, "hubspot")
    )
    qbo = r.text(_join(path, "qbo"), r.required(path, table, "qbo"))
    direction = r.choice(
        _join(path, "direction"),
        table.get("direction", Direction.TWO_WAY),
        Direction,
    )
    transform = table.get("transform")
    if transform is not None:
        transform = r.text(_join(path, "transform"), transform)
    overwrites = r.flag(
        _join(path, "empty_overwrites"), table.get("empty_overwrites", False)
    )
    if len(r.problems) > before:
        # Still check the transform name and the two paths, so every
        # problem is reported.
        if isinstance(transform, str):
            r.build(path, lambda: FieldMap("a", "A", transform=transform))
        for key, problem in (
            ("hubspot", None if hubspot is None else hubspot_name_problem),
            ("qbo", None if qbo is None else qbo_path_problem),
        ):
            message = problem(table[key]) if problem else None
            if message is not None:
                r.add(_join(path, key), message)
        return None
    field = r.build(
        path,
        lambda: FieldMap(
            _got(hubspot),
            _got(qbo),
            direction=_got(direction),
            transform=transform,
            empty_overwrites=_got(overwrites),
        ),
    )
    if field is None and transform is not None:
        # The transform was refused (a problem is recorded, so no caller
        # builds with this field): hand back the rest of the field, so the
        # checks across the object (paths, the accounting group) still run.
        try:
            return FieldMap(
                _got(hubspot),
                _got(qbo),
                direction=_got(direction),
                empty_overwrites=_got(overwrites),
            )
        except ConfigError:
            return None
    return field


def _read_filter(r: _Reader, path: str, data: object) -> Filter | None:
    table = r.table(path, data, _FILTER_KEYS)
    if table is None:
        return None
    before = len(r.problems)
    prop = r.text(_join(path, "property"), r.required(path, table, "property"))
    operator = r.choice(
        _join(path, "operator"),
        r.required(path, table, "operator"),
        Operator,
    )
    values = table.get("values", ())
    if isinstance(values, str) or not isinstance(values, Sequence):
        r.add(_join(path, "values"), f"expected a list, got {_kind(values)}")
    for key in ("value", "high_value"):
        if isinstance(table.get(key), Mapping | list | tuple):
            r.add(
                _join(path, key),
                f"expected one value, got {_kind(table[key])}",
            )
    if len(r.problems) > before:
        return None
    return r.build(
        path,
        lambda: Filter(
            _got(prop),
            _got(operator),
            value=table.get("value"),
            values=values,
            high_value=table.get("high_value"),
        ),
    )


def _read_groups(
    r: _Reader, path: str, data: object
) -> list[tuple[int, FilterGroup]]:
    groups = []
    for g, (gpath, item) in enumerate(r.items(path, data)):
        table = r.table(gpath, item, _GROUP_KEYS)
        if table is None:
            continue
        fpath = _join(gpath, "filters")
        raw = r.required(gpath, table, "filters")
        filters = [_read_filter(r, p, f) for p, f in r.items(fpath, raw)]
        if all(f is not None for f in filters):
            group = FilterGroup([f for f in filters if f is not None])
            groups.append((g, group))
    return groups


def _read_rule(r: _Reader, path: str, data: object) -> DisplayNameRule | None:
    table = r.table(path, data, _RULE_KEYS)
    if table is None:
        return None
    before = len(r.problems)
    company = r.flag(
        _join(path, "from_company"), table.get("from_company", True)
    )
    strategy = table.get("on_duplicate", "error")
    if strategy not in ON_DUPLICATE:
        r.add(
            _join(path, "on_duplicate"),
            f"unknown strategy {strategy!r}; valid: "
            + ", ".join(ON_DUPLICATE),
        )
    if len(r.problems) > before:
        return None
    return DisplayNameRule(from_company=_got(company), on_duplicate=strategy)


def _read_deal(r: _Reader, path: str, data: object) -> DealRule | None:
    table = r.table(path, data, _DEAL_KEYS)
    if table is None:
        return None
    before = len(r.problems)
    deal_id = r.text(
        _join(path, "deal_id"), r.required(path, table, "deal_id")
    )
    fields = [
        _read_field(r, p, f)
        for p, f in r.items(_join(path, "fields"), table.get("fields", ()))
    ]
    payments = r.flag(_join(path, "payments"), table.get("payments", True))
    if len(r.problems) > before:
        # Still check the deal properties that could be read (B17), so every
        # problem is reported.
        readable = [(i, f) for i, f in enumerate(fields) if f is not None]
        r.absorb(path, ConfigError(deal_fields_problems(readable)))
        return None
    return r.build(
        path,
        lambda: DealRule(
            deal_id=_got(deal_id),
            fields=[_got(f) for f in fields],
            payments=_got(payments),
        ),
    )


def _read_defaults(r: _Reader, path: str, data: object) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        r.add(path, f"expected a table, got {_kind(data)}")
        return {}
    result = {}
    for key, value in data.items():
        if isinstance(value, Mapping | list | tuple):
            r.add(
                f"{path}[{key!r}]", f"expected one value, got {_kind(value)}"
            )
        else:
            result[key] = value
    return result


def _read_object(r: _Reader, path: str, data: object) -> ObjectSync | None:
    table = r.table(path, data, _OBJECT_KEYS)
    if table is None:
        return None
    before = len(r.problems)
    name = r.text(_join(path, "name"), r.required(path, table, "name"))
    hubspot = r.text(
        _join(path, "hubspot"), r.required(path, table, "hubspot")
    )
    qbo = r.text(_join(path, "qbo"), r.required(path, table, "qbo"))
    direction = r.choice(
        _join(path, "direction"),
        r.required(path, table, "direction"),
        Direction,
    )
    fields = [
        _read_field(r, p, f)
        for p, f in r.items(
            _join(path, "fields"), r.required(path, table, "fields")
        )
    ]
    match = [
        _read_field(r, p, f)
        for p, f in r.items(_join(path, "match"), table.get("match", ()))
    ]
    to_qbo = _read_groups(
        r, _join(path, "filters_to_qbo"), table.get("filters_to_qbo", ())
    )
    to_hubspot = _read_groups(
        r,
        _join(path, "filters_to_hubspot"),
        table.get("filters_to_hubspot", ()),
    )
    conflicts = r.choice(
        _join(path, "conflicts"),
        table.get("conflicts", ConflictPolicy.MOST_RECENT),
        ConflictPolicy,
    )
    rule = (
        _read_rule(r, _join(path, "display_name"), table["display_name"])
        if "display_name" in table
        else DisplayNameRule()
    )
    enabled = r.flag(_join(path, "enabled"), table.get("enabled", True))
    qbo_defaults = _read_defaults(
        r, _join(path, "qbo_defaults"), table.get("qbo_defaults", {})
    )
    hubspot_defaults = _read_defaults(
        r, _join(path, "hubspot_defaults"), table.get("hubspot_defaults", {})
    )
    deal = (
        _read_deal(r, _join(path, "deal"), table["deal"])
        if "deal" in table
        else UNSET
    )
    if len(r.problems) > before:
        # Still check what could be read, so every problem is reported.
        parts = ObjectParts(
            name=name,
            hubspot=hubspot,
            qbo=qbo,
            direction=direction,
            fields=[(i, f) for i, f in enumerate(fields) if f is not None],
            match=[(i, f) for i, f in enumerate(match) if f is not None],
            filters_to_qbo=to_qbo,
            filters_to_hubspot=to_hubspot,
            qbo_defaults=qbo_defaults,
            hubspot_defaults=hubspot_defaults,
            deal=deal if isinstance(deal, DealRule) else None,
        )
        r.absorb(path, ConfigError(parts_problems(parts)))
        return None
    return r.build(
        path,
        lambda: ObjectSync(
            _got(name),
            _got(hubspot),
            _got(qbo),
            _got(direction),
            [_got(f) for f in fields],
            [g for _, g in to_qbo],
            [g for _, g in to_hubspot],
            match=[_got(f) for f in match],
            conflicts=_got(conflicts),
            display_name=_got(rule),
            enabled=_got(enabled),
            qbo_defaults=qbo_defaults,
            hubspot_defaults=hubspot_defaults,
            deal=_got(deal),
        ),
    )


def _read_setup_at(r: _Reader, value: object) -> dt.datetime | None:
    if value is UNSET:
        return None
    if isinstance(value, str):
        try:
            value = date_parser.isoparse(value)
        except ValueError:
            r.add("setup_at", f"not an ISO 8601 datetime: {value!r}")
            return None
    if not isinstance(value, dt.datetime):
        r.add("setup_at", f"expected a datetime, got {_kind(value)}")
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        r.add("setup_at", "datetime without a UTC offset (add e.g. 'Z')")
        return None
    return value


def _text_or_none(table: object, key: str) -> str | None:
    value = table.get(key) if isinstance(table, Mapping) else None
    return value if isinstance(value, str) else None


def structure_config(data: object) -> SyncConfig:
    """
    Build a :class:`~hsqbo.SyncConfig` from plain data.

    Raises:
        ConfigError: Every problem found, each with its path.
    """
    r = _Reader()
    table = r.table("", data, _CONFIG_KEYS)
    if table is None:
        raise ConfigError(r.problems)
    setup_at = _read_setup_at(r, r.required("", table, "setup_at"))
    objects = [
        _read_object(r, p, o)
        for p, o in r.items("objects", r.required("", table, "objects"))
    ]
    if r.problems:
        raw = table.get("objects")
        raw = raw if isinstance(raw, list | tuple) else []
        entries = [
            (
                index,
                _text_or_none(item, "name"),
                _text_or_none(item, "hubspot"),
                _text_or_none(item, "qbo"),
            )
            for index, item in enumerate(raw)
        ]
        r.absorb("", ConfigError(identity_problems(entries)))
        raise ConfigError(r.problems)
    config = r.build(
        "",
        lambda: SyncConfig([_got(o) for o in objects], _got(setup_at)),
    )
    if config is None:
        raise ConfigError(r.problems)
    return config


def _callable_problems(config: SyncConfig) -> list[ConfigProblem]:
    problems = []
    for o, obj in enumerate(config.objects):
        lists = [("fields", obj.fields), ("match", obj.match)]
        if isinstance(obj.deal, DealRule):
            lists.append(("deal.fields", obj.deal.fields))
        for kind, maps in lists:
            for f, field in enumerate(maps):
                if field.transform is not None and not isinstance(
                    field.transform, str
                ):
                    problems.append(
                        ConfigProblem(
                            f"objects[{o}].{kind}[{f}].transform",
                            f"the Python callable {field.transform_name} "
                            f"(field {field.key!r}) cannot be serialised; "
                            "use a named transform",
                        )
                    )
    return problems


def _dump_field(field: FieldMap) -> dict[str, Any]:
    if field.transform is not None and not isinstance(field.transform, str):
        raise ConfigError(
            [
                ConfigProblem(
                    "transform",
                    f"the Python callable {field.transform_name} (field "
                    f"{field.key!r}) cannot be serialised; use a named "
                    "transform",
                )
            ]
        )
    data: dict[str, Any] = {"hubspot": field.hubspot, "qbo": field.qbo}
    if field.direction is not Direction.TWO_WAY:
        data["direction"] = field.direction.value
    if field.transform is not None:
        data["transform"] = field.transform
    if field.empty_overwrites:
        data["empty_overwrites"] = True
    return data


def _dump_filter(flt: Filter) -> dict[str, Any]:
    data: dict[str, Any] = {
        "property": flt.property,
        "operator": flt.operator.value,
    }
    if flt.value is not None:
        data["value"] = flt.value
    if flt.values:
        data["values"] = list(flt.values)
    if flt.high_value is not None:
        data["high_value"] = flt.high_value
    return data


def _dump_groups(groups: Sequence[FilterGroup]) -> list[dict[str, Any]]:
    return [_dump_group(g) for g in groups]


def _dump_object(obj: ObjectSync) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": obj.name,
        "hubspot": obj.hubspot,
        "qbo": obj.qbo,
        "direction": obj.direction.value,
        "fields": [_dump_field(f) for f in obj.fields],
    }
    if obj.filters_to_qbo:
        data["filters_to_qbo"] = _dump_groups(obj.filters_to_qbo)
    if obj.filters_to_hubspot:
        data["filters_to_hubspot"] = _dump_groups(obj.filters_to_hubspot)
    if obj.match:
        data["match"] = [_dump_field(f) for f in obj.match]
    if obj.conflicts is not ConflictPolicy.MOST_RECENT:
        data["conflicts"] = obj.conflicts.value
    if obj.display_name != DisplayNameRule():
        data["display_name"] = {
            "from_company": obj.display_name.from_company,
            "on_duplicate": obj.display_name.on_duplicate,
        }
    if not obj.enabled:
        data["enabled"] = False
    if obj.qbo_defaults:
        data["qbo_defaults"] = dict(obj.qbo_defaults)
    if obj.hubspot_defaults:
        data["hubspot_defaults"] = dict(obj.hubspot_defaults)
    if isinstance(obj.deal, DealRule):
        data["deal"] = _dump_deal(obj.deal)
    return data


def _dump_deal(rule: DealRule) -> dict[str, Any]:
    data: dict[str, Any] = {"deal_id": rule.deal_id}
    if rule.fields:
        data["fields"] = [_dump_field(f) for f in rule.fields]
    if not rule.payments:
        data["payments"] = False
    return data


def unstructure_config(config: SyncConfig) -> dict[str, Any]:
    """
    Dump a :class:`~hsqbo.SyncConfig` as plain, JSON-compatible data.

    Raises:
        ConfigError: Field maps with callable transforms, each named.
    """
    problems = _callable_problems(config)
    if problems:
        raise ConfigError(problems)
    return {
        "setup_at": config.setup_at.isoformat(),
        "objects": [_dump_object(o) for o in config.objects],
    }


def _is(cls: type) -> Callable[[object], bool]:
    # Predicates instead of class keys: registering by class makes cattrs
    # resolve the annotations, and the recursive FieldValue alias defeats it.
    return lambda candidate: candidate is cls


def _structure_hook(cls: type[_T], read: Callable[..., _T | None]) -> None:
    def structure(data: object, _: type) -> _T:
        r = _Reader()
        result = read(r, "", data)
        if r.problems or result is None:
            raise ConfigError(r.problems)
        return result

    converter.register_structure_hook_func(_is(cls), structure)


def _read_group(r: _Reader, path: str, data: object) -> FilterGroup | None:
    groups = _read_groups(r, path, [data])
    return groups[0][1] if groups else None


def _dump_group(group: FilterGroup) -> dict[str, Any]:
    return {"filters": [_dump_filter(f) for f in group.filters]}


for _cls, _dump in (
    (SyncConfig, unstructure_config),
    (ObjectSync, _dump_object),
    (FieldMap, _dump_field),
    (Filter, _dump_filter),
    (FilterGroup, _dump_group),
    (DealRule, _dump_deal),
):
    converter.register_unstructure_hook_func(_is(_cls), _dump)
converter.register_structure_hook_func(
    _is(SyncConfig), lambda data, _: structure_config(data)
)
_structure_hook(ObjectSync, _read_object)
_structure_hook(FieldMap, _read_field)
_structure_hook(Filter, _read_filter)
_structure_hook(FilterGroup, _read_group)
_structure_hook(DisplayNameRule, _read_rule)
_structure_hook(DealRule, _read_deal)
