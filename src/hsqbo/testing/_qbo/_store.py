"""
The fake company's data: objects by entity and id, plus indexes.

The indexes are the ones QBO keeps: unique names, document numbers,
applied payments, balances.

Objects are stored in the JSON shape QBO returns; the indexes make the
uniqueness checks and balance updates cheap enough for companies of tens
of thousands of records.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

from hsqbo._clock import Clock
from hsqbo.testing._qbo import _errors
from hsqbo.testing._qbo._wire import pacific, wire_time


__all__ = [
    "ENTITIES",
    "NAME_LISTS",
    "Obj",
    "Store",
    "prune",
]

Obj = dict[str, Any]

ENTITIES = (
    "Account",
    "Customer",
    "Employee",
    "Invoice",
    "Item",
    "Payment",
    "Vendor",
)
"""Entities with their own path, id sequence and query table."""

NAME_LISTS = frozenset({"Account", "Customer", "Employee", "Item", "Vendor"})
"""Entities that are deactivated rather than deleted, and that queries
hide when inactive unless asked with ``Active IN (true, false)``."""

_HOME_CURRENCY = {"value": "USD", "name": "United States Dollar"}

_DEFAULT_ACCOUNTS = (
    ("Services", "Income", "ServiceFeeIncome"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Checking", "Bank", "Checking"),
    ("Discounts given", "Income", "DiscountsRefundsGiven"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Advertising", "Expense", "AdvertisingPromotional"),
    (
        "Office Supplies & Software",
        "Expense",
        "OfficeGeneralAdministrativeExpenses",
    ),
    ("Uncategorized Income", "Income", "ServiceFeeIncome"),
    ("Uncategorized Expense", "Expense", "OtherMiscellaneousServiceCost"),
    ("Uncategorized Asset", "Other Asset", "OtherLongTermAssets"),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity"),
)

CLASSIFICATIONS = {
    "Bank": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Receivable": "Asset",
    "Equity": "Equity",
    "Expense": "Expense",
    "Other Expense": "Expense",
    "Cost of Goods Sold": "Expense",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Long Term Liability": "Liability",
    "Other Current Liability": "Liability",
    "Income": "Revenue",
    "Other Income": "Revenue",
}


def prune(value: Any) -> Any:  # noqa: ANN401 - JSON is untyped
    """
    Drop empty strings and nulls, as QBO does with fields that have no value.

    Objects left empty by the pruning are dropped too; objects sent empty on
    purpose (``"SubTotalLineDetail": {}``) stay.
    """
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if item is None or item == "":
                continue
            pruned = prune(item)
            if isinstance(item, dict) and item and not pruned:
                continue
            result[key] = pruned
        return result
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


class Store:
    """Everything one fake company holds."""

    def __init__(
        self, *, realm_id: str, clock: Clock, company_name: str
    ) -> None:
        self.realm_id = realm_id
        self.clock = clock
        self.objects: dict[str, dict[str, Obj]] = {e: {} for e in ENTITIES}
        self.tombstones: dict[str, dict[str, dt.datetime]] = {
            e: {} for e in ENTITIES
        }
        self.changed_at: dict[tuple[str, str], dt.datetime] = {}
        self.display_names: dict[str, tuple[str, str]] = {}
        self.item_names: dict[str, str] = {}
        self.account_names: dict[str, str] = {}
        self.doc_numbers: dict[str, str] = {}
        self.next_doc_number = 1001
        self.opening_balances: dict[str, decimal.Decimal] = {}
        self.applied: dict[str, dict[str, decimal.Decimal]] = {}
        """Invoice id → {payment id: amount applied}."""
        self.invoices_of: dict[str, set[str]] = {}
        """Customer id → ids of its invoices."""
        self.voided: set[tuple[str, str]] = set()
        self.enhanced_fields: dict[str, tuple[str, str]] = {}
        """Enhanced custom fields: DefinitionId → (name, Type)."""
        self.hidden: frozenset[tuple[str, str]] = frozenset()
        """Objects created earlier in the running batch: blind to it."""
        self._counters = dict.fromkeys(ENTITIES, 0)
        self._address_counter = 0
        created = wire_time(clock.now())
        self.preferences: Obj = _default_preferences(created)
        self.company_info: Obj = _default_company_info(
            realm_id, company_name, created
        )
        for name, account_type, subtype in _DEFAULT_ACCOUNTS:
            self.add_account_row(name, account_type, subtype)

    # -- ids and time --------------------------------------------------

    def now(self) -> dt.datetime:
        """Return the fake clock's time."""
        return self.clock.now()

    def today(self) -> dt.date:
        """Return today's date in the company's (Pacific) time zone."""
        return pacific(self.now()).date()

    def new_id(self, entity: str) -> str:
        """Return the next id of *entity* (numeric strings, as QBO's)."""
        self._counters[entity] += 1
        return str(self._counters[entity])

    def new_address_id(self) -> str:
        """Return the next id for a physical address."""
        self._address_counter += 1
        return str(self._address_counter + 100)

    # -- lookups -------------------------------------------------------

    def get(self, entity: str, object_id: object) -> Obj | None:
        """Return the stored object, or None (also if the batch is blind)."""
        key = str(object_id)
        if (entity, key) in self.hidden:
            return None
        return self.objects[entity].get(key)

    def resolve(
        self,
        entity: str,
        ref: object,
        element: str,
        *,
        allow_inactive: bool = False,
    ) -> Obj:
        """
        Follow a reference ``{"value": id}`` as QBO does on a write.

        A missing reference is 2020, an unknown id 2500, an inactive
        name-list object 610.
        """
        if not isinstance(ref, dict) or not ref.get("value"):
            raise _errors.required(element)
        value = str(ref["value"])
        found = self.get(entity, value)
        if found is None:
            raise _errors.invalid_reference(element, value)
        if not allow_inactive and found.get("Active") is False:
            raise _errors.not_found(entity, value)
        return found

    def visible(self, entity: str) -> Iterator[Obj]:
        """Iterate over the objects of *entity* a request may see."""
        for key, obj in self.objects[entity].items():
            if (entity, key) not in self.hidden:
                yield obj

    def snapshot(self, obj: Obj) -> Obj:
        """Return a copy safe to hand out."""
        return copy.deepcopy(obj)

    # -- seeding -------------------------------------------------------

    def add_account_row(
        self, name: str, account_type: str, subtype: str
    ) -> Obj:
        """Add an account of the default chart directly (no API rules)."""
        account_id = self.new_id("Account")
        stamp = wire_time(self.now())
        account: Obj = {
            "Id": account_id,
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            "Name": name,
            "SubAccount": False,
            "FullyQualifiedName": name,
            "Active": True,
            "Classification": CLASSIFICATIONS[account_type],
            "AccountType": account_type,
            "AccountSubType": subtype,
            "CurrentBalance": 0,
            "CurrentBalanceWithSubAccounts": 0,
            "CurrencyRef": dict(_HOME_CURRENCY),
            "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        }
        self.objects["Account"][account_id] = account
        self.account_names[name.casefold()] = account_id
        self.changed_at["Account", account_id] = self.now()
        return account

    def account_named(self, name: str) -> Obj:
        """Return the account called *name* (the default chart has it)."""
        return self.objects["Account"][self.account_names[name.casefold()]]


def home_currency() -> Obj:
    """Return the home currency reference (USD)."""
    return dict(_HOME_CURRENCY)


def _default_preferences(stamp: str) -> Obj:
    return {
        "Id": "1",
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "AccountingInfoPrefs": {
            "TrackDepartments": False,
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": False,
            "CustomerTerminology": "Customers",
        },
        "ProductAndServicesPrefs": {
            "ForSales": True,
            "ForPurchase": True,
            "QuantityWithPriceAndRate": True,
            "QuantityOnHand": True,
        },
        "SalesFormsPrefs": {
            "CustomField": [
                {
                    "CustomField": [
                        {
                            "Name": f"SalesFormsPrefs.UseSalesCustom{slot}",
                            "Type": "BooleanType",
                            "BooleanValue": False,
                        }
                        for slot in (1, 2, 3)
                    ]
                },
                {"CustomField": []},
            ],
            "CustomTxnNumbers": False,
            "AllowDeposit": True,
            "AllowDiscount": True,
            "AllowEstimates": True,
            "AllowShipping": False,
            "ETransactionEnabledStatus": "NotApplicable",
            "IPNSupportEnabled": False,
            "UsingPriceLevels": False,
            "UsingProgressInvoicing": False,
            "DefaultTerms": {"value": "3"},
        },
        "CurrencyPrefs": {
            "MultiCurrencyEnabled": False,
            "HomeCurrency": {"value": "USD"},
        },
        "TaxPrefs": {"UsingSalesTax": False, "PartnerTaxEnabled": False},
        "OtherPrefs": {
            "NameValue": [
                {
                    "Name": "SalesFormsPrefs.DefaultCustomerMessage",
                    "Value": "",
                },
                {"Name": "DTXCopyMemo", "Value": "false"},
            ]
        },
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }


def _default_company_info(realm_id: str, name: str, stamp: str) -> Obj:
    del realm_id  # QBO does not echo it; the URL carries it
    address = {
        "Id": "1",
        "Line1": "123 Sierra Way",
        "City": "San Pablo",
        "CountrySubDivisionCode": "CA",
        "PostalCode": "87999",
    }
    return {
        "Id": "1",
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "CompanyName": name,
        "LegalName": name,
        "CompanyAddr": dict(address),
        "CustomerCommunicationAddr": dict(address),
        "LegalAddr": dict(address),
        "PrimaryPhone": {},
        "CompanyStartDate": stamp[:10],
        "FiscalYearStartMonth": "January",
        "Country": "US",
        "Email": {"Address": "noreply@quickbooks.example"},
        "WebAddr": {},
        "SupportedLanguages": "en",
        "DefaultTimeZone": "America/Los_Angeles",
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Other"},
            {"Name": "CompanyType", "Value": "Other"},
            {"Name": "SubscriptionStatus", "Value": "PAID"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
        ],
        "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
    }
