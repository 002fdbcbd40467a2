"""
The plan: every decision of one planning run, as data.

A :class:`Plan` is ordered (dependencies first, then object, then id),
explains itself in one line per decision, and saves to and loads from plain
JSON data exactly, so it can be reviewed and applied later.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from hsqbo._config import ConflictPolicy
from hsqbo._converter import converter
from hsqbo._errors import PlanError
from hsqbo._operations import (
    KIND_RANK,
    Associate,
    Conflict,
    Create,
    ErrorCode,
    Link,
    Operation,
    Rebase,
    RecordError,
    RecordKey,
    Ref,
    Remap,
    Skip,
    SkipReason,
    Target,
    Update,
    encode_value,
    id_sort_key,
)
from hsqbo._record import FieldValue, Side


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Plan",
    "decode_value",
    "order_operations",
]

FORMAT: Final = "hsqbo-plan"
"""The ``format`` key of a saved plan."""
FORMAT_VERSION: Final = 1
"""The version of the saved-plan format this release reads and writes."""

_SIDE_NAME = {Side.HUBSPOT: "HubSpot", Side.QBO: "QBO"}
_REPORTS = frozenset({"skip", "conflict"})
_WIDTH = 10


# -- order -----------------------------------------------------------------


def _target_key(target: Target) -> tuple[int, int, str]:
    if isinstance(target, Ref):
        return (2, 0, target.op_id)
    return id_sort_key(target)


_SIDE_VALUE = {side: side.value for side in Side}
_REASON_VALUE = {reason: reason.value for reason in SkipReason}


def _id_key(record_id: str) -> tuple[int, int, str]:
    # id_sort_key, inlined: this runs once per operation of big plans.
    if record_id.isdigit():
        return (0, int(record_id), record_id)
    return (1, 0, record_id)


def _content_key(op: Operation) -> tuple[Any, ...]:  # noqa: PLR0911 - one per kind
    if isinstance(op, Skip):
        return (
            _SIDE_VALUE[op.side],
            op.type,
            _id_key(op.id),
            _REASON_VALUE[op.reason],
            op.detail,
        )
    if isinstance(op, Update):
        return (_SIDE_VALUE[op.side], op.type, _id_key(op.id))
    if isinstance(op, Link | Rebase):
        return (_id_key(op.hubspot_id), _id_key(op.qbo_id))
    if isinstance(op, Create):
        source = op.source
        where = (
            ("", "", (0, 0, ""))
            if source is None
            else (_SIDE_VALUE[source.side], source.type, _id_key(source.id))
        )
        return (_SIDE_VALUE[op.side], op.type, where)
    if isinstance(op, Associate):
        return (
            op.from_type,
            _target_key(op.from_id),
            op.to_type,
            _target_key(op.to_id),
        )
    if isinstance(op, Conflict):
        return (_id_key(op.hubspot_id), op.field)
    return ()


def order_operations(ops: Iterable[Operation]) -> tuple[Operation, ...]:
    """
    Order operations as a plan holds them.

    Writes come before reports; then dependencies first, then object, kind
    and id.

    Returns:
        The operations in the plan's deterministic order.
    """
    ops = list(ops)
    depth: dict[str, int] = {}
    if any(op.refs for op in ops):
        pending = [op for op in ops if isinstance(op, Create)]
        by_id = {op.op_id: op for op in pending}

        def level(op: Operation) -> int:
            if not op.refs:
                return 0
            return 1 + max(
                level(by_id[r.op_id]) if r.op_id in by_id else 0
                for r in op.refs
            )

        depth = {op_id: level(op) for op_id, op in by_id.items()}

    def key(op: Operation) -> tuple[Any, ...]:
        if op.refs:
            level = 1 + max(depth.get(r.op_id, 0) for r in op.refs)
        else:
            level = 0
        return (
            op.kind in _REPORTS,
            level,
            op.object,
            KIND_RANK[op.kind],
            _content_key(op),
        )

    return tuple(sorted(ops, key=key))


# -- the plan --------------------------------------------------------------


def _operations(value: Iterable[Operation]) -> tuple[Operation, ...]:
    return tuple(value)


def _errors(value: Iterable[RecordError]) -> tuple[RecordError, ...]:
    return tuple(value)


def _frozen_ids(
    value: Mapping[str, Iterable[str]],
) -> dict[str, frozenset[str]]:
    return {name: frozenset(ids) for name, ids in value.items() if ids}


@attrs.frozen(kw_only=True)
class Plan:
    """
    What one sync run will do, and why.

    Args:
        operations: Writes, state-only operations and reports, in order:
            writes before reports, dependencies first, then object, kind
            and id.
        errors: Records that cannot be synced, each with a stable code.
        unchanged: Per object sync, the HubSpot ids of linked pairs whose
            mapped fields all agree with the last sync (no operation; a set,
            so the plan's equality does not depend on order).
        planned_at: The ``now`` the plan was made with.

    .. versionadded:: 0.1.0
    """

    operations: tuple[Operation, ...] = attrs.field(converter=_operations)
    errors: tuple[RecordError, ...] = attrs.field(
        default=(), converter=_errors
    )
    unchanged: Mapping[str, frozenset[str]] = attrs.field(
        factory=dict, converter=_frozen_ids
    )
    planned_at: dt.datetime

    @property
    def writes(self) -> tuple[Operation, ...]:
        """The operations that change HubSpot, QBO or the links."""
        return tuple(op for op in self.operations if op.is_write)

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """Every field changed differently on both sides."""
        return tuple(op for op in self.operations if isinstance(op, Conflict))

    @property
    def is_empty(self) -> bool:
        """
        Whether the plan writes nothing.

        Reports (skips, conflicts, errors) and state-only operations do not
        count.
        """
        return not any(op.is_write for op in self.operations)

    def summary(self) -> dict[str, dict[str, int]]:
        """
        Count the operations and errors per object sync and kind.

        Returns:
            ``{object name: {kind: count}}``, both levels sorted.
        """
        counts: dict[str, Counter[str]] = {}
        for op in (*self.operations, *self.errors):
            counts.setdefault(op.object, Counter())[op.kind] += 1
        for name, ids in self.unchanged.items():
            counts.setdefault(name, Counter())["unchanged"] += len(ids)
        return {
            name: dict(sorted(counts[name].items())) for name in sorted(counts)
        }

    def explain(self, *, unchanged: bool = False) -> str:
        """
        Explain the plan, one line per decision.

        Args:
            unchanged: List every unchanged linked pair instead of one
                count per object sync.

        Returns:
            The lines joined with newlines (``"nothing to do"`` for a plan
            with no operation at all).
        """
        created = {
            op.op_id: _created_name(op)
            for op in self.operations
            if isinstance(op, Create)
        }
        lines = [_describe(op, created) for op in self.operations]
        lines.extend(_describe(error, created) for error in self.errors)
        for name, ids in sorted(self.unchanged.items()):
            if unchanged:
                lines.extend(
                    f"{'unchanged':<{_WIDTH}}{name}: HubSpot {i} and its "
                    "linked QBO record agree"
                    for i in sorted(ids, key=id_sort_key)
                )
            else:
                lines.append(
                    f"{'unchanged':<{_WIDTH}}{name}: {len(ids)} linked "
                    f"pair{'s' if len(ids) != 1 else ''} agree"
                )
        return "\n".join(lines) if lines else "nothing to do"

    def to_dict(self) -> dict[str, Any]:
        """
        Save the plan as JSON-compatible data; :meth:`from_dict` reads it back.

        >>> when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> p = Plan(operations=(), planned_at=when)
        >>> Plan.from_dict(p.to_dict()) == p
        True
        """
        data: dict[str, Any] = converter.unstructure(self, Plan)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """
        Read a plan saved with :meth:`to_dict`.

        Raises:
            PlanError: The data is not a plan of this format version, or an
                operation is malformed or was edited (its ``op_id`` no
                longer matches its content).
        """
        plan: Plan = converter.structure(data, Plan)
        return plan


# -- explain ---------------------------------------------------------------


def _show(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _created_name(op: Create) -> str:
    if op.source is None:
        return f"the new {_SIDE_NAME[op.side]} {op.type}"
    return (
        f"the new {_SIDE_NAME[op.side]} {op.type} from "
        f"{_SIDE_NAME[op.source.side]} {op.source.type} {op.source.id}"
    )


def _target(target: Target, created: Mapping[str, str]) -> str:
    if isinstance(target, Ref):
        return created.get(target.op_id, f"(created by {target.op_id})")
    return target


def _describe(  # noqa: PLR0911 - one line format per kind
    op: Operation | RecordError, created: Mapping[str, str]
) -> str:
    head = f"{op.kind:<{_WIDTH}}{op.object}: "
    if isinstance(op, Remap):
        return head + op.reason
    if isinstance(op, Link):
        return head + (
            f"link HubSpot {op.hubspot_id} ⇄ QBO {op.qbo_id} ({op.reason})"
        )
    if isinstance(op, Create):
        text = _created_name(op)
        shown = ", ".join(
            f"{k}={_show(v)}"
            for k, v in sorted(op.fields.items())
            if not isinstance(v, tuple)
        )
        refs = "".join(
            f", {k}=<{_target(r, created)}>"
            for k, r in sorted(op.references.items())
        )
        return head + f"{text}: {shown}{refs} ({op.reason})"
    if isinstance(op, Update):
        changes = ", ".join(
            f"{k} {_show(old)} → {_show(new)}"
            for k, (old, new) in sorted(op.changes.items())
        )
        return (
            head + f"{_SIDE_NAME[op.side]} {op.type} {op.id}: {changes} "
            f"({op.reason})"
        )
    if isinstance(op, Associate):
        return head + (
            f"associate {op.from_type} {_target(op.from_id, created)} with "
            f"{op.to_type} {_target(op.to_id, created)} ({op.reason})"
        )
    if isinstance(op, Rebase):
        return head + (
            f"HubSpot {op.hubspot_id} ⇄ QBO {op.qbo_id}: {op.reason} "
            "(state only)"
        )
    if isinstance(op, Conflict):
        return head + (
            f"HubSpot {op.hubspot_id} ⇄ QBO {op.qbo_id}, {op.field}: "
            f"{op.reason}"
        )
    if isinstance(op, Skip):
        return head + (
            f"{_SIDE_NAME[op.side]} {op.type} {op.id} left out "
            f"({op.reason.value}): {op.detail}"
        )
    return head + (
        f"{_SIDE_NAME[op.side]} {op.type} {op.id} {op.code.value}: "
        f"{op.message}"
    )


# -- saving and loading ----------------------------------------------------


def _decode_datetime(raw: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError("no UTC offset")
    return value


_SCALARS: Mapping[str, Callable[[str], FieldValue]] = {
    "decimal": Decimal,
    "float": float,
    "datetime": _decode_datetime,
    "date": dt.date.fromisoformat,
}


def decode_value(data: object) -> FieldValue:
    """
    Decode a field value written by ``encode_value``.

    Raises:
        PlanError: The data is not an encoded field value.
    """
    if data is None or isinstance(data, str | bool | int):
        return data
    if not isinstance(data, Mapping) or len(data) != 1:
        raise PlanError(f"not an encoded field value: {data!r}")
    ((tag, raw),) = data.items()
    if tag in _SCALARS and isinstance(raw, str):
        try:
            return _SCALARS[tag](raw)
        except (ValueError, InvalidOperation) as exc:
            raise PlanError(f"bad {tag} value in plan: {raw!r}") from exc
    if tag == "tuple" and isinstance(raw, list):
        return tuple(decode_value(item) for item in raw)
    if tag == "map" and isinstance(raw, Mapping):
        return {str(k): decode_value(v) for k, v in raw.items()}
    raise PlanError(f"not an encoded field value: {data!r}")


def _values(data: object) -> dict[str, FieldValue]:
    return {str(k): decode_value(v) for k, v in _mapping(data).items()}


def _mapping(data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise PlanError(f"expected a mapping, got {type(data).__name__}")
    return data


def _text(data: object) -> str:
    if not isinstance(data, str):
        raise PlanError(f"expected text, got {type(data).__name__}")
    return data


def _optional_text(data: object) -> str | None:
    return None if data is None else _text(data)


def _encode_target(target: Target) -> object:
    return {"ref": target.op_id} if isinstance(target, Ref) else target


def _decode_target(data: object) -> Target:
    if isinstance(data, Mapping):
        return Ref(_text(_mapping(data).get("ref")))
    return _text(data)


def _encode_source(source: RecordKey | None) -> object:
    if source is None:
        return None
    return {"side": source.side.value, "type": source.type, "id": source.id}


def _decode_source(data: object) -> RecordKey | None:
    if data is None:
        return None
    raw = _mapping(data)
    return RecordKey(
        side=Side(raw.get("side")),
        type=_text(raw.get("type")),
        id=_text(raw.get("id")),
    )


def _bool(data: object) -> bool:
    if not isinstance(data, bool):
        raise PlanError(f"expected true or false, got {data!r}")
    return data


_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]

_PLAIN: _Codec = (lambda v: v, _text)
_CODECS: Mapping[str, _Codec] = {
    "object": _PLAIN,
    "type": _PLAIN,
    "id": _PLAIN,
    "reason": _PLAIN,
    "detail": _PLAIN,
    "message": _PLAIN,
    "hubspot_id": _PLAIN,
    "qbo_id": _PLAIN,
    "from_type": _PLAIN,
    "to_type": _PLAIN,
    "field": _PLAIN,
    "expected_version": (lambda v: v, _optional_text),
    "link": (lambda v: v, _bool),
    "side": (lambda v: v.value, Side),
    "winner": (
        lambda v: None if v is None else v.value,
        lambda d: None if d is None else Side(d),
    ),
    "code": (lambda v: v.value, ErrorCode),
    "policy": (lambda v: v.value, ConflictPolicy),
    "fields": (lambda v: {k: encode_value(x) for k, x in v.items()}, _values),
    "base": (lambda v: {k: encode_value(x) for k, x in v.items()}, _values),
    "changes": (
        lambda v: {
            k: [encode_value(o), encode_value(n)] for k, (o, n) in v.items()
        },
        lambda d: {str(k): _pair(v) for k, v in _mapping(d).items()},
    ),
    "references": (
        lambda v: {k: r.op_id for k, r in v.items()},
        lambda d: {str(k): Ref(_text(v)) for k, v in _mapping(d).items()},
    ),
    "source": (_encode_source, _decode_source),
    "from_id": (_encode_target, _decode_target),
    "to_id": (_encode_target, _decode_target),
    "fingerprints": (
        dict,
        lambda d: {str(k): _text(v) for k, v in _mapping(d).items()},
    ),
    "stale": (list, lambda d: tuple(_text(x) for x in _list(d))),
    "hubspot_value": (encode_value, decode_value),
    "qbo_value": (encode_value, decode_value),
}
# A conflict's base is one value, not a mapping of them.
_CONFLICT_BASE: _Codec = (encode_value, decode_value)
# A skip's reason is a SkipReason; its words are in ``detail``.
_SKIP_REASON: _Codec = (lambda v: v.value, SkipReason)


def _list(data: object) -> list[Any]:
    if not isinstance(data, list):
        raise PlanError(f"expected a list, got {type(data).__name__}")
    return data


def _pair(data: object) -> tuple[FieldValue, FieldValue]:
    items = _list(data)
    if len(items) != 2:  # noqa: PLR2004 - an (old, new) pair
        raise PlanError(f"expected [old, new], got {data!r}")
    return (decode_value(items[0]), decode_value(items[1]))


_KINDS: Mapping[str, type[Operation | RecordError]] = {
    cls.kind: cls
    for cls in (
        Create,
        Update,
        Link,
        Associate,
        Rebase,
        Remap,
        Skip,
        Conflict,
        RecordError,
    )
}


def _codec(cls: type, name: str) -> _Codec:
    if cls is Conflict and name == "base":
        return _CONFLICT_BASE
    if cls is Skip and name == "reason":
        return _SKIP_REASON
    return _CODECS[name]


def _unstructure_op(op: Operation | RecordError) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": op.kind, "op_id": op.op_id}
    for a in attrs.fields(type(op)):
        data[a.name] = _codec(type(op), a.name)[0](getattr(op, a.name))
    return data


def _structure_op(data: object, position: str) -> Operation | RecordError:
    raw = _mapping(data)
    cls = _KINDS.get(raw.get("kind"))  # type: ignore[arg-type]
    if cls is None:
        raise PlanError(f"{position}: unknown kind {raw.get('kind')!r}")
    names = {a.name for a in attrs.fields(cls)}
    unknown = set(raw) - names - {"kind", "op_id"}
    if unknown:
        raise PlanError(f"{position}: unknown keys {sorted(unknown)}")
    kwargs = {}
    try:
        for name in sorted(names & set(raw)):
            kwargs[name] = _codec(cls, name)[1](raw[name])
        op = cls(**kwargs)
    except PlanError as exc:
        raise PlanError(f"{position}: {exc}") from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise PlanError(f"{position}: {exc}") from exc
    if "op_id" in raw and raw["op_id"] != op.op_id:
        raise PlanError(
            f"{position}: op_id {raw['op_id']!r} does not match the "
            "operation's content (was the plan edited?)"
        )
    return op


def _unstructure_plan(plan: Plan) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "planned_at": plan.planned_at.isoformat(),
        "operations": [_unstructure_op(op) for op in plan.operations],
        "errors": [_unstructure_op(e) for e in plan.errors],
        "unchanged": {
            name: sorted(ids, key=id_sort_key)
            for name, ids in sorted(plan.unchanged.items())
        },
    }


def _structure_plan(data: object, _: type) -> Plan:
    raw = _mapping(data)
    if raw.get("format") != FORMAT:
        raise PlanError(
            f"not a saved hsqbo plan (format {raw.get('format')!r})"
        )
    if raw.get("version") != FORMAT_VERSION:
        raise PlanError(
            f"plan format version {raw.get('version')!r} is not supported "
            f"(this release reads version {FORMAT_VERSION})"
        )
    try:
        planned_at = dt.datetime.fromisoformat(_text(raw.get("planned_at")))
    except ValueError as exc:
        raise PlanError(f"planned_at: {exc}") from exc
    if planned_at.tzinfo is None:
        raise PlanError("planned_at has no UTC offset")
    operations = [
        _structure_op(item, f"operations[{i}]")
        for i, item in enumerate(_list(raw.get("operations")))
    ]
    errors = [
        _structure_op(item, f"errors[{i}]")
        for i, item in enumerate(_list(raw.get("errors", [])))
    ]
    if any(isinstance(op, RecordError) for op in operations) or not all(
        isinstance(e, RecordError) for e in errors
    ):
        raise PlanError("errors and operations are mixed up")
    unchanged = {
        _text(name): frozenset(_text(i) for i in _list(ids))
        for name, ids in _mapping(raw.get("unchanged", {})).items()
    }
    return Plan(
        operations=operations,  # type: ignore[arg-type]
        errors=errors,  # type: ignore[arg-type]
        unchanged=unchanged,
        planned_at=planned_at,
    )


converter.register_unstructure_hook(Plan, _unstructure_plan)
converter.register_structure_hook(Plan, _structure_plan)
