"""Entity rules of the fake QBO: names, references, totals, balances."""

from __future__ import annotations

import decimal
from typing import Any

import httpx
import pytest

from hsqbo.testing import FakeQuickBooks, VirtualClock


def _fault(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["Fault"]["Error"][0]
    return error


def _create(
    http: httpx.Client, entity: str, body: dict[str, Any]
) -> httpx.Response:
    return http.post(f"/{entity.lower()}", json=body)


def test_customer_create_returns_qbo_shape(http: httpx.Client) -> None:
    """A new customer has string ids, domain and Pacific MetaData."""
    response = _create(
        http,
        "Customer",
        {
            "DisplayName": "Harbor Lane Bakery",
            "PrimaryEmailAddr": {"Address": "books@harbor.example"},
        },
    )
    assert response.status_code == 200
    customer = response.json()["Customer"]
    assert customer["Id"] == "1"
    assert customer["SyncToken"] == "0"
    assert customer["domain"] == "QBO"
    assert customer["sparse"] is False
    assert customer["Active"] is True
    assert customer["FullyQualifiedName"] == "Harbor Lane Bakery"
    assert customer["MetaData"]["CreateTime"] == "2026-02-10T10:00:00-08:00"
    assert response.json()["time"] == "2026-02-10T10:00:00.000-08:00"


def test_display_name_is_built_from_name_parts(http: httpx.Client) -> None:
    """Without DisplayName, QBO joins Title/Given/Middle/Family/Suffix."""
    response = _create(
        http,
        "Customer",
        {"GivenName": "Marisol", "MiddleName": "T", "FamilyName": "Quintero"},
    )
    assert response.json()["Customer"]["DisplayName"] == "Marisol T Quintero"


def test_customer_without_any_name_is_2020(http: httpx.Client) -> None:
    """A customer with no DisplayName and no name part is refused with 2020."""
    error = _fault(
        _create(http, "Customer", {"CompanyName": "Only a company"})
    )
    assert error["code"] == "2020"
    assert "DisplayName" in error["Detail"]


@pytest.mark.parametrize("entity", ["Customer", "Vendor", "Employee"])
def test_display_name_unique_across_customers_vendors_employees(
    http: httpx.Client, fake: FakeQuickBooks, entity: str
) -> None:
    """A name held by a customer/vendor/employee is 6240 with its Id."""
    holder = fake.create(entity, {"DisplayName": "Quintero Supply"})
    error = _fault(
        _create(http, "Customer", {"DisplayName": "quintero supply"})
    )
    assert error["code"] == "6240"
    assert error["Message"] == "Duplicate Name Exists Error"
    assert (
        error["Detail"]
        == f"The name supplied already exists. : Id={holder['Id']}"
    )


def test_inactive_customer_still_holds_its_name(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """An inactive customer's DisplayName still blocks a new customer."""
    gone = fake.add_customer("Old Co", active=False)
    error = _fault(_create(http, "Customer", {"DisplayName": "Old Co"}))
    assert error["Detail"].endswith(f"Id={gone['Id']}")


def test_renaming_frees_the_old_name(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """After a rename, the old DisplayName can be used again."""
    customer = fake.add_customer("First Name")
    fake.update("Customer", customer["Id"], {"DisplayName": "Second Name"})
    assert (
        _create(http, "Customer", {"DisplayName": "First Name"}).status_code
        == 200
    )
    assert (
        _fault(_create(http, "Customer", {"DisplayName": "Second Name"}))[
            "code"
        ]
        == "6240"
    )


@pytest.mark.parametrize("bad", ["Acme: East", "Acme\tEast", "Acme\nEast"])
def test_names_refuse_colon_tab_newline(http: httpx.Client, bad: str) -> None:
    """Colons, tabs and newlines in a DisplayName are refused."""
    assert (
        _fault(_create(http, "Customer", {"DisplayName": bad}))["code"]
        == "6000"
    )


def test_email_needs_at_and_dot(http: httpx.Client) -> None:
    """PrimaryEmailAddr.Address without '@' and '.' is refused with 2210."""
    error = _fault(
        _create(
            http,
            "Customer",
            {"DisplayName": "X", "PrimaryEmailAddr": {"Address": "nobody"}},
        )
    )
    assert error["code"] == "2210"


def test_display_name_over_500_chars_is_2050(http: httpx.Client) -> None:
    """DisplayName is limited to 500 characters (2050)."""
    assert (
        _fault(_create(http, "Customer", {"DisplayName": "x" * 501}))["code"]
        == "2050"
    )


def test_sub_customer_gets_fully_qualified_name(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A job's FullyQualifiedName is Parent:Child and its Level is 1."""
    parent = fake.add_customer("Harbor Lane")
    response = _create(
        http,
        "Customer",
        {
            "DisplayName": "Kitchen",
            "Job": True,
            "ParentRef": {"value": parent["Id"]},
        },
    )
    job = response.json()["Customer"]
    assert job["FullyQualifiedName"] == "Harbor Lane:Kitchen"
    assert job["Level"] == 1


def test_sub_customer_with_unknown_parent_is_2500(http: httpx.Client) -> None:
    """A ParentRef to a missing customer is an invalid reference."""
    error = _fault(
        _create(
            http,
            "Customer",
            {"DisplayName": "Kitchen", "ParentRef": {"value": "999"}},
        )
    )
    assert error["code"] == "2500"
    assert error["element"] == "ParentRef"


def test_sparse_update_changes_only_what_is_sent(
    http: httpx.Client, fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """A sparse update keeps other fields and bumps the version."""
    customer = fake.add_customer(
        "Bakery", email="a@b.example", given_name="Ann"
    )
    clock.advance(3600)
    response = http.post(
        "/customer",
        json={
            "Id": customer["Id"],
            "SyncToken": "0",
            "sparse": True,
            "Notes": "VIP",
        },
    )
    updated = response.json()["Customer"]
    assert updated["Notes"] == "VIP"
    assert updated["GivenName"] == "Ann"
    assert updated["PrimaryEmailAddr"] == {"Address": "a@b.example"}
    assert updated["SyncToken"] == "1"
    assert updated["MetaData"]["CreateTime"] == "2026-02-10T10:00:00-08:00"
    assert (
        updated["MetaData"]["LastUpdatedTime"] == "2026-02-10T11:00:00-08:00"
    )


def test_full_update_clears_fields_left_out(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A full update (no sparse flag) sets omitted writable fields to null."""
    customer = fake.add_customer(
        "Bakery", email="a@b.example", given_name="Ann"
    )
    response = http.post(
        "/customer",
        json={"Id": customer["Id"], "SyncToken": "0", "DisplayName": "Bakery"},
    )
    updated = response.json()["Customer"]
    assert "GivenName" not in updated
    assert "PrimaryEmailAddr" not in updated
    assert updated["SyncToken"] == "1"


def test_sparse_update_cannot_remove_display_name(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """An empty DisplayName in a sparse update leaves the name as it was."""
    customer = fake.add_customer("Bakery")
    response = http.post(
        "/customer",
        json={
            "Id": customer["Id"],
            "SyncToken": "0",
            "sparse": True,
            "DisplayName": "",
        },
    )
    assert response.json()["Customer"]["DisplayName"] == "Bakery"


def test_stale_sync_token_is_5010(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """An update with an old SyncToken is refused and changes nothing."""
    customer = fake.add_customer("Bakery")
    fake.update("Customer", customer["Id"], {"Notes": "changed in the UI"})
    error = _fault(
        http.post(
            "/customer",
            json={
                "Id": customer["Id"],
                "SyncToken": "0",
                "sparse": True,
                "Notes": "mine",
            },
        )
    )
    assert error["code"] == "5010"
    assert error["Message"] == "Stale Object Error"
    stored = fake.get("Customer", customer["Id"])
    assert stored is not None
    assert stored["Notes"] == "changed in the UI"


def test_update_without_sync_token_is_2020(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """An update must carry SyncToken."""
    customer = fake.add_customer("Bakery")
    error = _fault(
        http.post(
            "/customer",
            json={"Id": customer["Id"], "sparse": True, "Notes": "x"},
        )
    )
    assert error["code"] == "2020"


def test_read_missing_object_is_610(http: httpx.Client) -> None:
    """Reading an Id that does not exist gives 610 Object Not Found."""
    error = _fault(http.get("/customer/404"))
    assert error["code"] == "610"
    assert error["Message"] == "Object Not Found"


def test_customers_cannot_be_deleted(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Deleting a customer is an unsupported operation (code 500)."""
    customer = fake.add_customer("Bakery")
    response = http.post(
        "/customer",
        params={"operation": "delete"},
        json={"Id": customer["Id"], "SyncToken": "0"},
    )
    assert _fault(response)["code"] == "500"
    assert fake.get("Customer", customer["Id"]) is not None


def test_deactivating_customer_with_open_balance_is_refused(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A customer with a non-zero balance cannot be made inactive."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])
    current = fake.get("Customer", customer["Id"])
    assert current is not None
    error = _fault(
        http.post(
            "/customer",
            json={
                "Id": customer["Id"],
                "SyncToken": current["SyncToken"],
                "sparse": True,
                "Active": False,
            },
        )
    )
    assert "non-zero balance" in error["Detail"]


def test_read_only_fields_are_ignored(http: httpx.Client) -> None:
    """Id-like and computed fields sent on create are ignored, not stored."""
    response = _create(
        http,
        "Customer",
        {
            "DisplayName": "X",
            "FullyQualifiedName": "Y",
            "Level": 3,
            "MetaData": {"CreateTime": "2000-01-01T00:00:00Z"},
        },
    )
    customer = response.json()["Customer"]
    assert customer["FullyQualifiedName"] == "X"
    assert customer["Level"] == 0
    assert customer["MetaData"]["CreateTime"].startswith("2026-02-10")


def test_unknown_fields_survive_a_round_trip(http: httpx.Client) -> None:
    """Fields the fake has no rule for are stored and returned as sent."""
    response = _create(
        http,
        "Customer",
        {
            "DisplayName": "X",
            "ResaleNum": "R-1",
            "SecondaryTaxIdentifier": "ABC",
        },
    )
    customer_id = response.json()["Customer"]["Id"]
    read = http.get(f"/customer/{customer_id}").json()["Customer"]
    assert read["ResaleNum"] == "R-1"
    assert read["SecondaryTaxIdentifier"] == "ABC"


# -- accounts and items ------------------------------------------------


def test_new_company_has_default_chart_of_accounts(
    fake: FakeQuickBooks,
) -> None:
    """Income, expense and asset accounts exist from the start."""
    classifications = {a["Classification"] for a in fake.accounts()}
    assert {"Revenue", "Expense", "Asset"} <= classifications
    names = {a["Name"] for a in fake.accounts()}
    assert {
        "Services",
        "Sales of Product Income",
        "Inventory Asset",
        "Cost of Goods Sold",
    } <= names


def test_service_item_needs_income_account(http: httpx.Client) -> None:
    """A Service item without IncomeAccountRef is refused with 2020."""
    error = _fault(
        _create(http, "Item", {"Name": "Workshop", "Type": "Service"})
    )
    assert error["code"] == "2020"
    assert error["element"] == "IncomeAccountRef"


def test_item_needs_a_type(http: httpx.Client) -> None:
    """Type is required at minor version 75."""
    assert (
        _fault(_create(http, "Item", {"Name": "Workshop"}))["code"] == "2020"
    )


def test_item_type_outside_the_enum_is_2170(http: httpx.Client) -> None:
    """An unknown item Type is an invalid enumeration."""
    assert (
        _fault(_create(http, "Item", {"Name": "W", "Type": "Gadget"}))["code"]
        == "2170"
    )


def test_item_with_unknown_account_is_2500(http: httpx.Client) -> None:
    """IncomeAccountRef to a missing account is an invalid reference."""
    error = _fault(
        _create(
            http,
            "Item",
            {
                "Name": "W",
                "Type": "Service",
                "IncomeAccountRef": {"value": "999"},
            },
        )
    )
    assert error["code"] == "2500"


def test_item_names_are_unique(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A second item with the same Name gives 6240 naming the first."""
    first = fake.add_item("Workshop")
    error = _fault(
        _create(
            http,
            "Item",
            {
                "Name": "WORKSHOP",
                "Type": "Service",
                "IncomeAccountRef": {"value": "1"},
            },
        )
    )
    assert error["code"] == "6240"
    assert error["Detail"].endswith(f"Id={first['Id']}")


def test_item_names_do_not_clash_with_customer_names(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Items have their own name space, apart from customers."""
    fake.add_customer("Workshop")
    assert (
        _create(
            http,
            "Item",
            {
                "Name": "Workshop",
                "Type": "Service",
                "IncomeAccountRef": {"value": "1"},
            },
        ).status_code
        == 200
    )


def test_item_gets_account_names_in_its_refs(http: httpx.Client) -> None:
    """References are answered with the referenced object's name."""
    item = _create(
        http,
        "Item",
        {"Name": "W", "Type": "Service", "IncomeAccountRef": {"value": "1"}},
    ).json()["Item"]
    assert item["IncomeAccountRef"] == {"value": "1", "name": "Services"}


def test_inventory_item_needs_asset_expense_and_quantity(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Inventory items need asset/expense accounts, date and quantity."""
    error = _fault(
        _create(
            http,
            "Item",
            {
                "Name": "Box",
                "Type": "Inventory",
                "IncomeAccountRef": {"value": "2"},
            },
        )
    )
    assert error["code"] == "2020"
    item = fake.add_item("Box", item_type="Inventory", unit_price=5)
    assert item["TrackQtyOnHand"] is True
    assert item["AssetAccountRef"]["name"] == "Inventory Asset"


def test_inventory_item_type_cannot_change(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """An Inventory item cannot become another type."""
    item = fake.add_item("Box", item_type="Inventory")
    error = _fault(
        http.post(
            "/item",
            json={
                "Id": item["Id"],
                "SyncToken": "0",
                "sparse": True,
                "Type": "NonInventory",
            },
        )
    )
    assert error["code"] == "6000"


def test_group_item_expands_on_an_invoice(fake: FakeQuickBooks) -> None:
    """A Group (bundle) line is priced from its members."""
    customer = fake.add_customer("Bakery")
    a = fake.add_item("Flour", item_type="NonInventory", unit_price=10)
    b = fake.add_item("Sugar", item_type="NonInventory", unit_price="2.50")
    group = fake.create(
        "Item",
        {
            "Name": "Baking kit",
            "Type": "Group",
            "ItemGroupDetail": {
                "ItemGroupLine": [
                    {"ItemRef": {"value": a["Id"]}, "Qty": 2},
                    {"ItemRef": {"value": b["Id"]}, "Qty": 4},
                ]
            },
        },
    )
    invoice = fake.create(
        "Invoice",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {
                    "DetailType": "GroupLineDetail",
                    "GroupLineDetail": {
                        "GroupItemRef": {"value": group["Id"]},
                        "Quantity": 3,
                    },
                }
            ],
        },
    )
    assert invoice["TotalAmt"] == decimal.Decimal(
        3 * (2 * 10 + 4 * decimal.Decimal("2.5"))
    )


def test_category_items_cannot_be_used_on_invoices(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A Category item on an invoice line is refused with 2500."""
    customer = fake.add_customer("Bakery")
    category = fake.add_item("Baked goods", item_type="Category")
    error = _fault(
        _create(
            http,
            "Invoice",
            {
                "CustomerRef": {"value": customer["Id"]},
                "Line": [
                    {
                        "DetailType": "SalesItemLineDetail",
                        "Amount": 5,
                        "SalesItemLineDetail": {
                            "ItemRef": {"value": category["Id"]}
                        },
                    }
                ],
            },
        )
    )
    assert error["code"] == "2500"
    assert "Categories cannot be used in transactions" in error["Detail"]


# -- invoices ----------------------------------------------------------


def _invoice_body(
    customer_id: str, item_id: str, **line: Any
) -> dict[str, Any]:
    detail = {"ItemRef": {"value": item_id}, **line}
    return {
        "CustomerRef": {"value": customer_id},
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": detail,
            }
        ],
    }


def test_invoice_totals_are_computed(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Line amounts, subtotal, TotalAmt and Balance are computed."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    body = _invoice_body(customer["Id"], item["Id"], Qty=2)
    body["Line"].append(
        {
            "DetailType": "SalesItemLineDetail",
            "Amount": 19.99,
            "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}},
        }
    )
    body["TotalAmt"] = 1
    invoice = _create(http, "Invoice", body).json()["Invoice"]
    assert [line["Amount"] for line in invoice["Line"]] == [
        900.0,
        19.99,
        919.99,
    ]
    assert invoice["Line"][2] == {
        "Amount": 919.99,
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {},
    }
    assert invoice["TotalAmt"] == 919.99
    assert invoice["Balance"] == 919.99
    assert invoice["Line"][0]["SalesItemLineDetail"]["UnitPrice"] == 450
    assert invoice["Line"][0]["Id"] == "1"
    assert invoice["CustomerRef"] == {
        "value": customer["Id"],
        "name": "Bakery",
    }


def test_invoice_discount_line_is_applied(fake: FakeQuickBooks) -> None:
    """A percent discount is taken off the subtotal."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    body = _invoice_body(customer["Id"], item["Id"], Qty=2)
    body["Line"].append(
        {
            "DetailType": "DiscountLineDetail",
            "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 5},
        }
    )
    invoice = fake.create("Invoice", body)
    assert invoice["Line"][-1]["Amount"] == 45
    assert invoice["TotalAmt"] == 855


def test_amount_must_equal_qty_times_price(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A line whose Amount disagrees with Qty x UnitPrice is refused (6000)."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    body = _invoice_body(customer["Id"], item["Id"], Qty=2, UnitPrice=450)
    body["Line"][0]["Amount"] = 901
    assert _fault(_create(http, "Invoice", body))["code"] == "6000"


def test_amount_inside_sales_item_detail_is_2010(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Amount inside SalesItemLineDetail is an unknown property (2010)."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    error = _fault(
        _create(
            http,
            "Invoice",
            _invoice_body(customer["Id"], item["Id"], Amount=450),
        )
    )
    assert error["code"] == "2010"


def test_invoice_needs_customer_and_lines(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """CustomerRef and Line are required (2020)."""
    customer = fake.add_customer("Bakery")
    assert (
        _fault(_create(http, "Invoice", {"Line": []}))["element"]
        == "CustomerRef"
    )
    assert (
        _fault(
            _create(
                http, "Invoice", {"CustomerRef": {"value": customer["Id"]}}
            )
        )["element"]
        == "Line"
    )


def test_invoice_references_are_checked(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Unknown items are 2500 with the element; inactive customers are 610."""
    customer = fake.add_customer("Bakery")
    error = _fault(
        _create(http, "Invoice", _invoice_body(customer["Id"], "999", Qty=1))
    )
    assert error["code"] == "2500"
    assert error["element"] == "Line.SalesItemLineDetail.ItemRef"
    inactive = fake.add_customer("Gone", active=False)
    item = fake.add_item("Workshop", unit_price=1)
    assert (
        _fault(
            _create(
                http,
                "Invoice",
                _invoice_body(inactive["Id"], item["Id"], Qty=1),
            )
        )["code"]
        == "610"
    )


def test_inventory_line_without_quantity_is_6520(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """An Inventory item line needs Qty."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Box", item_type="Inventory", unit_price=5)
    body = _invoice_body(customer["Id"], item["Id"])
    body["Line"][0]["Amount"] = 5
    assert _fault(_create(http, "Invoice", body))["code"] == "6520"


def test_doc_numbers_are_assigned_and_unique(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """DocNumbers count from 1001; duplicates are 6140 unless allowed."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=1)
    body = _invoice_body(customer["Id"], item["Id"], Qty=1)
    assert (
        _create(http, "Invoice", body).json()["Invoice"]["DocNumber"] == "1001"
    )
    assert (
        _create(http, "Invoice", body).json()["Invoice"]["DocNumber"] == "1002"
    )
    duplicate = {**body, "DocNumber": "1001"}
    assert _fault(_create(http, "Invoice", duplicate))["code"] == "6140"
    allowed = http.post(
        "/invoice", params={"include": "allowduplicatedocnum"}, json=duplicate
    )
    assert allowed.json()["Invoice"]["DocNumber"] == "1001"
    assert (
        _fault(_create(http, "Invoice", {**body, "DocNumber": "x" * 22}))[
            "code"
        ]
        == "2050"
    )


def test_custom_transaction_numbers_leave_doc_number_empty(
    fake: FakeQuickBooks,
) -> None:
    """With CustomTxnNumbers on, API-created invoices get no DocNumber."""
    fake.set_preferences("SalesFormsPrefs", {"CustomTxnNumbers": True})
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=1)
    assert "DocNumber" not in fake.add_invoice(
        customer["Id"], [(item["Id"], 1, 1)]
    )


def test_custom_fields_follow_preferences(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Enabled custom-field slots keep values; disabled ones drop them."""
    fake.set_custom_field(1, "HubSpot Deal")
    fake.set_custom_field(2, "Region", enabled=False)
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=1)
    body = _invoice_body(customer["Id"], item["Id"], Qty=1)
    body["CustomField"] = [
        {"DefinitionId": "1", "StringValue": "D-88213"},
        {"DefinitionId": "2", "StringValue": "West"},
    ]
    invoice = _create(http, "Invoice", body).json()["Invoice"]
    assert invoice["CustomField"] == [
        {
            "DefinitionId": "1",
            "Name": "HubSpot Deal",
            "Type": "StringType",
            "StringValue": "D-88213",
        }
    ]
    preferences = http.get("/preferences").json()["Preferences"]
    names = preferences["SalesFormsPrefs"]["CustomField"][1]["CustomField"]
    assert {
        "Name": "SalesFormsPrefs.SalesCustomName1",
        "Type": "StringType",
        "StringValue": "HubSpot Deal",
    } in names


def test_sparse_line_update_replaces_all_lines(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Lines sent in an update replace the old ones; totals follow."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    invoice = fake.add_invoice(
        customer["Id"], [(item["Id"], 1, 100), (item["Id"], 2, 100)]
    )
    kept = http.get(f"/invoice/{invoice['Id']}").json()["Invoice"]["Line"][1]
    response = http.post(
        "/invoice",
        json={
            "Id": invoice["Id"],
            "SyncToken": "0",
            "sparse": True,
            "Line": [kept],
        },
    )
    updated = response.json()["Invoice"]
    assert [line.get("Id") for line in updated["Line"]] == [kept["Id"], None]
    assert updated["TotalAmt"] == 200


def test_delete_invoice_returns_deleted_stub(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """operation=delete answers {status: Deleted} and the invoice is gone."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])
    response = http.post(
        "/invoice",
        params={"operation": "delete"},
        json={"Id": invoice["Id"], "SyncToken": "0"},
    )
    assert response.json()["Invoice"] == {
        "status": "Deleted",
        "domain": "QBO",
        "Id": invoice["Id"],
    }
    assert _fault(http.get(f"/invoice/{invoice['Id']}"))["code"] == "610"
    assert fake.deleted("Invoice") == [invoice["Id"]]
    assert fake.get("Customer", customer["Id"])["Balance"] == 0  # type: ignore[index]


def test_void_invoice_zeroes_amounts(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Voiding keeps the invoice with zero amounts and a Voided note."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])
    response = http.post(
        "/invoice",
        params={"operation": "void"},
        json={"Id": invoice["Id"], "SyncToken": "0"},
    )
    voided = response.json()["Invoice"]
    assert voided["TotalAmt"] == 0
    assert voided["Balance"] == 0
    assert voided["PrivateNote"].startswith("Voided")
    assert voided["SyncToken"] == "1"


# -- payments ----------------------------------------------------------


def test_payment_reduces_invoice_balance_and_links(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A payment lowers the invoice Balance and shows in its LinkedTxn."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 2, 450)])
    response = _create(
        http,
        "Payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": 500,
            "Line": [
                {
                    "Amount": 500,
                    "LinkedTxn": [
                        {"TxnId": invoice["Id"], "TxnType": "Invoice"}
                    ],
                }
            ],
        },
    )
    payment = response.json()["Payment"]
    assert payment["UnappliedAmt"] == 0
    assert payment["Line"][0]["LinkedTxn"] == [
        {"TxnId": invoice["Id"], "TxnType": "Invoice"}
    ]
    after = http.get(f"/invoice/{invoice['Id']}").json()["Invoice"]
    assert after["Balance"] == 400
    assert after["LinkedTxn"] == [
        {"TxnId": payment["Id"], "TxnType": "Payment"}
    ]
    assert after["SyncToken"] == "1"
    assert (
        http.get(f"/customer/{customer['Id']}").json()["Customer"]["Balance"]
        == 400
    )


def test_payment_delete_and_void_restore_balance(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Voiding or deleting a payment gives the invoice its balance back."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])
    first = fake.add_payment(customer["Id"], 60, applied={invoice["Id"]: 60})
    second = fake.add_payment(customer["Id"], 40, applied={invoice["Id"]: 40})
    assert fake.get("Invoice", invoice["Id"])["Balance"] == 0  # type: ignore[index]
    voided = http.post(
        "/payment",
        params={"operation": "update", "include": "void"},
        json={"Id": first["Id"], "SyncToken": "0", "sparse": True},
    )
    assert voided.json()["Payment"]["TotalAmt"] == 0
    assert fake.get("Invoice", invoice["Id"])["Balance"] == 60  # type: ignore[index]
    http.post(
        "/payment",
        params={"operation": "delete"},
        json={"Id": second["Id"], "SyncToken": "0"},
    )
    restored = fake.get("Invoice", invoice["Id"])
    assert restored is not None
    assert restored["Balance"] == 100
    assert restored["LinkedTxn"] == []


def test_payment_rules(http: httpx.Client, fake: FakeQuickBooks) -> None:
    """Overpaying, or paying a foreign or missing invoice, is refused."""
    customer = fake.add_customer("Bakery")
    other = fake.add_customer("Other")
    item = fake.add_item("Workshop", unit_price=100)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])

    def pay(customer_id: str, invoice_id: str, amount: int) -> httpx.Response:
        return _create(
            http,
            "Payment",
            {
                "CustomerRef": {"value": customer_id},
                "TotalAmt": amount,
                "Line": [
                    {
                        "Amount": amount,
                        "LinkedTxn": [
                            {"TxnId": invoice_id, "TxnType": "Invoice"}
                        ],
                    }
                ],
            },
        )

    assert _fault(pay(customer["Id"], invoice["Id"], 101))["code"] == "6000"
    assert _fault(pay(other["Id"], invoice["Id"], 10))["code"] == "620"
    assert _fault(pay(customer["Id"], "999", 10))["code"] == "2500"
    assert (
        _fault(
            _create(
                http, "Payment", {"CustomerRef": {"value": customer["Id"]}}
            )
        )["code"]
        == "2020"
    )
    assert fake.get("Invoice", invoice["Id"])["Balance"] == 100  # type: ignore[index]


def test_invoice_with_payments_cannot_be_deleted(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Linked transactions must be unlinked before an invoice is deleted."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])
    fake.add_payment(customer["Id"], 10, applied={invoice["Id"]: 10})
    token = fake.get("Invoice", invoice["Id"])["SyncToken"]  # type: ignore[index]
    response = http.post(
        "/invoice",
        params={"operation": "delete"},
        json={"Id": invoice["Id"], "SyncToken": token},
    )
    assert _fault(response)["code"] == "6000"


def test_seeding_refusals_raise_value_error(fake: FakeQuickBooks) -> None:
    """Seeding applies the API's rules and reports QBO's answer."""
    fake.add_customer("Bakery")
    with pytest.raises(ValueError, match="6240"):
        fake.add_customer("Bakery")
    with pytest.raises(ValueError, match="no entity"):
        fake.all("Widget")


def test_enhanced_custom_fields_need_the_include_flag(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Enhanced fields are read and written only with the include flag."""
    seats = fake.define_custom_field("Seats", data_type="NUMBER")
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=1)
    body = _invoice_body(customer["Id"], item["Id"], Qty=1)
    body["CustomField"] = [{"DefinitionId": seats, "NumberValue": 12}]
    enhanced = {"include": "enhancedAllCustomFields"}
    created = http.post("/invoice", params=enhanced, json=body).json()
    assert created["Invoice"]["CustomField"] == [
        {
            "DefinitionId": seats,
            "Name": "Seats",
            "Type": "NumberType",
            "NumberValue": 12,
        }
    ]
    invoice_id = created["Invoice"]["Id"]
    plain = http.get(f"/invoice/{invoice_id}").json()["Invoice"]
    assert plain["CustomField"] == []
    http.post(
        "/invoice",
        json={
            "Id": invoice_id,
            "SyncToken": "0",
            "sparse": True,
            "CustomField": [],
        },
    )
    read = http.get(f"/invoice/{invoice_id}", params=enhanced).json()
    assert read["Invoice"]["CustomField"][0]["NumberValue"] == 12
    query = http.get(
        "/query",
        params={"query": "select * from Invoice", **enhanced},
    ).json()
    assert (
        query["QueryResponse"]["Invoice"][0]["CustomField"][0]["Name"]
        == "Seats"
    )
    with pytest.raises(ValueError, match="STRING or NUMBER"):
        fake.define_custom_field("When", data_type="DATE")
