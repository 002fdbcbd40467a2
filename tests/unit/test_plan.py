"""Plan: order, summary, explain, emptiness and the saved form."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from planner_support import (
    SETUP,
    T0,
    World,
    at,
    company,
    contact,
    customer,
    invoice,
    item,
    sales_line,
)

from hsqbo._config import ConflictPolicy, SyncConfig
from hsqbo._errors import PlanError
from hsqbo._operations import (
    Associate,
    Conflict,
    Create,
    ErrorCode,
    Link,
    Rebase,
    RecordError,
    RecordKey,
    Ref,
    Remap,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._plan import Plan, order_operations
from hsqbo._planner import plan
from hsqbo._record import Side
from hsqbo._state import SyncState


def _every_kind() -> Plan:
    create = Create(
        object="invoices",
        side=Side.HUBSPOT,
        type="invoices",
        fields={
            "hs_amount_billed": Decimal("10.50"),
            "hs_invoice_date": dt.date(2026, 1, 2),
            "hs_text_date": "2026-01-02",
            "when": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
            "count": 3,
            "flag": True,
            "lines": ({"Id": "1", "Amount": Decimal(1)},),
        },
        source=RecordKey(side=Side.QBO, type="Invoice", id="70"),
        base={"hs_number=DocNumber": None},
        reason="new",
    )
    ref = Ref(create.op_id)
    return Plan(
        operations=[
            Remap(
                object="contacts", fingerprints={"a=A": "f"}, stale=("a=A",)
            ),
            Link(
                object="contacts",
                hubspot_id="1",
                qbo_id="7",
                base={"a=A": 1.5},
            ),
            create,
            Update(
                object="contacts",
                side=Side.QBO,
                type="Customer",
                id="7",
                changes={"GivenName": (None, "Jo")},
                expected_version="3",
                base={"firstname=GivenName": "Jo"},
            ),
            Associate(
                object="invoices",
                from_type="invoices",
                from_id=ref,
                to_type="contacts",
                to_id="1",
            ),
            Rebase(
                object="contacts",
                hubspot_id="1",
                qbo_id="7",
                base={"b=B": "x"},
            ),
            Conflict(
                object="contacts",
                hubspot_id="1",
                qbo_id="7",
                field="a=A",
                hubspot_value="h",
                qbo_value="q",
                base=None,
                policy=ConflictPolicy.MANUAL,
                winner=None,
            ),
            Skip(
                object="contacts",
                side=Side.HUBSPOT,
                type="contacts",
                id="2",
                reason=SkipReason.EXCLUDED,
                detail="filter group 1, filter 1",
            ),
        ],
        errors=[
            RecordError(
                object="contacts",
                side=Side.HUBSPOT,
                type="contacts",
                id="3",
                code=ErrorCode.AMBIGUOUS_MATCH,
                message="two",
            )
        ],
        planned_at=T0,
    )


def test_saved_plan_round_trips_exactly_through_json() -> None:
    """to_dict → JSON → from_dict gives an equal plan, value types included."""
    original = _every_kind()
    text = json.dumps(original.to_dict())
    loaded = Plan.from_dict(json.loads(text))
    assert loaded == original
    fields = next(
        op for op in loaded.operations if isinstance(op, Create)
    ).fields
    assert fields["hs_invoice_date"] == dt.date(2026, 1, 2)
    assert fields["hs_text_date"] == "2026-01-02"
    assert isinstance(fields["hs_amount_billed"], Decimal)
    assert [op.op_id for op in loaded.operations] == [
        op.op_id for op in original.operations
    ]


def test_real_plan_round_trips() -> None:
    """A planned first sync with invoices and lines survives saving."""
    world = World.of(
        [
            contact("1", email="a@x.co", first="A", companies=("c1",)),
            company("c1", "Acme"),
        ],
        [
            customer("7", email="a@x.co", given="A"),
            item("5", Name="Widget"),
            invoice("70", "7", created=at(60), lines=(sales_line("1", "5"),)),
        ],
    )
    result = world.plan(SyncConfig.recommended(SETUP))
    assert Plan.from_dict(json.loads(json.dumps(result.to_dict()))) == result


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d.update(format="other"), "not a saved hsqbo plan"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d["operations"][0].update(kind="delete"), "unknown kind"),
        (lambda d: d["operations"][1].update(qbo_id="8"), "does not match"),
        (lambda d: d["operations"][1].update(extra=1), "unknown keys"),
        (
            lambda d: d["operations"][3].update(side="sap"),
            r"operations\[3\]: 'sap'",
        ),
        (
            lambda d: d["operations"][2]["fields"].update(x={"decimal": "x"}),
            "bad decimal",
        ),
        (lambda d: d.update(planned_at="2026-01-01T00:00:00"), "offset"),
        (lambda d: d.update(operations="none"), "expected a list"),
    ],
)
def test_bad_saved_plans_raise_plan_error(mutate: object, words: str) -> None:
    """Malformed or edited saved plans raise a PlanError saying why."""
    data = json.loads(json.dumps(_every_kind().to_dict()))
    mutate(data)  # type: ignore[operator]
    with pytest.raises(PlanError, match=words):
        Plan.from_dict(data)


def test_summary_counts_per_object_and_kind() -> None:
    """summary() counts operations and errors by object sync and kind."""
    assert _every_kind().summary() == {
        "contacts": {
            "conflict": 1,
            "error": 1,
            "link": 1,
            "rebase": 1,
            "remap": 1,
            "skip": 1,
            "update": 1,
        },
        "invoices": {"associate": 1, "create": 1},
    }


def test_is_empty_ignores_reports_and_state_only_operations() -> None:
    """Skips, conflicts, errors, rebases and remaps are not writes."""
    full = _every_kind()
    reports = Plan(
        operations=[
            op
            for op in full.operations
            if isinstance(op, Skip | Conflict | Rebase | Remap)
        ],
        errors=full.errors,
        planned_at=T0,
    )
    assert reports.is_empty
    assert not full.is_empty
    assert {op.kind for op in full.writes} == {
        "link",
        "create",
        "update",
        "associate",
    }


def test_explain_has_one_line_per_decision() -> None:
    """explain() gives one line per operation and error, saying why."""
    lines = _every_kind().explain().splitlines()
    assert len(lines) == 9
    assert any("left out (excluded): filter group 1" in line for line in lines)
    assert any("AMBIGUOUS_MATCH: two" in line for line in lines)
    assert any(
        "associate invoices the new HubSpot invoices from QBO Invoice 70"
        in line
        for line in lines
    )


def test_unchanged_pairs_are_counted_not_operations() -> None:
    """Unchanged pairs are counted, listed only on request."""
    world = World.of(
        [contact(str(i), email=f"{i}@x.co", first=f"A{i}") for i in range(3)],
        [],
    )
    config = SyncConfig.recommended(T0 - dt.timedelta(days=400))
    world.apply(world.plan(config))
    result = world.plan(config)
    assert result.summary() == {"contacts": {"unchanged": 3}}
    assert result.explain() == "unchanged contacts: 3 linked pairs agree"
    lines = result.explain(unchanged=True).splitlines()
    assert [line.split()[3] for line in lines] == ["0", "1", "2"]
    assert Plan.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert Plan(operations=(), planned_at=T0).explain() == "nothing to do"


def test_order_is_dependencies_first_then_object_then_id() -> None:
    """Creates precede their dependants; then object, kind, numeric id."""
    ops = list(_every_kind().operations)
    shuffled = list(reversed(ops))
    ordered = order_operations(shuffled)
    assert ordered == order_operations(ops)
    kinds = [op.kind for op in ordered]
    assert kinds.index("create") < kinds.index("associate")
    assert kinds[-2:] == ["conflict", "skip"]
    updates = [
        Update(
            object="contacts",
            side=Side.QBO,
            type="Customer",
            id=i,
            changes={},
            expected_version=None,
        )
        for i in ("10", "9", "100")
    ]
    assert [u.id for u in order_operations(updates)] == ["9", "10", "100"]


def test_op_ids_are_stable_and_content_derived() -> None:
    """The same decision has the same op_id; other content, another."""
    a = Link(object="contacts", hubspot_id="1", qbo_id="7", reason="x")
    b = Link(
        object="contacts", hubspot_id="1", qbo_id="7", reason="other words"
    )
    c = Link(object="contacts", hubspot_id="1", qbo_id="8")
    assert a.op_id == b.op_id != c.op_id
    assert a.op_id.startswith("link-")


def test_plan_records_now() -> None:
    """The plan carries the now it was made with, in UTC."""
    oslo = dt.timezone(dt.timedelta(hours=1))
    result = plan(
        SyncConfig.recommended(SETUP),
        [],
        [],
        SyncState(),
        now=dt.datetime(2026, 11, 27, 10, tzinfo=oslo),
    )
    assert result.planned_at == T0
    assert result.planned_at.tzinfo is dt.UTC
