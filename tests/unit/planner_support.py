"""Record builders and a small pure applier for the planner's tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping

import attrs

from hsqbo._config import (
    ConflictPolicy,
    DisplayNameRule,
    ObjectSync,
    SyncConfig,
)
from hsqbo._defaults import CONTACT_FIELDS, CONTACT_MATCH
from hsqbo._filters import FilterGroup
from hsqbo._mapping import FieldMap
from hsqbo._operations import Associate, Create, Ref, Update
from hsqbo._plan import Plan
from hsqbo._planner import plan
from hsqbo._record import Direction, FieldValue, Record, Side
from hsqbo._state import MemoryStore, OperationResult


T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
SETUP = T0 - dt.timedelta(days=30)


def at(minutes: int) -> dt.datetime:
    """Return T0 plus *minutes*."""
    return T0 + dt.timedelta(minutes=minutes)


def contact(
    record_id: str,
    *,
    email: str | None = None,
    first: str | None = None,
    last: str | None = None,
    created: dt.datetime = T0,
    updated: dt.datetime = T0,
    companies: tuple[str, ...] = (),
    archived: bool = False,
    **props: FieldValue,
) -> Record:
    """Build a HubSpot contact."""
    fields: dict[str, FieldValue] = {"createdate": created, **props}
    named = {"email": email, "firstname": first, "lastname": last}
    fields.update({k: v for k, v in named.items() if v is not None})
    return Record(
        Side.HUBSPOT,
        "contacts",
        record_id,
        fields,
        updated,
        archived=archived,
        associations={"companies": companies} if companies else {},
    )


def company(record_id: str, name: str) -> Record:
    """Build a HubSpot company."""
    return Record(Side.HUBSPOT, "companies", record_id, {"name": name}, T0)


def customer(
    record_id: str,
    *,
    email: str | None = None,
    given: str | None = None,
    family: str | None = None,
    display: str | None = None,
    updated: dt.datetime = T0,
    version: str = "0",
    archived: bool = False,
    fields: Mapping[str, FieldValue] | None = None,
) -> Record:
    """Build a QBO customer."""
    values: dict[str, FieldValue] = dict(fields or {})
    named = {
        "PrimaryEmailAddr.Address": email,
        "GivenName": given,
        "FamilyName": family,
        "DisplayName": display,
    }
    values.update({k: v for k, v in named.items() if v is not None})
    return Record(
        Side.QBO,
        "Customer",
        record_id,
        values,
        updated,
        version=version,
        archived=archived,
    )


def product(record_id: str, **props: FieldValue) -> Record:
    """Build a HubSpot product."""
    return Record(Side.HUBSPOT, "products", record_id, props, T0)


def item(record_id: str, **fields: FieldValue) -> Record:
    """Build a QBO item."""
    return Record(Side.QBO, "Item", record_id, fields, T0, version="0")


def invoice(
    record_id: str,
    customer_id: str,
    *,
    lines: tuple[Mapping[str, FieldValue], ...] = (),
    created: dt.datetime = T0,
    archived: bool = False,
    **fields: FieldValue,
) -> Record:
    """Build a QBO invoice."""
    values: dict[str, FieldValue] = {
        "CustomerRef.value": customer_id,
        "MetaData.CreateTime": created,
        **fields,
    }
    if lines:
        values["Line"] = lines
    return Record(
        Side.QBO,
        "Invoice",
        record_id,
        values,
        created,
        version="0",
        archived=archived,
    )


def sales_line(
    line_id: str, item_id: str, qty: str = "1", price: str = "10"
) -> dict[str, FieldValue]:
    """Build one QBO invoice line with a SalesItemLineDetail."""
    return {
        "Id": line_id,
        "DetailType": "SalesItemLineDetail",
        "Amount": price,
        "Description": f"item {item_id}",
        "SalesItemLineDetail": {
            "ItemRef": {"value": item_id, "name": f"Item {item_id}"},
            "Qty": qty,
            "UnitPrice": price,
        },
    }


def contacts_sync(
    *,
    direction: Direction = Direction.TWO_WAY,
    fields: Iterable[FieldMap] = CONTACT_FIELDS,
    conflicts: ConflictPolicy = ConflictPolicy.MOST_RECENT,
    filters_to_qbo: Iterable[FilterGroup] = (),
    filters_to_hubspot: Iterable[FilterGroup] = (),
    display_name: DisplayNameRule | None = None,
    enabled: bool = True,
) -> ObjectSync:
    """Build a contacts ⇄ Customer object sync."""
    return ObjectSync(
        "contacts",
        "contacts",
        "Customer",
        direction,
        tuple(fields),
        tuple(filters_to_qbo),
        tuple(filters_to_hubspot),
        match=CONTACT_MATCH,
        conflicts=conflicts,
        display_name=display_name or DisplayNameRule(),
        enabled=enabled,
    )


def config_of(*objects: ObjectSync) -> SyncConfig:
    """Build a configuration of the given object syncs."""
    return SyncConfig(objects, SETUP)


@attrs.define
class World:
    """Both systems, as dictionaries of records, and the state store."""

    hubspot: dict[tuple[str, str], Record]
    qbo: dict[tuple[str, str], Record]
    store: MemoryStore = attrs.Factory(MemoryStore)
    clock: dt.datetime = T0 + dt.timedelta(days=1)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(90_000))

    @classmethod
    def of(cls, hubspot: Iterable[Record], qbo: Iterable[Record]) -> World:
        """Build a world from records."""
        return cls(
            {(r.type, r.id): r for r in hubspot},
            {(r.type, r.id): r for r in qbo},
        )

    def side(self, side: Side) -> dict[tuple[str, str], Record]:
        """The records of one side."""
        return self.hubspot if side is Side.HUBSPOT else self.qbo

    def tick(self) -> dt.datetime:
        """Advance the world's clock by one second."""
        self.clock += dt.timedelta(seconds=1)
        return self.clock

    def plan(self, config: SyncConfig) -> Plan:
        """Plan with every record of both sides and the stored state."""
        return plan(
            config,
            list(self.hubspot.values()),
            list(self.qbo.values()),
            self.store.load(config),
            now=self.clock,
        )

    def edit(self, record: Record, **changes: FieldValue) -> Record:
        """Change fields of a record as a user would (new version/time)."""
        return self.put(record, changes)

    def put(self, record: Record, changes: Mapping[str, FieldValue]) -> Record:
        """Store *record* with *changes* applied and a new version."""
        new = attrs.evolve(
            record,
            fields={**record.fields, **changes},
            updated_at=self.tick(),
            version=None
            if record.version is None
            else str(int(record.version) + 1),
        )
        self.side(record.side)[(record.type, record.id)] = new
        return new

    def apply(self, the_plan: Plan) -> list[OperationResult]:
        """Apply every operation, as a perfect executor would, and commit."""
        made: dict[str, str] = {}
        results = [self._apply(op, made) for op in the_plan.operations]
        results.extend(
            OperationResult(operation=e, at=self.clock)
            for e in the_plan.errors
        )
        self.store.commit(results)
        return results

    def _resolve(self, target: str | Ref, made: Mapping[str, str]) -> str:
        return made[target.op_id] if isinstance(target, Ref) else target

    def _apply(self, op: object, made: dict[str, str]) -> OperationResult:
        when = self.tick()
        if isinstance(op, Create):
            new_id = str(next(self.ids))
            fields = dict(op.fields)
            for name, ref in op.references.items():
                fields[name] = made[ref.op_id]
            record = Record(
                op.side,
                op.type,
                new_id,
                fields,
                when,
                version="0" if op.side is Side.QBO else None,
            )
            self.side(op.side)[(op.type, new_id)] = record
            made[op.op_id] = new_id
            return OperationResult(
                operation=op, at=when, id=new_id, version=record.version
            )
        if isinstance(op, Update):
            record = self.side(op.side)[(op.type, op.id)]
            new = self.put(
                record, {k: new for k, (_, new) in op.changes.items()}
            )
            return OperationResult(
                operation=op, at=when, version=new.version, updated_at=when
            )
        if isinstance(op, Associate):
            source = self._resolve(op.from_id, made)
            target = self._resolve(op.to_id, made)
            record = self.hubspot[(op.from_type, source)]
            links = dict(record.associations)
            links[op.to_type] = (*links.get(op.to_type, ()), target)
            self.hubspot[(op.from_type, source)] = attrs.evolve(
                record, associations=links
            )
        return OperationResult(operation=op, at=when)  # type: ignore[arg-type]
