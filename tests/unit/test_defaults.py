"""hsqbo's default mappings follow the seed's default field list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hsqbo import Direction, Side
from hsqbo._defaults import (
    CONTACT_FIELDS,
    CONTACT_MATCH,
    INVOICE_FIELDS,
    PRODUCT_FIELDS,
    PRODUCT_MATCH,
    is_accounting_deal_property,
)


def test_contact_fields_pair_the_seed_properties():
    """Contacts ⇄ Customer pairs exactly the twelve documented fields."""
    assert [(f.hubspot, f.qbo) for f in CONTACT_FIELDS] == [
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
    ]
    assert all(f.direction is Direction.TWO_WAY for f in CONTACT_FIELDS)


def test_display_name_is_not_a_plain_mapping():
    """DisplayName and CompanyName come from the display-name rule."""
    targets = {f.qbo for f in CONTACT_FIELDS}
    assert not targets & {"DisplayName", "CompanyName"}


def test_product_fields_pair_the_seed_properties():
    """Products ⇄ Item maps name, SKU, description, price and cost."""
    assert [(f.hubspot, f.qbo) for f in PRODUCT_FIELDS] == [
        ("name", "Name"),
        ("hs_sku", "Sku"),
        ("description", "Description"),
        ("price", "UnitPrice"),
        ("hs_cost_of_goods_sold", "PurchaseCost"),
    ]
    price = PRODUCT_FIELDS[3]
    assert price.normalize("10.50") == price.normalize(Decimal("10.5"))


def test_invoice_fields_flow_only_to_hubspot():
    """Every invoice map is QBO → HubSpot, including the derived status."""
    assert {(f.qbo, f.hubspot) for f in INVOICE_FIELDS} == {
        ("DocNumber", "hs_number"),
        ("TxnDate", "hs_invoice_date"),
        ("DueDate", "hs_due_date"),
        ("CurrencyRef.value", "hs_currency"),
        ("TotalAmt", "hs_amount_billed"),
        ("Balance", "hs_balance_due"),
        ("hsqbo.status", "hs_invoice_status"),
    }
    assert not any(
        f.writes_to(Side.QBO, Direction.TWO_WAY) for f in INVOICE_FIELDS
    )


def test_invoice_amounts_round_to_cents():
    """Billed amount and balance are compared as 2-place decimals."""
    billed = next(f for f in INVOICE_FIELDS if f.qbo == "TotalAmt")
    assert billed.normalize(Decimal("100.005")) == Decimal("100.01")
    assert billed.normalize("100") == Decimal("100.00")


def test_contact_match_is_case_and_blank_insensitive():
    """E-mail match keys ignore case and surrounding blanks."""
    (key,) = CONTACT_MATCH
    assert key.normalize("  Ann@Example.COM ") == key.normalize(
        "ann@example.com"
    )
    assert (key.hubspot, key.qbo) == ("email", "PrimaryEmailAddr.Address")


def test_product_match_tries_sku_then_name():
    """Products match by SKU first, then by name."""
    assert [(f.hubspot, f.qbo) for f in PRODUCT_MATCH] == [
        ("hs_sku", "Sku"),
        ("name", "Name"),
    ]


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("accounting_invoice_number", True),
        ("Accounting_Invoice_Status", True),
        ("accounting_anything", True),
        ("amount", False),
        ("dealname", False),
        ("hs_accounting_note", False),
    ],
)
def test_accounting_group_membership(name, refused):
    """Names of the accounting group (and its prefix) are recognised."""
    assert is_accounting_deal_property(name) is refused
