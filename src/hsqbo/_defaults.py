"""
hsqbo's default field mappings, match keys and recommended filters.

HubSpot does not publish the QuickBooks Online app's mapping table; these
follow the standard HubSpot property names and QBO field paths (see the
"Default field mappings" of the seed behaviours).
"""

from __future__ import annotations

import datetime as dt

from hsqbo._filters import Filter, FilterGroup, Operator
from hsqbo._mapping import FieldMap
from hsqbo._record import Direction


__all__ = [
    "ACCOUNTING_DEAL_PROPERTIES",
    "ACCOUNTING_PREFIX",
    "CONTACT_FIELDS",
    "CONTACT_MATCH",
    "INVOICE_FIELDS",
    "INVOICE_STATUS_PATH",
    "PRODUCT_FIELDS",
    "PRODUCT_MATCH",
    "contact_filters_to_qbo",
    "invoice_filters_to_hubspot",
    "invoice_filters_to_qbo",
    "invoice_noon",
    "is_accounting_deal_property",
]

INVOICE_STATUS_PATH = "hsqbo.status"
"""
The virtual QBO path of an invoice's status, derived by the planner.

``voided`` if the invoice is voided, ``paid`` if ``Balance`` is 0 and
``TotalAmt`` is above 0, otherwise ``open``.
"""

CONTACT_FIELDS: tuple[FieldMap, ...] = tuple(
    FieldMap(hubspot, qbo, transform="strip")
    for hubspot, qbo in (
        ("firstname", "GivenName"),
        ("lastname", "FamilyName"),
        ("email", "PrimaryEmailAddr.Address"),
        ("phone", "PrimaryPhone.FreeFormNumber"),
        ("mobilephone", "Mobile.FreeFormNumber"),
        ("fax", "Fax.FreeFormNumber"),
        ("website", "WebAddr.URI"),
        ("address", "BillAddr.Line1"),
        ("city", "BillAddr.City"),
        ("state", "BillAddr.CountrySubDivisionCode"),
        ("zip", "BillAddr.PostalCode"),
        ("country", "BillAddr.Country"),
    )
)
"""
Contacts ⇄ ``Customer``. ``DisplayName`` and ``CompanyName`` are not mapped:
the display-name rule sets them when HubSpot creates the customer.
"""

CONTACT_MATCH: tuple[FieldMap, ...] = (
    FieldMap("email", "PrimaryEmailAddr.Address", transform="strip|lower"),
)
"""First-sync match key of contacts and customers: the e-mail address."""

PRODUCT_FIELDS: tuple[FieldMap, ...] = (
    FieldMap("name", "Name", transform="strip"),
    FieldMap("hs_sku", "Sku", transform="strip"),
    FieldMap("description", "Description", transform="strip"),
    FieldMap("price", "UnitPrice", transform="decimal"),
    FieldMap("hs_cost_of_goods_sold", "PurchaseCost", transform="decimal"),
)
"""
Products ⇄ ``Item``. An item created from HubSpot also needs ``Type`` and
``IncomeAccountRef.value`` from the object's ``qbo_defaults``.
"""

PRODUCT_MATCH: tuple[FieldMap, ...] = (
    FieldMap("hs_sku", "Sku", transform="strip|lower"),
    FieldMap("name", "Name", transform="strip|lower"),
)
"""First-sync match keys of products and items: the SKU, then the name."""

_TO_HUBSPOT = Direction.QBO_TO_HUBSPOT

INVOICE_FIELDS: tuple[FieldMap, ...] = (
    FieldMap(
        "hs_number", "DocNumber", direction=_TO_HUBSPOT, transform="strip"
    ),
    FieldMap(
        "hs_invoice_date", "TxnDate", direction=_TO_HUBSPOT, transform="date"
    ),
    FieldMap(
        "hs_due_date", "DueDate", direction=_TO_HUBSPOT, transform="date"
    ),
    FieldMap(
        "hs_currency",
        "CurrencyRef.value",
        direction=_TO_HUBSPOT,
        transform="strip|upper",
    ),
    FieldMap(
        "hs_amount_billed",
        "TotalAmt",
        direction=_TO_HUBSPOT,
        transform="decimal:2",
    ),
    FieldMap(
        "hs_balance_due",
        "Balance",
        direction=_TO_HUBSPOT,
        transform="decimal:2",
    ),
    FieldMap("hs_invoice_status", INVOICE_STATUS_PATH, direction=_TO_HUBSPOT),
)
"""
``Invoice`` → invoices. Lines are not field maps: the planner turns ``Line``
into HubSpot line items. Map custom fields with
``FieldMap("<property>", "CustomField[<Name>]", direction=QBO_TO_HUBSPOT)``.
"""

ACCOUNTING_DEAL_PROPERTIES: frozenset[str] = frozenset(
    {
        # HubSpot documents the "Accounting" deal group but not the internal
        # names in it; these are hsqbo's reading. Every deal property whose
        # name starts with ACCOUNTING_PREFIX is refused as well.
        "accounting_invoice_id",
        "accounting_invoice_number",
        "accounting_invoice_status",
        "accounting_invoice_date",
        "accounting_invoice_due_date",
        "accounting_invoice_amount",
        "accounting_invoice_balance",
        "accounting_invoice_currency",
        "accounting_invoice_paid_amount",
        "accounting_payment_date",
        "accounting_customer_id",
        "accounting_last_sync",
    }
)
"""
The HubSpot deal properties of the ``accounting`` group, which hsqbo never
writes (B17): use the invoice object instead.
"""

ACCOUNTING_PREFIX = "accounting_"
"""Deal properties named with this prefix count as the accounting group."""


def is_accounting_deal_property(name: str) -> bool:
    """Tell whether a deal property belongs to the ``accounting`` group."""
    folded = name.strip().casefold()
    return folded in ACCOUNTING_DEAL_PROPERTIES or folded.startswith(
        ACCOUNTING_PREFIX
    )


def contact_filters_to_qbo(setup_at: dt.datetime) -> tuple[FilterGroup, ...]:
    """Recommended HubSpot → QBO contact filter: created after set-up."""
    return (FilterGroup([Filter("createdate", Operator.GT, value=setup_at)]),)


def invoice_noon(setup_at: dt.datetime) -> dt.datetime:
    """Noon of the set-up date, in the time zone of *setup_at*."""
    return setup_at.replace(hour=12, minute=0, second=0, microsecond=0)


def invoice_filters_to_hubspot(
    setup_at: dt.datetime,
) -> tuple[FilterGroup, ...]:
    """Recommended QBO → HubSpot invoice filter: created after set-up noon."""
    noon = invoice_noon(setup_at)
    return (
        FilterGroup([Filter("MetaData.CreateTime", Operator.GT, value=noon)]),
    )


def invoice_filters_to_qbo(setup_at: dt.datetime) -> tuple[FilterGroup, ...]:
    """
    Recommended filter for the optional HubSpot → QBO invoice direction.

    Finalised (not draft) invoices made in HubSpot after set-up.
    """
    return (
        FilterGroup(
            [
                Filter("hs_invoice_status", Operator.NOT_IN, values=["draft"]),
                Filter("hs_createdate", Operator.GT, value=setup_at),
                Filter("hs_invoice_source", Operator.IN, values=["hubspot"]),
            ]
        ),
    )
