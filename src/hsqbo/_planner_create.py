"""
Creates: records copied to the other side.

Fields, defaults, unique QBO names and the display-name rule (B18, B19).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from hsqbo import _display_name as names
from hsqbo._config import ObjectSync
from hsqbo._mapping import TransformError
from hsqbo._operations import (
    Create,
    ErrorCode,
    RecordKey,
    Ref,
    id_sort_key,
)
from hsqbo._planner_base import (
    FAR_FUTURE,
    ITEM_REQUIRED,
    CompiledField,
    match_key,
    show,
)
from hsqbo._planner_merge import (
    MergeRules,
)
from hsqbo._record import FieldValue, Record, Side


def mapped_display_name(
    fields: tuple[CompiledField, ...], contact: Record
) -> str | None:
    """The contact's value of a field mapped to ``DisplayName``, if any."""
    for f in fields:
        if f.qbo == "DisplayName" and f.to_qbo:
            try:
                value = f.normalize(contact.fields.get(f.hubspot))
            except TransformError:
                return None
            return value if isinstance(value, str) else None
    return None


def display_name_owners(customers: Mapping[str, Record]) -> dict[str, str]:
    """Map each display name key to the first QBO customer holding it."""
    owners: dict[str, str] = {}
    for qid in sorted(customers, key=id_sort_key):
        name = customers[qid].fields.get("DisplayName")
        if isinstance(name, str) and name.strip():
            owners.setdefault(names.name_key(name), qid)
    return owners


def creation_order(
    record: Record,
) -> tuple[dt.datetime, tuple[int, int, str]]:
    created = record.fields.get("createdate")
    when = created if isinstance(created, dt.datetime) else FAR_FUTURE
    return (when, id_sort_key(record.id))


class CreateRules(MergeRules):
    """Records copied to the other side, with unique QBO names (§5.2, §5.4)."""

    def create_fields(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        record: Record,
    ) -> tuple[dict[str, FieldValue], dict[str, FieldValue]] | None:
        """Values (by target field) and base of a record copied across."""
        target = record.side.other
        defaults = (
            obj.qbo_defaults if target is Side.QBO else obj.hubspot_defaults
        )
        values: dict[str, FieldValue] = dict(defaults)
        base: dict[str, FieldValue] = {}
        failed = False
        for f in fields:
            if not f.writes_to(target):
                continue
            raw = f.value(record)
            try:
                value = None if raw is None else f.normalize(raw)
            except TransformError as exc:
                self.errors.append(self.invalid(obj, record, f, exc))
                failed = True
                continue
            path = f.path(target)
            if value is None:
                if path not in defaults:
                    base[f.key] = None
                continue
            values[path] = value
            base[f.key] = value
        return None if failed else (values, base)

    def create(
        self,
        obj: ObjectSync,
        record: Record,
        values: dict[str, FieldValue],
        base: dict[str, FieldValue],
        reason: str,
    ) -> Create:
        target = record.side.other
        op = Create(
            object=obj.name,
            side=target,
            type=obj.qbo if target is Side.QBO else obj.hubspot,
            fields=values,
            source=RecordKey(side=record.side, type=record.type, id=record.id),
            link=True,
            base=base,
            reason=reason,
        )
        self.ops.append(op)
        if record.side is Side.QBO:
            self.new_links[obj.name][record.id] = Ref(op.op_id)
        return op

    def create_in_hubspot(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        rest_q: list[Record],
    ) -> None:
        # HubSpot keeps contact e-mails unique: two customers sharing one
        # would make the second create fail, so it is reported instead.
        unique = (
            obj.match[0] if obj.hubspot == "contacts" and obj.match else None
        )
        if not rest_q:
            return
        claimed: dict[FieldValue, str] = {}
        if unique is not None:
            existing = self.hubspot.get(obj.hubspot, {})
            for hid in sorted(existing, key=id_sort_key):
                key = match_key(unique, existing[hid])
                if key is not None:
                    claimed.setdefault(key, f"HubSpot {obj.hubspot} {hid}")
        for q in rest_q:
            if not self.is_source(obj, q):
                self.left_out(obj, q)
                continue
            made = self.create_fields(obj, fields, q)
            if made is None:
                continue
            values, base = made
            key = (
                match_key(unique, q)
                if unique is not None and unique.hubspot in values
                else None
            )
            if key is not None and key in claimed:
                self.error(
                    obj,
                    q,
                    ErrorCode.AMBIGUOUS_MATCH,
                    f"{unique.key} {show(key)} is already used by "  # type: ignore[union-attr]
                    f"{claimed[key]}; HubSpot keeps it unique, so link or "
                    "merge them by hand",
                )
                continue
            if key is not None:
                claimed[key] = f"QBO {q.type} {q.id} (created in this plan)"
            self.create(
                obj, q, values, base, self.no_match_reason(obj, "HubSpot")
            )

    def no_match_reason(self, obj: ObjectSync, where: str) -> str:
        keys = " or ".join(m.key for m in obj.match) or "no match key"
        return f"no unlinked {where} record matches ({keys})"

    def create_in_qbo(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        rest_h: list[Record],
        rest_q: list[Record],
    ) -> set[str]:
        """Create QBO records from unmatched HubSpot ones; return links."""
        sources = []
        for h in rest_h:
            if self.is_source(obj, h):
                sources.append(h)
            else:
                self.left_out(obj, h)
        if not sources:
            return set()
        if obj.qbo == "Customer":
            return self.create_customers(obj, fields, sources, rest_q)
        if obj.qbo == "Invoice":
            for h in sources:
                self.error(
                    obj,
                    h,
                    ErrorCode.MISSING_REQUIRED,
                    "creating QBO invoices from HubSpot is not supported; "
                    f"make object sync {obj.name!r} one-way QBO → HubSpot",
                )
            return set()
        self.create_named(obj, fields, sources)
        return set()

    def create_named(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        sources: list[Record],
    ) -> None:
        """Create QBO records; an item's ``Name`` must be unique (rule 4)."""
        unique = "Name" if obj.qbo == "Item" else None
        taken = self.names_of(obj.qbo, unique) if unique else {}
        for h in sources:
            made = self.create_fields(obj, fields, h)
            if made is None:
                continue
            values, base = made
            if unique is not None:
                if not self.item_ready(obj, h, values):
                    continue
                name = values.get(unique)
                key = names.name_key(name) if isinstance(name, str) else ""
                if key in taken:
                    self.error(
                        obj,
                        h,
                        ErrorCode.DUPLICATE_NAME,
                        f"QBO {obj.qbo} {unique} {show(name)} is already "
                        f"used by {taken[key]}; QBO names are unique",
                    )
                    continue
                taken[key] = f"HubSpot {h.type} {h.id} (created in this plan)"
            self.create(obj, h, values, base, self.no_match_reason(obj, "QBO"))

    def item_ready(
        self, obj: ObjectSync, h: Record, values: Mapping[str, FieldValue]
    ) -> bool:
        missing = [k for k in ITEM_REQUIRED if values.get(k) in (None, "")]
        if not values.get("Name"):
            missing.insert(0, "Name")
        if not missing:
            return True
        settings = ", ".join(
            f"qbo_defaults[{k!r}]" if k != "Name" else "a mapped Name"
            for k in missing
        )
        self.error(
            obj,
            h,
            ErrorCode.MISSING_REQUIRED,
            f"a QBO item needs {settings} on object sync {obj.name!r} "
            "(Type e.g. 'Service', IncomeAccountRef.value an income "
            "account id)",
        )
        return False

    def create_customers(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        sources: list[Record],
        rest_q: list[Record],
    ) -> set[str]:
        """Create customers with unique display names (B18, B19)."""
        companies = self.hubspot.get("companies", {})
        customers = self.qbo.get(obj.qbo, {})
        taken = self.names_of(obj.qbo, "DisplayName")
        owners = display_name_owners(customers)
        free_q = {r.id for r in rest_q}
        linked: set[str] = set()
        # The first contact of a company (earliest createdate, then lowest
        # id) gets the company name.
        for h in sorted(sources, key=creation_order):
            name, company = names.display_name(obj.display_name, h, companies)
            mapped = mapped_display_name(fields, h)
            if mapped:
                # An explicit DisplayName mapping wins over the rule.
                name, company = mapped, None
            problem = names.name_problem(name)
            if problem is not None:
                self.error(
                    obj,
                    h,
                    ErrorCode.INVALID_DISPLAY_NAME,
                    f"display name {show(name)} {problem}"
                    if name
                    else "no company, first or last name to make a QBO "
                    "display name from",
                )
                continue
            key = names.name_key(name)
            if key in taken:
                owner = owners.get(key)
                if owner in free_q and owner not in linked:
                    free = customers[owner]
                else:
                    free = None
                resolved = self.duplicate(
                    obj, fields, h, name, taken=taken, free=free
                )
                if resolved is None:
                    continue
                if resolved is free:
                    linked.add(free.id)
                    continue
                name = str(resolved)
                key = names.name_key(name)
            made = self.create_fields(obj, fields, h)
            if made is None:
                continue
            values, base = made
            values["DisplayName"] = name
            if company is not None and "CompanyName" not in values:
                values["CompanyName"] = company
            taken[key] = f"HubSpot {h.type} {h.id} (created in this plan)"
            self.create(
                obj,
                h,
                values,
                base,
                f"{self.no_match_reason(obj, 'QBO')}; display name "
                f"{show(name)}",
            )
        return linked

    def duplicate(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        h: Record,
        name: str,
        *,
        taken: Mapping[str, str],
        free: Record | None,
    ) -> str | Record | None:
        """
        Apply ``on_duplicate`` to a display name that is taken.

        Returns:
            The unique name to use ("suffix"), the customer *h* was linked
            to ("link"), or ``None`` when the contact is reported instead.
        """
        strategy = obj.display_name.on_duplicate
        if strategy == "link" and free is not None:
            self.link(
                obj,
                fields,
                h,
                free,
                f"display name {show(name)} belongs to QBO customer "
                f"{free.id}: linked as the company's billing customer",
            )
            return free
        if strategy == "suffix":
            unique = names.suffixed(name, h, taken)
            problem = names.name_problem(unique)
            if problem is None:
                return unique
            self.error(
                obj,
                h,
                ErrorCode.INVALID_DISPLAY_NAME,
                f"display name {show(name)} is taken and the suffixed "
                f"{show(unique)} {problem}",
            )
            return None
        self.error(
            obj,
            h,
            ErrorCode.DUPLICATE_DISPLAY_NAME,
            f"QBO display name {show(name)} is already used by "
            f"{taken[names.name_key(name)]}; QBO display names are unique "
            "(one billing contact per company, or on_duplicate='suffix' "
            "or 'link')",
        )
        return None
