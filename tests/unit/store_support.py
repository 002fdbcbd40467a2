"""Result builders and Hypothesis strategies for the state-store tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from hsqbo._config import ConflictPolicy, SyncConfig
from hsqbo._operations import (
    Conflict,
    Create,
    ErrorCode,
    Link,
    Operation,
    Rebase,
    RecordError,
    RecordKey,
    Remap,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._record import FieldValue, Side
from hsqbo._state import OperationResult


T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
CONFIG = SyncConfig.recommended(T0 - dt.timedelta(days=30))
NAMES = ("contacts", "products")


def at(minutes: int) -> dt.datetime:
    """Return T0 plus *minutes*."""
    return T0 + dt.timedelta(minutes=minutes)


def ok(
    op: Operation | RecordError, minutes: int = 0, **kw: object
) -> OperationResult:
    """A successful result of *op* at T0 + *minutes*."""
    return OperationResult(operation=op, at=at(minutes), **kw)  # type: ignore[arg-type]


def failed(
    op: Operation, code: str, message: str, minutes: int = 0
) -> OperationResult:
    """A failed result of *op*."""
    return OperationResult(
        operation=op, at=at(minutes), error_code=code, error_message=message
    )


def link(
    hubspot_id: str, qbo_id: str, obj: str = "contacts", **base: FieldValue
) -> Link:
    """A Link of two ids with *base* (keys with ``_`` become ``=``)."""
    return Link(
        object=obj,
        hubspot_id=hubspot_id,
        qbo_id=qbo_id,
        base={k.replace("_", "="): v for k, v in base.items()},
    )


def create_in_qbo(source_id: str, obj: str = "contacts") -> Create:
    """A linking Create of a QBO customer from HubSpot contact *source_id*."""
    return Create(
        object=obj,
        side=Side.QBO,
        type="Customer",
        fields={"DisplayName": f"Name {source_id}"},
        source=RecordKey(side=Side.HUBSPOT, type="contacts", id=source_id),
        base={"firstname=GivenName": f"Name {source_id}"},
    )


def update(
    side: Side, record_id: str, obj: str = "contacts", **base: FieldValue
) -> Update:
    """An Update of one record storing *base*."""
    return Update(
        object=obj,
        side=side,
        type="Customer" if side is Side.QBO else "contacts",
        id=record_id,
        changes={"x": ("a", "b")},
        expected_version="0",
        base={k.replace("_", "="): v for k, v in base.items()},
    )


def error(
    side: Side, record_id: str, code: ErrorCode, obj: str = "contacts"
) -> RecordError:
    """A planner RecordError for one record."""
    return RecordError(
        object=obj,
        side=side,
        type="Customer" if side is Side.QBO else "contacts",
        id=record_id,
        code=code,
        message=f"{code.value} for {record_id}",
    )


def skip(
    side: Side, record_id: str, reason: SkipReason, obj: str = "contacts"
) -> Skip:
    """A Skip of one record."""
    return Skip(
        object=obj,
        side=side,
        type="Customer" if side is Side.QBO else "contacts",
        id=record_id,
        reason=reason,
        detail=f"{reason.value} detail",
    )


# -- Hypothesis ---------------------------------------------------------------

HUBSPOT_IDS = ("1", "2", "3", "4")
QBO_IDS = ("7", "8", "9", "10")
KEYS = ("a=A", "b=B", "c=C")

values: st.SearchStrategy[FieldValue] = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.integers(-5, 5),
    st.booleans(),
    st.decimals(places=2, min_value=-100, max_value=100).map(Decimal),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    st.integers(0, 10_000).map(at),
    st.tuples(st.text(max_size=2), st.integers(0, 3)),
)
bases = st.dictionaries(st.sampled_from(KEYS), values, max_size=3)
objects = st.sampled_from(NAMES)
sides = st.sampled_from(list(Side))


def _record_id(side: Side) -> st.SearchStrategy[str]:
    return st.sampled_from(HUBSPOT_IDS if side is Side.HUBSPOT else QBO_IDS)


@st.composite
def operations(  # noqa: PLR0911 - one return per kind
    draw: st.DrawFn,
) -> Operation | RecordError:
    """Any operation whose result changes the state."""
    obj = draw(objects)
    side = draw(sides)
    kind = draw(
        st.sampled_from(
            (
                "link",
                "create",
                "update",
                "rebase",
                "remap",
                "skip",
                "error",
                "conflict",
            )
        )
    )
    hubspot_id = draw(st.sampled_from(HUBSPOT_IDS))
    qbo_id = draw(st.sampled_from(QBO_IDS))
    base = draw(bases)
    if kind == "link":
        return Link(
            object=obj, hubspot_id=hubspot_id, qbo_id=qbo_id, base=base
        )
    if kind == "create":
        return Create(
            object=obj,
            side=side,
            type="Customer" if side is Side.QBO else "contacts",
            fields={},
            source=RecordKey(
                side=side.other,
                type="contacts" if side is Side.QBO else "Customer",
                id=hubspot_id if side is Side.QBO else qbo_id,
            ),
            link=draw(st.booleans()),
            base=base,
        )
    if kind == "update":
        return Update(
            object=obj,
            side=side,
            type="Customer" if side is Side.QBO else "contacts",
            id=qbo_id if side is Side.QBO else hubspot_id,
            changes={},
            expected_version=None,
            base=base,
        )
    if kind == "rebase":
        return Rebase(
            object=obj, hubspot_id=hubspot_id, qbo_id=qbo_id, base=base
        )
    if kind == "remap":
        return Remap(
            object=obj,
            fingerprints={
                k: draw(st.sampled_from(("f1", "f2"))) for k in KEYS
            },
            stale=tuple(draw(st.sets(st.sampled_from(KEYS)))),
        )
    record_id = qbo_id if side is Side.QBO else hubspot_id
    if kind == "skip":
        return skip(
            side, record_id, draw(st.sampled_from(list(SkipReason))), obj
        )
    if kind == "error":
        return error(
            side, record_id, draw(st.sampled_from(list(ErrorCode))), obj
        )
    return Conflict(
        object=obj,
        hubspot_id=hubspot_id,
        qbo_id=qbo_id,
        field="a=A",
        hubspot_value="h",
        qbo_value="q",
        base=None,
        policy=ConflictPolicy.MOST_RECENT,
        winner=Side.HUBSPOT,
    )


@st.composite
def results(draw: st.DrawFn) -> OperationResult:
    """The result of one operation: applied, or failed with an API code."""
    op = draw(operations())
    minutes = draw(st.integers(0, 600))
    if draw(st.integers(0, 4)) == 0 and not isinstance(op, RecordError):
        return failed(
            op, draw(st.sampled_from(("6240", "5010"))), "it failed", minutes
        )
    new_id = draw(
        st.sampled_from(
            QBO_IDS if getattr(op, "side", None) is Side.QBO else HUBSPOT_IDS
        )
    )
    return ok(op, minutes, id=new_id)


cursor_maps = st.dictionaries(
    objects,
    st.dictionaries(
        st.sampled_from(("hubspot", "qbo")),
        st.text(min_size=1, max_size=3),
        max_size=2,
    ),
    max_size=2,
)

batches = st.lists(
    st.tuples(st.lists(results(), max_size=6), cursor_maps),
    min_size=1,
    max_size=6,
)
