"""
Business rules per entity: what QBO requires, computes and refuses.

Each :class:`Rules` turns the writable fields of a request (already merged
for a sparse update) into the object QBO would store, raising
:class:`~hsqbo.testing._qbo._errors.QboFault` for the errors QBO answers
with. :meth:`Rules.commit` then updates the indexes and the objects a write
touches elsewhere (a payment lowers its invoices' balances).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs

from hsqbo.testing._qbo import _errors
from hsqbo.testing._qbo._store import (
    CLASSIFICATIONS,
    Obj,
    Store,
    home_currency,
)
from hsqbo.testing._qbo._wire import to_decimal, wire_time


__all__ = [
    "ENHANCED_INCLUDE",
    "RULES",
    "Options",
    "Rules",
    "custom_field_slots",
    "refresh_invoice",
]

_CENT = decimal.Decimal("0.01")
_ZERO = decimal.Decimal(0)
_FORBIDDEN = (":", "\t", "\n")
_NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
_DAYS_DUE = 30


@attrs.frozen(kw_only=True)
class Options:
    """The ``include=`` flags of one write."""

    include: frozenset[str] = frozenset()


def _money(value: decimal.Decimal) -> decimal.Decimal:
    return value.quantize(_CENT, rounding=decimal.ROUND_HALF_UP)


def _number(data: Obj, field: str, element: str) -> decimal.Decimal | None:
    if field not in data:
        return None
    try:
        return to_decimal(data[field])
    except ValueError:
        raise _errors.bad_request(
            f"Property Name:{element} has an invalid number value"
        ) from None


def _text(data: Obj, field: str) -> str | None:
    value = data.get(field)
    return value if isinstance(value, str) and value else None


def _check_length(data: Obj, field: str, maximum: int) -> None:
    value = _text(data, field)
    if value is not None and len(value) > maximum:
        raise _errors.string_length(field, maximum, len(value))


def _check_name_characters(data: Obj, fields: Iterable[str]) -> None:
    for field in fields:
        value = _text(data, field)
        if value is not None and any(c in value for c in _FORBIDDEN):
            raise _errors.business(
                f"The {field} can't contain a colon (:), tab or new line.",
                element=field,
            )


def _date(data: Obj, field: str) -> dt.date | None:
    value = _text(data, field)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _errors.bad_request(
            f"Property Name:{field} has an invalid date value: {value}"
        ) from None


def _ref(obj: Obj, name_field: str) -> Obj:
    return {"value": obj["Id"], "name": obj.get(name_field, "")}


def _touch(store: Store, entity: str, obj: Obj) -> None:
    """Record a server-side change: new SyncToken and LastUpdatedTime."""
    obj["SyncToken"] = str(int(obj["SyncToken"]) + 1)
    obj["MetaData"]["LastUpdatedTime"] = wire_time(store.now())
    store.changed_at[entity, obj["Id"]] = store.now()


class Rules:
    """The rules of one entity; subclasses override what differs."""

    entity: ClassVar[str] = ""
    name_list: ClassVar[bool] = False
    read_only: ClassVar[frozenset[str]] = frozenset()
    """Fields the server computes; ignored on every write."""
    create_only: ClassVar[frozenset[str]] = frozenset()
    """Fields set on create only; updates keep the stored value."""
    keep_on_clear: ClassVar[frozenset[str]] = frozenset()
    """Fields a sparse update cannot remove."""

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        """Return the object to store for *data*; raise a fault to refuse."""
        del store, old, options
        return data

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        """Update indexes and other objects after *new* is stored."""
        del store, old, new

    def check_delete(self, store: Store, obj: Obj) -> None:
        """Raise a fault when *obj* may not be deleted."""
        del store
        if self.name_list:
            raise _errors.unsupported(
                f"Operation Delete is not supported for {self.entity} "
                f"Id={obj['Id']}; make it inactive instead."
            )

    def on_delete(self, store: Store, obj: Obj) -> None:
        """Undo what *obj* did to other objects once it is deleted."""
        del store, obj

    def void(self, store: Store, obj: Obj) -> Obj:
        """Return the voided version of *obj*; raise when it cannot be."""
        del store
        raise _errors.unsupported(
            f"Operation Void is not supported for {self.entity} Id={obj['Id']}"
        )


# -- name lists with a DisplayName -------------------------------------


class _DisplayNameRules(Rules):
    name_list = True
    keep_on_clear = frozenset({"DisplayName", "PrintOnCheckName"})

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        del options
        _check_name_characters(
            data, ("DisplayName", *_NAME_PARTS, "PrintOnCheckName")
        )
        for field, maximum in (
            ("DisplayName", 500),
            ("Title", 16),
            ("Suffix", 16),
            ("GivenName", 100),
            ("MiddleName", 100),
            ("FamilyName", 100),
            ("CompanyName", 100),
            ("PrintOnCheckName", 110),
            ("Notes", 2000),
        ):
            _check_length(data, field, maximum)
        name = _text(data, "DisplayName")
        if name is None:
            parts = [_text(data, part) for part in _NAME_PARTS]
            name = " ".join(part for part in parts if part) or None
        if name is None:
            raise _errors.required("DisplayName")
        data["DisplayName"] = name
        email = data.get("PrimaryEmailAddr")
        if isinstance(email, dict):
            address = email.get("Address")
            if (
                isinstance(address, str)
                and address
                and ("@" not in address or "." not in address)
            ):
                raise _errors.invalid_email("PrimaryEmailAddr.Address")
        owner = store.display_names.get(name.casefold())
        if owner is not None and (
            old is None or owner != (self.entity, old["Id"])
        ):
            raise _errors.duplicate_name(owner[1])
        data.setdefault("Active", True)
        data.setdefault("PrintOnCheckName", name)
        for field in ("BillAddr", "ShipAddr"):
            address_obj = data.get(field)
            if isinstance(address_obj, dict) and "Id" not in address_obj:
                address_obj["Id"] = store.new_address_id()
        return data

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        if old is not None:
            store.display_names.pop(old["DisplayName"].casefold(), None)
        store.display_names[new["DisplayName"].casefold()] = (
            self.entity,
            new["Id"],
        )


class CustomerRules(_DisplayNameRules):
    """Customers: names, jobs, balances."""

    entity = "Customer"
    read_only = frozenset(
        {"FullyQualifiedName", "Level", "BalanceWithJobs", "IsProject"}
    )
    create_only = frozenset({"Balance", "OpenBalanceDate", "CurrencyRef"})

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        data = super().build(store, data, old, options)
        method = data.get("PreferredDeliveryMethod")
        if method is not None and method not in {"Print", "Email", "None"}:
            raise _errors.invalid_enum("PreferredDeliveryMethod", method)
        parent_ref = data.get("ParentRef")
        if parent_ref is not None or data.get("Job") is True:
            parent = store.resolve("Customer", parent_ref, "ParentRef")
            if old is not None and parent["Id"] == old["Id"]:
                raise _errors.invalid_reference(
                    "ParentRef",
                    parent["Id"],
                    "a customer cannot be its own parent",
                )
            level = int(parent.get("Level", 0)) + 1
            if level > 4:  # noqa: PLR2004 - QBO allows 4 levels under the top
                raise _errors.business(
                    "Sub-customers can be nested at most 4 levels deep.",
                    element="ParentRef",
                )
            data["ParentRef"] = {"value": parent["Id"]}
            data["Job"] = True
            data["Level"] = level
            data["FullyQualifiedName"] = (
                f"{parent['FullyQualifiedName']}:{data['DisplayName']}"
            )
            data.setdefault("BillWithParent", False)
        else:
            data["Job"] = False
            data["Level"] = 0
            data["FullyQualifiedName"] = data["DisplayName"]
            data.setdefault("BillWithParent", False)
        if old is None:
            data.setdefault("CurrencyRef", home_currency())
            opening = _number(data, "Balance", "Balance") or _ZERO
            data["Balance"] = opening
            data["BalanceWithJobs"] = opening
        else:
            data["Balance"] = old.get("Balance", 0)
            data["BalanceWithJobs"] = old.get("BalanceWithJobs", 0)
            if old.get("Active") is not False and data["Active"] is False:
                balance = to_decimal(old.get("Balance", 0))
                if balance != 0:
                    raise _errors.business(
                        "Delete List Has Balance Error : "
                        f"{data['DisplayName']} cannot be deleted because it "
                        "has a non-zero balance.",
                    )
        data.setdefault("Taxable", False)
        return data

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        super().commit(store, old, new)
        if old is None:
            store.opening_balances[new["Id"]] = to_decimal(
                new.get("Balance", 0)
            )
        elif old.get("FullyQualifiedName") != new.get("FullyQualifiedName"):
            _rename_jobs(store, new)


def _rename_jobs(store: Store, parent: Obj) -> None:
    for child in store.objects["Customer"].values():
        ref = child.get("ParentRef")
        if isinstance(ref, dict) and ref.get("value") == parent["Id"]:
            child["FullyQualifiedName"] = (
                f"{parent['FullyQualifiedName']}:{child['DisplayName']}"
            )
            _rename_jobs(store, child)


def refresh_customer(store: Store, customer_id: str) -> None:
    """Recompute a customer's Balance and BalanceWithJobs, and its parents'."""
    customer = store.objects["Customer"].get(customer_id)
    if customer is None:
        return
    balance = store.opening_balances.get(customer_id, _ZERO)
    for invoice_id in store.invoices_of.get(customer_id, ()):
        invoice = store.objects["Invoice"].get(invoice_id)
        if invoice is not None:
            balance += to_decimal(invoice.get("Balance", 0))
    with_jobs = balance
    for child in store.objects["Customer"].values():
        ref = child.get("ParentRef")
        if isinstance(ref, dict) and ref.get("value") == customer_id:
            with_jobs += to_decimal(child.get("BalanceWithJobs", 0))
    customer["Balance"] = balance
    customer["BalanceWithJobs"] = with_jobs
    parent = customer.get("ParentRef")
    if isinstance(parent, dict) and parent.get("value"):
        refresh_customer(store, str(parent["value"]))


class VendorRules(_DisplayNameRules):
    """Vendors: here for the DisplayName rule they share with customers."""

    entity = "Vendor"
    read_only = frozenset({"Balance"})

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        data = super().build(store, data, old, options)
        data["Balance"] = old.get("Balance", 0) if old else 0
        data.setdefault("CurrencyRef", home_currency())
        data.setdefault("Vendor1099", False)
        return data


class EmployeeRules(_DisplayNameRules):
    """Employees: here for the DisplayName rule they share with customers."""

    entity = "Employee"

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        data = super().build(store, data, old, options)
        data.setdefault("BillableTime", False)
        return data


# -- accounts -------------------------------------------------------------


class AccountRules(Rules):
    """Accounts of the chart, for IncomeAccountRef and friends."""

    entity = "Account"
    name_list = True
    read_only = frozenset(
        {
            "FullyQualifiedName",
            "Classification",
            "CurrentBalance",
            "CurrentBalanceWithSubAccounts",
        }
    )

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        del options
        name = _text(data, "Name")
        if name is None:
            raise _errors.required("Name")
        _check_name_characters(data, ("Name",))
        _check_length(data, "Name", 100)
        owner = store.account_names.get(name.casefold())
        if owner is not None and (old is None or owner != old["Id"]):
            raise _errors.duplicate_name(owner)
        account_type = data.get("AccountType")
        if account_type is None:
            raise _errors.required("AccountType")
        if account_type not in CLASSIFICATIONS:
            raise _errors.invalid_enum("AccountType", account_type)
        data["Classification"] = CLASSIFICATIONS[account_type]
        data["FullyQualifiedName"] = name
        data.setdefault("SubAccount", False)
        data.setdefault("Active", True)
        data.setdefault("CurrencyRef", home_currency())
        data["CurrentBalance"] = old.get("CurrentBalance", 0) if old else 0
        data["CurrentBalanceWithSubAccounts"] = data["CurrentBalance"]
        return data

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        if old is not None:
            store.account_names.pop(old["Name"].casefold(), None)
        store.account_names[new["Name"].casefold()] = new["Id"]


# -- items ----------------------------------------------------------------

ITEM_TYPES = frozenset(
    {"Service", "NonInventory", "Inventory", "Category", "Group"}
)


def _item_type(data: Obj, old: Obj | None) -> str:
    item_type = data.get("Type")
    if item_type == "Bundle":
        item_type = "Group"
    if item_type is None:
        raise _errors.required("Type")
    if item_type not in ITEM_TYPES:
        raise _errors.invalid_enum("Type", item_type)
    if (
        old is not None
        and old.get("Type") == "Inventory"
        and (item_type != "Inventory")
    ):
        raise _errors.business(
            "You can't change the type of an inventory item.",
            element="Type",
        )
    data["Type"] = item_type
    return str(item_type)


class ItemRules(Rules):
    """Products and services."""

    entity = "Item"
    name_list = True
    read_only = frozenset({"FullyQualifiedName", "Level"})

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        del options
        name = _text(data, "Name")
        if name is None:
            raise _errors.required("Name")
        _check_name_characters(data, ("Name",))
        _check_length(data, "Name", 100)
        _check_length(data, "Description", 4000)
        _check_length(data, "PurchaseDesc", 1000)
        _check_length(data, "Sku", 100)
        item_type = _item_type(data, old)
        for field in ("UnitPrice", "PurchaseCost", "QtyOnHand"):
            value = _number(data, field, field)
            if value is not None:
                data[field] = value
        self._accounts(store, data, item_type)
        if item_type == "Group":
            self._group(store, data)
        parent_ref = data.get("ParentRef")
        if parent_ref is not None or data.get("SubItem") is True:
            parent = store.resolve("Item", parent_ref, "ParentRef")
            data["ParentRef"] = _ref(parent, "Name")
            data["SubItem"] = True
            data["Level"] = int(parent.get("Level", 0)) + 1
            data["FullyQualifiedName"] = (
                f"{parent['FullyQualifiedName']}:{name}"
            )
        else:
            data["SubItem"] = False
            data["Level"] = 0
            data["FullyQualifiedName"] = name
        owner = store.item_names.get(data["FullyQualifiedName"].casefold())
        if owner is not None and (old is None or owner != old["Id"]):
            raise _errors.duplicate_name(owner)
        data.setdefault("Active", True)
        data.setdefault("Taxable", False)
        data.setdefault("UnitPrice", 0)
        return data

    def _accounts(self, store: Store, data: Obj, item_type: str) -> None:
        if item_type in {"Service", "NonInventory", "Inventory"}:
            data["IncomeAccountRef"] = self._account(
                store, data, "IncomeAccountRef"
            )
        if item_type == "Inventory":
            data["ExpenseAccountRef"] = self._account(
                store, data, "ExpenseAccountRef"
            )
            data["AssetAccountRef"] = self._account(
                store, data, "AssetAccountRef"
            )
            if _date(data, "InvStartDate") is None:
                raise _errors.required("InvStartDate")
            if "QtyOnHand" not in data:
                raise _errors.required("QtyOnHand")
            data["TrackQtyOnHand"] = True
            return
        if "ExpenseAccountRef" in data:
            data["ExpenseAccountRef"] = self._account(
                store, data, "ExpenseAccountRef"
            )
        data["TrackQtyOnHand"] = False

    @staticmethod
    def _account(store: Store, data: Obj, field: str) -> Obj:
        return _ref(store.resolve("Account", data.get(field), field), "Name")

    @staticmethod
    def _group(store: Store, data: Obj) -> None:
        detail = data.get("ItemGroupDetail")
        lines = (
            detail.get("ItemGroupLine") if isinstance(detail, dict) else None
        )
        if not isinstance(lines, list) or not lines:
            raise _errors.required("ItemGroupDetail.ItemGroupLine")
        resolved = []
        for line in lines:
            element = "ItemGroupDetail.ItemGroupLine.ItemRef"
            item = store.resolve(
                "Item",
                line.get("ItemRef") if isinstance(line, dict) else None,
                element,
            )
            if item.get("Type") in {"Category", "Group"}:
                raise _errors.invalid_reference(
                    element,
                    item["Id"],
                    f"{item['Type']} items cannot be part of a group",
                )
            qty = (
                _number(line, "Qty", "Qty") if isinstance(line, dict) else None
            )
            resolved.append(
                {
                    "ItemRef": {**_ref(item, "Name"), "type": "Item"},
                    "Qty": qty if qty is not None else 1,
                }
            )
        data["ItemGroupDetail"] = {"ItemGroupLine": resolved}

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        if old is not None:
            store.item_names.pop(old["FullyQualifiedName"].casefold(), None)
        store.item_names[new["FullyQualifiedName"].casefold()] = new["Id"]


# -- invoices -------------------------------------------------------------


def custom_field_slots(store: Store) -> dict[str, str]:
    """Return the enabled sales-form custom fields: {slot: name}."""
    enabled: dict[str, bool] = {}
    names: dict[str, str] = {}
    for group in store.preferences["SalesFormsPrefs"]["CustomField"]:
        for field in group.get("CustomField", []):
            key = str(field.get("Name", ""))
            if key.startswith("SalesFormsPrefs.UseSalesCustom"):
                enabled[key[-1]] = bool(field.get("BooleanValue"))
            elif key.startswith("SalesFormsPrefs.SalesCustomName"):
                names[key[-1]] = str(field.get("StringValue", ""))
    return {
        slot: names[slot]
        for slot in sorted(enabled)
        if enabled[slot] and names.get(slot)
    }


ENHANCED_INCLUDE = "enhancedallcustomfields"
"""The ``include=`` flag (compared case-insensitively) for enhanced fields."""


def _given_custom_fields(given: object) -> dict[str, Obj]:
    found: dict[str, Obj] = {}
    if isinstance(given, list):
        for field in given:
            if isinstance(field, dict) and field.get("DefinitionId"):
                found[str(field["DefinitionId"])] = field
    return found


def _enhanced_entry(
    definition_id: str, name: str, field_type: str, sent: Obj
) -> Obj | None:
    entry: Obj = {
        "DefinitionId": definition_id,
        "Name": name,
        "Type": field_type,
    }
    if field_type == "NumberType":
        if sent.get("NumberValue") in (None, ""):
            return None
        entry["NumberValue"] = _number(
            sent, "NumberValue", "CustomField.NumberValue"
        )
        return entry
    value = sent.get("StringValue")
    if not isinstance(value, str) or not value:
        return None
    entry["StringValue"] = value
    return entry


def _custom_fields(
    store: Store, given: object, old: Obj | None, options: Options
) -> list[Obj]:
    """
    Keep values for enabled sales-form slots; drop the rest silently.

    Enhanced custom fields (``fake.define_custom_field``) are read and
    written only with ``include=enhancedAllCustomFields``; a write without
    it keeps their stored values.
    """
    sent = _given_custom_fields(given)
    result = []
    for slot, name in custom_field_slots(store).items():
        entry: Obj = {"DefinitionId": slot, "Name": name, "Type": "StringType"}
        value = sent.get(slot, {}).get("StringValue")
        if isinstance(value, str) and value:
            entry["StringValue"] = value
        result.append(entry)
    enhanced = ENHANCED_INCLUDE in {o.casefold() for o in options.include}
    stored = _given_custom_fields(old.get("CustomField") if old else None)
    for definition_id, (name, field_type) in store.enhanced_fields.items():
        if enhanced and definition_id in sent:
            found = _enhanced_entry(
                definition_id, name, field_type, sent[definition_id]
            )
        else:
            found = stored.get(definition_id)
        if found is not None:
            result.append(found)
    return result


def _invoice_totals(
    store: Store,
    data: Obj,
    old: Obj | None,
    net: decimal.Decimal,
    *,
    voided: bool,
) -> None:
    """Set TxnTaxDetail, TotalAmt, Balance and LinkedTxn."""
    tax_detail = data.get("TxnTaxDetail")
    if not isinstance(tax_detail, dict):
        tax_detail = {}
    tax = _number(tax_detail, "TotalTax", "TxnTaxDetail.TotalTax") or _ZERO
    tax_detail["TotalTax"] = tax
    data["TxnTaxDetail"] = tax_detail
    total = _ZERO if voided else _money(net + tax)
    applied = store.applied.get(old["Id"], {}) if old is not None else {}
    data["TotalAmt"] = total
    data["HomeTotalAmt"] = total
    data["Balance"] = total - sum(applied.values(), _ZERO)
    data["LinkedTxn"] = [
        {"TxnId": pid, "TxnType": "Payment"} for pid in applied
    ]


def _invoice_statuses(data: Obj, customer: Obj) -> None:
    """Default addresses and e-mail from the customer; check statuses."""
    for field, source in (
        ("BillAddr", "BillAddr"),
        ("ShipAddr", "ShipAddr"),
        ("BillEmail", "PrimaryEmailAddr"),
    ):
        if field not in data and isinstance(customer.get(source), dict):
            data[field] = dict(customer[source])
    email_status = data.setdefault("EmailStatus", "NotSet")
    if email_status not in {"NotSet", "NeedToSend", "EmailSent"}:
        raise _errors.invalid_enum("EmailStatus", email_status)
    if email_status == "NeedToSend" and not data.get("BillEmail"):
        raise _errors.business(
            "Need to supply BillEmail when EmailStatus is NeedToSend.",
            element="BillEmail",
        )
    print_status = data.setdefault("PrintStatus", "NotSet")
    if print_status not in {"NotSet", "NeedToPrint", "PrintComplete"}:
        raise _errors.invalid_enum("PrintStatus", print_status)


class InvoiceRules(Rules):
    """Invoices: lines, totals, balances, numbers."""

    entity = "Invoice"
    read_only = frozenset(
        {
            "TotalAmt",
            "Balance",
            "HomeTotalAmt",
            "HomeBalance",
            "LinkedTxn",
            "InvoiceLink",
            "DeliveryInfo",
        }
    )

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        customer = store.resolve(
            "Customer", data.get("CustomerRef"), "CustomerRef"
        )
        data["CustomerRef"] = _ref(customer, "DisplayName")
        lines = data.get("Line")
        if not isinstance(lines, list) or not [
            line
            for line in lines
            if isinstance(line, dict)
            and line.get("DetailType") != "SubTotalLineDetail"
        ]:
            raise _errors.required("Line")
        voided = old is not None and ("Invoice", old["Id"]) in store.voided
        data["Line"], subtotal, discount = _invoice_lines(
            store, lines, old, voided=voided
        )
        _invoice_totals(store, data, old, subtotal - discount, voided=voided)
        txn_date = _date(data, "TxnDate") or store.today()
        data["TxnDate"] = txn_date.isoformat()
        due = _date(data, "DueDate") or txn_date + dt.timedelta(days=_DAYS_DUE)
        data["DueDate"] = due.isoformat()
        self._doc_number(store, data, old, options)
        data["CustomField"] = _custom_fields(
            store, data.get("CustomField"), old, options
        )
        data.setdefault("CurrencyRef", home_currency())
        _invoice_statuses(data, customer)
        data.setdefault("ApplyTaxAfterDiscount", False)
        data.setdefault("Deposit", 0)
        if voided:
            note = str(data.get("PrivateNote", ""))
            data["PrivateNote"] = (
                note
                if note.startswith("Voided")
                else f"Voided{(' - ' + note) if note else ''}"
            )
        _check_length(data, "PrivateNote", 4000)
        return data

    @staticmethod
    def _doc_number(
        store: Store, data: Obj, old: Obj | None, options: Options
    ) -> None:
        number = _text(data, "DocNumber")
        custom_numbers = bool(
            store.preferences["SalesFormsPrefs"].get("CustomTxnNumbers")
        )
        if number is None:
            if old is not None and _text(old, "DocNumber"):
                return
            if custom_numbers:
                return
            while str(store.next_doc_number) in store.doc_numbers:
                store.next_doc_number += 1
            number = str(store.next_doc_number)
        _check_length({"DocNumber": number}, "DocNumber", 21)
        owner = store.doc_numbers.get(number.casefold())
        if (
            owner is not None
            and (old is None or owner != old["Id"])
            and "allowduplicatedocnum" not in options.include
        ):
            raise _errors.duplicate_doc_number(number, owner)
        data["DocNumber"] = number

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        if old is not None:
            if _text(old, "DocNumber"):
                number = old["DocNumber"].casefold()
                if store.doc_numbers.get(number) == old["Id"]:
                    del store.doc_numbers[number]
            store.invoices_of.get(old["CustomerRef"]["value"], set()).discard(
                old["Id"]
            )
            refresh_customer(store, old["CustomerRef"]["value"])
        if _text(new, "DocNumber"):
            store.doc_numbers.setdefault(
                new["DocNumber"].casefold(), new["Id"]
            )
            if new["DocNumber"] == str(store.next_doc_number):
                store.next_doc_number += 1
        store.invoices_of.setdefault(new["CustomerRef"]["value"], set()).add(
            new["Id"]
        )
        refresh_customer(store, new["CustomerRef"]["value"])

    def check_delete(self, store: Store, obj: Obj) -> None:
        if store.applied.get(obj["Id"]):
            raise _errors.business(
                "This transaction is linked to other transactions. Unlink the "
                "payments before deleting it.",
            )

    def on_delete(self, store: Store, obj: Obj) -> None:
        if _text(obj, "DocNumber"):
            number = obj["DocNumber"].casefold()
            if store.doc_numbers.get(number) == obj["Id"]:
                del store.doc_numbers[number]
        customer_id = obj["CustomerRef"]["value"]
        store.invoices_of.get(customer_id, set()).discard(obj["Id"])
        refresh_customer(store, customer_id)

    def void(self, store: Store, obj: Obj) -> Obj:
        if store.applied.get(obj["Id"]):
            raise _errors.business(
                "This invoice has payments applied. Delete or unapply the "
                "payments before voiding it.",
            )
        store.voided.add(("Invoice", obj["Id"]))
        return obj


def _line_ids(lines: Iterable[object]) -> Iterable[int]:
    for line in lines:
        if isinstance(line, dict) and str(line.get("Id", "")).isdigit():
            yield int(line["Id"])


def _invoice_lines(
    store: Store, lines: list[Any], old: Obj | None, *, voided: bool
) -> tuple[list[Obj], decimal.Decimal, decimal.Decimal]:
    """Return the stored lines, the subtotal and the discount amount."""
    known = {*_line_ids(lines), *_line_ids(old.get("Line", []) if old else [])}
    next_id = max(known, default=0) + 1
    used: set[str] = set()
    items: list[Obj] = []
    discounts: list[Obj] = []
    subtotal = _ZERO
    for line in lines:
        if not isinstance(line, dict):
            raise _errors.bad_request("Property Name:Line must hold objects")
        detail_type = line.get("DetailType")
        if detail_type == "SubTotalLineDetail":
            continue
        line = dict(line)  # noqa: PLW2901 - a copy we may change
        if detail_type == "DiscountLineDetail":
            discounts.append(line)
            continue
        line_id = str(line.get("Id", ""))
        if not line_id.isdigit() or line_id in used:
            line_id = str(next_id)
            next_id += 1
        used.add(line_id)
        line["Id"] = line_id
        subtotal += _item_line(store, line, detail_type, voided=voided)
        items.append(line)
    for number, line in enumerate(items, start=1):
        line["LineNum"] = number
    result = [
        *items,
        {
            "Amount": _money(subtotal),
            "DetailType": "SubTotalLineDetail",
            "SubTotalLineDetail": {},
        },
    ]
    if len(discounts) > 1:
        raise _errors.business(
            "Only one discount line is allowed.",
            element="Line.DiscountLineDetail",
        )
    discount = _ZERO
    for line in discounts:
        _discount_line(store, line, subtotal, voided=voided)
        discount += line["Amount"]
        result.append(line)
    return result, _ZERO if voided else subtotal, discount


def _item_line(
    store: Store, line: Obj, detail_type: object, *, voided: bool
) -> decimal.Decimal:
    """Complete one non-discount line; return what it adds to the subtotal."""
    if detail_type == "SalesItemLineDetail":
        _sales_line(store, line, "Line.SalesItemLineDetail", voided=voided)
        return to_decimal(line["Amount"])
    if detail_type == "GroupLineDetail":
        _group_line(store, line, voided=voided)
        return to_decimal(line["Amount"])
    if detail_type == "DescriptionOnly":
        line.setdefault("DescriptionLineDetail", {})
        line.setdefault("Amount", 0)
        return _ZERO
    if detail_type is None:
        raise _errors.required("Line.DetailType")
    raise _errors.invalid_enum("Line.DetailType", detail_type)


def _discount_line(
    store: Store, line: Obj, subtotal: decimal.Decimal, *, voided: bool
) -> None:
    detail = line.get("DiscountLineDetail")
    if not isinstance(detail, dict):
        detail = {}
    if detail.get("PercentBased") is True:
        percent = (
            _number(
                detail,
                "DiscountPercent",
                "DiscountLineDetail.DiscountPercent",
            )
            or _ZERO
        )
        amount = _money(subtotal * percent / 100)
    else:
        amount = _number(line, "Amount", "Line.Amount") or _ZERO
        detail["PercentBased"] = False
    if "DiscountAccountRef" in detail:
        account = store.resolve(
            "Account",
            detail["DiscountAccountRef"],
            "Line.DiscountLineDetail.DiscountAccountRef",
        )
    else:
        account = store.account_named("Discounts given")
    detail["DiscountAccountRef"] = _ref(account, "Name")
    line["DiscountLineDetail"] = detail
    line["Amount"] = _ZERO if voided else amount


Amounts = tuple[
    decimal.Decimal | None, decimal.Decimal | None, decimal.Decimal
]


def _line_amounts(
    qty: decimal.Decimal | None,
    unit: decimal.Decimal | None,
    amount: decimal.Decimal | None,
    item_price: decimal.Decimal,
) -> Amounts:
    """Fill in what a sales line left out; refuse Amount != Qty x price."""
    if amount is None:
        unit = unit if unit is not None else item_price
        qty = qty if qty is not None else decimal.Decimal(1)
        return qty, unit, _money(qty * unit)
    if qty and unit:
        # Not documented by Intuit; reported by integrators, and the one
        # consistent choice: amounts agree with quantity times price. A
        # zero quantity or price (python-quickbooks sends both as 0 unless
        # set) leaves the amount as sent.
        if _money(qty * unit) != _money(amount):
            raise _errors.business(
                "Amount is not equal to UnitPrice * Qty. Supplied "
                f"value:{amount}",
                element="Line.Amount",
            )
    elif qty is not None and qty != 0:
        unit = amount / qty
    elif unit is not None and unit != 0:
        qty = amount / unit
    return qty, unit, amount


def _sales_line(
    store: Store, line: Obj, element: str, *, voided: bool
) -> None:
    detail = line.get("SalesItemLineDetail")
    if not isinstance(detail, dict):
        detail = {}
    if "Amount" in detail:
        raise _errors.bad_request(
            'Property Name:Unrecognized field "Amount" (class '
            "com.intuit.schema.finance.v3.SalesItemLineDetail), not marked "
            "as ignorable"
        )
    item = store.resolve("Item", detail.get("ItemRef"), f"{element}.ItemRef")
    if item.get("Type") == "Category":
        raise _errors.invalid_reference(
            f"{element}.ItemRef",
            item["Id"],
            "Categories cannot be used in transactions",
        )
    qty = _number(detail, "Qty", f"{element}.Qty")
    if item.get("Type") == "Inventory" and qty is None:
        raise _errors.missing_inventory_quantity(f"{element}.Qty")
    qty, unit, amount = _line_amounts(
        qty,
        _number(detail, "UnitPrice", f"{element}.UnitPrice"),
        _number(line, "Amount", "Line.Amount"),
        to_decimal(item.get("UnitPrice", 0)),
    )
    detail["ItemRef"] = _ref(item, "Name")
    if qty is not None:
        detail["Qty"] = _ZERO if voided else qty
    if unit is not None:
        detail["UnitPrice"] = unit
    detail.setdefault("TaxCodeRef", {"value": "NON"})
    if isinstance(item.get("IncomeAccountRef"), dict):
        detail["ItemAccountRef"] = dict(item["IncomeAccountRef"])
    line["SalesItemLineDetail"] = detail
    line["Amount"] = _ZERO if voided else _money(amount)


def _group_line(store: Store, line: Obj, *, voided: bool) -> None:
    detail = line.get("GroupLineDetail")
    if not isinstance(detail, dict):
        detail = {}
    element = "Line.GroupLineDetail.GroupItemRef"
    group = store.resolve("Item", detail.get("GroupItemRef"), element)
    if group.get("Type") != "Group":
        raise _errors.invalid_reference(
            element, group["Id"], "the item is not a group (bundle)"
        )
    quantity = _number(
        detail, "Quantity", "Line.GroupLineDetail.Quantity"
    ) or decimal.Decimal(1)
    inner = detail.get("Line")
    if not isinstance(inner, list) or not inner:
        inner = []
        for part in group["ItemGroupDetail"]["ItemGroupLine"]:
            member = store.objects["Item"][part["ItemRef"]["value"]]
            inner.append(
                {
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": member["Id"]},
                        "Qty": to_decimal(part["Qty"]) * quantity,
                        "UnitPrice": to_decimal(member.get("UnitPrice", 0)),
                    },
                }
            )
    total = _ZERO
    built = []
    for position, part in enumerate(inner, start=1):
        part = dict(part)  # noqa: PLW2901 - a copy we may change
        part["Id"] = (
            f"{line['Id']}.{position}" if "Id" not in part else part["Id"]
        )
        _sales_line(
            store,
            part,
            "Line.GroupLineDetail.Line.SalesItemLineDetail",
            voided=voided,
        )
        total += to_decimal(part["Amount"])
        built.append(part)
    detail["GroupItemRef"] = _ref(group, "Name")
    detail["Quantity"] = quantity
    detail["Line"] = built
    line["GroupLineDetail"] = detail
    line["Amount"] = _money(total)


def refresh_invoice(store: Store, invoice_id: str) -> None:
    """Recompute an invoice's Balance and LinkedTxn after payments moved."""
    invoice = store.objects["Invoice"].get(invoice_id)
    if invoice is None:
        return
    applied = store.applied.get(invoice_id, {})
    invoice["Balance"] = to_decimal(invoice["TotalAmt"]) - sum(
        applied.values(), _ZERO
    )
    invoice["LinkedTxn"] = [
        {"TxnId": pid, "TxnType": "Payment"} for pid in applied
    ]
    # A payment changes the invoice on QBO too: new SyncToken and
    # LastUpdatedTime, so change data capture reports it.
    _touch(store, "Invoice", invoice)
    refresh_customer(store, invoice["CustomerRef"]["value"])


# -- payments -------------------------------------------------------------


def _payment_line(
    store: Store, line: object, customer_id: str, old: Obj | None
) -> Obj:
    """Check one payment line against the invoices it is applied to."""
    if not isinstance(line, dict):
        raise _errors.bad_request("Property Name:Line must hold objects")
    amount = _number(line, "Amount", "Line.Amount")
    if amount is None:
        raise _errors.required("Line.Amount")
    previous = _applications(old) if old is not None else {}
    links = []
    for link in line.get("LinkedTxn", []):
        if not isinstance(link, dict) or link.get("TxnType") != "Invoice":
            continue
        txn_id = str(link.get("TxnId", ""))
        invoice = store.get("Invoice", txn_id)
        if invoice is None:
            raise _errors.invalid_reference("Line.LinkedTxn.TxnId", txn_id)
        if invoice["CustomerRef"]["value"] != customer_id:
            raise _errors.linked_other_customer(txn_id)
        open_balance = to_decimal(invoice["Balance"]) + previous.get(
            txn_id, _ZERO
        )
        if amount > open_balance:
            raise _errors.business(
                f"The payment amount {amount} is more than the open "
                f"balance {open_balance} of invoice {txn_id}.",
                element="Line.Amount",
            )
        links.append({"TxnId": txn_id, "TxnType": "Invoice"})
    return {"Amount": amount, "LinkedTxn": links}


class PaymentRules(Rules):
    """Payments: applied to invoices through their lines."""

    entity = "Payment"
    read_only = frozenset({"UnappliedAmt"})

    def build(
        self, store: Store, data: Obj, old: Obj | None, options: Options
    ) -> Obj:
        customer = store.resolve(
            "Customer", data.get("CustomerRef"), "CustomerRef"
        )
        data["CustomerRef"] = _ref(customer, "DisplayName")
        if "TotalAmt" not in data:
            raise _errors.required("TotalAmt")
        total = _number(data, "TotalAmt", "TotalAmt") or _ZERO
        if "void" in options.include:
            total = _ZERO
        data["TotalAmt"] = total
        lines = data.get("Line", [])
        if not isinstance(lines, list):
            raise _errors.bad_request("Property Name:Line must be a list")
        if "void" in options.include:
            lines = []
        built = [
            _payment_line(store, line, customer["Id"], old) for line in lines
        ]
        applied = sum((line["Amount"] for line in built), _ZERO)
        if applied > total:
            raise _errors.business(
                "The amount applied to transactions is more than the "
                "payment total.",
                element="TotalAmt",
            )
        data["Line"] = built
        data["UnappliedAmt"] = total - applied
        txn_date = _date(data, "TxnDate") or store.today()
        data["TxnDate"] = txn_date.isoformat()
        data.setdefault("CurrencyRef", home_currency())
        if "DepositToAccountRef" in data:
            account = store.resolve(
                "Account", data["DepositToAccountRef"], "DepositToAccountRef"
            )
        else:
            account = store.account_named("Undeposited Funds")
        data["DepositToAccountRef"] = _ref(account, "Name")
        data.setdefault("ProcessPayment", False)
        if "void" in options.include:
            note = str(data.get("PrivateNote", ""))
            data["PrivateNote"] = (
                note if note.startswith("Voided") else "Voided"
            )
            data["TxnStatus"] = "Voided"
        return data

    def commit(self, store: Store, old: Obj | None, new: Obj) -> None:
        touched = set(_applications(old)) if old is not None else set()
        for invoice_id in touched:
            store.applied.get(invoice_id, {}).pop(new["Id"], None)
        for invoice_id, amount in _applications(new).items():
            store.applied.setdefault(invoice_id, {})[new["Id"]] = amount
            touched.add(invoice_id)
        for invoice_id in sorted(touched, key=int):
            refresh_invoice(store, invoice_id)

    def on_delete(self, store: Store, obj: Obj) -> None:
        for invoice_id in _applications(obj):
            store.applied.get(invoice_id, {}).pop(obj["Id"], None)
            refresh_invoice(store, invoice_id)


def _applications(payment: Obj) -> dict[str, decimal.Decimal]:
    result: dict[str, decimal.Decimal] = {}
    for line in payment.get("Line", []):
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") == "Invoice":
                txn_id = str(link["TxnId"])
                result[txn_id] = result.get(txn_id, _ZERO) + to_decimal(
                    line["Amount"]
                )
    return result


RULES: dict[str, Rules] = {
    rules.entity: rules
    for rules in (
        AccountRules(),
        CustomerRules(),
        EmployeeRules(),
        InvoiceRules(),
        ItemRules(),
        PaymentRules(),
        VendorRules(),
    )
}
"""The rules of every entity the fake serves, by entity name."""
