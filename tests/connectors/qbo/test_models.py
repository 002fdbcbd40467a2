"""Models: wire round trips, unknown fields kept, Record conversion."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import ConfigError, Side
from hsqbo._unset import UNSET
from hsqbo.qbo import (
    Customer,
    CustomField,
    DiscountLineDetail,
    EmailAddress,
    GroupLineDetail,
    Invoice,
    Item,
    Line,
    LinkedTxn,
    MetaData,
    Payment,
    PaymentLine,
    PhysicalAddress,
    Ref,
    SalesItemLineDetail,
    from_fields,
    structure,
    to_fields,
    to_record,
    unstructure,
)
from hsqbo.qbo._core import encode_json


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(UNSET), strategy)


texts = st.text(max_size=20)
money = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2
)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
times = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - made aware below
    max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
extras = st.dictionaries(
    st.text(min_size=1, max_size=8).map(lambda k: f"X_{k}"),
    st.one_of(st.integers(), texts, st.booleans()),
    max_size=3,
)
refs = st.builds(Ref, value=texts, name=_maybe(texts), extra=extras)
metas = st.builds(
    MetaData, create_time=_maybe(times), last_updated_time=_maybe(times)
)
addresses = st.builds(
    PhysicalAddress, line1=_maybe(texts), city=_maybe(texts), extra=extras
)
customers = st.builds(
    Customer,
    id=_maybe(texts),
    sync_token=_maybe(texts),
    meta_data=_maybe(metas),
    display_name=_maybe(texts),
    primary_email_addr=_maybe(st.builds(EmailAddress, address=texts)),
    bill_addr=_maybe(addresses),
    active=_maybe(st.booleans()),
    balance=_maybe(money),
    level=_maybe(st.integers(0, 4)),
    currency_ref=_maybe(refs),
    extra=extras,
)
items = st.builds(
    Item,
    id=_maybe(texts),
    name=_maybe(texts),
    type=_maybe(st.sampled_from(["Service", "Inventory", "Group"])),
    unit_price=_maybe(money),
    inv_start_date=_maybe(dates),
    income_account_ref=_maybe(refs),
    extra=extras,
)
custom_fields = st.builds(
    CustomField,
    definition_id=texts,
    name=_maybe(texts),
    string_value=_maybe(texts),
    number_value=_maybe(money),
)
sales_lines = st.builds(
    Line,
    id=_maybe(texts),
    line_num=_maybe(st.integers(1, 100)),
    amount=_maybe(money),
    detail_type=st.just("SalesItemLineDetail"),
    sales_item_line_detail=st.builds(
        SalesItemLineDetail,
        item_ref=_maybe(refs),
        qty=_maybe(money),
        unit_price=_maybe(money),
        service_date=_maybe(dates),
    ),
)
discount_lines = st.builds(
    Line,
    amount=_maybe(money),
    detail_type=st.just("DiscountLineDetail"),
    discount_line_detail=st.builds(
        DiscountLineDetail,
        percent_based=_maybe(st.booleans()),
        discount_percent=_maybe(money),
    ),
)
group_lines = st.builds(
    Line,
    detail_type=st.just("GroupLineDetail"),
    group_line_detail=st.builds(
        GroupLineDetail,
        group_item_ref=_maybe(refs),
        line=_maybe(st.lists(sales_lines, max_size=2).map(tuple)),
    ),
)
invoices = st.builds(
    Invoice,
    id=_maybe(texts),
    sync_token=_maybe(texts),
    txn_date=_maybe(dates),
    customer_ref=_maybe(refs),
    custom_field=_maybe(st.lists(custom_fields, max_size=3).map(tuple)),
    line=_maybe(
        st.lists(
            st.one_of(sales_lines, discount_lines, group_lines), max_size=4
        ).map(tuple)
    ),
    linked_txn=_maybe(
        st.lists(st.builds(LinkedTxn, txn_id=texts), max_size=2).map(tuple)
    ),
    total_amt=_maybe(money),
    extra=extras,
)
payments = st.builds(
    Payment,
    id=_maybe(texts),
    total_amt=_maybe(money),
    customer_ref=_maybe(refs),
    line=_maybe(
        st.lists(
            st.builds(
                PaymentLine,
                amount=_maybe(money),
                linked_txn=_maybe(
                    st.lists(
                        st.builds(
                            LinkedTxn, txn_id=texts, txn_type=_maybe(texts)
                        ),
                        max_size=2,
                    ).map(tuple)
                ),
                extra=extras,
            ),
            max_size=3,
        ).map(tuple)
    ),
)


@settings(deadline=None, max_examples=60)
@given(st.one_of(customers, items, invoices, payments))
def test_structure_of_unstructure_is_identity(model: Any) -> None:
    """Every model survives unstructure then structure unchanged."""
    assert structure(unstructure(model), type(model)) == model


@settings(deadline=None, max_examples=40)
@given(st.one_of(customers, invoices))
def test_json_wire_round_trip_keeps_the_model(model: Any) -> None:
    """Through real JSON text (Decimal as numbers) the model comes back."""
    text = encode_json(unstructure(model))
    again = structure(json.loads(text, parse_float=Decimal), type(model))
    assert again == model


def test_unknown_fields_survive_read_modify_write(
    load_json: Callable[[str], Any],
) -> None:
    """Keys hsqbo does not model are written back after an edit."""
    wire = load_json("invoice.json")["Invoice"]
    invoice = structure(wire, Invoice)
    assert invoice.extra["EInvoiceStatus"] == "Viewed"
    edited = attrs.evolve(invoice, private_note="changed")
    out = json.loads(encode_json(unstructure(edited)))
    assert out["EInvoiceStatus"] == "Viewed"
    assert out["TaxClassificationRef"] == {}
    assert out["Line"][0]["CustomExtensions"] == []
    assert out["PrivateNote"] == "changed"
    assert out["Line"][2]["GroupLineDetail"]["Line"][0]["Amount"] == 120


def test_every_line_detail_type_is_typed(
    load_json: Callable[[str], Any],
) -> None:
    """Sales, description, group, subtotal and discount lines parse."""
    invoice = structure(load_json("invoice.json")["Invoice"], Invoice)
    assert isinstance(invoice.line, tuple)
    kinds = [line.detail_type for line in invoice.line]
    assert kinds == [
        "SalesItemLineDetail",
        "DescriptionOnly",
        "GroupLineDetail",
        "SubTotalLineDetail",
        "DiscountLineDetail",
    ]
    sales = invoice.line[0].sales_item_line_detail
    assert isinstance(sales, SalesItemLineDetail)
    assert sales.qty == 2
    assert sales.service_date == dt.date(2026, 2, 2)
    assert invoice.line[1].description_line_detail is not UNSET
    discount = invoice.line[4].discount_line_detail
    assert isinstance(discount, DiscountLineDetail)
    assert discount.discount_percent == 5


def test_custom_fields_read_strings_and_numbers(
    load_json: Callable[[str], Any],
) -> None:
    """StringValue, NumberValue and an unset field each read right."""
    invoice = structure(load_json("invoice.json")["Invoice"], Invoice)
    assert isinstance(invoice.custom_field, tuple)
    values = [field.value for field in invoice.custom_field]
    assert values == ["D-88213", Decimal(12), None]


def test_payment_with_line_ex_parses_and_keeps_it(
    load_json: Callable[[str], Any],
) -> None:
    """The JAXB LineEx blob is tolerated and kept for write-back."""
    payment = structure(load_json("payment.json")["Payment"], Payment)
    assert isinstance(payment.line, tuple)
    [line] = payment.line
    assert line.amount == Decimal(500)
    assert line.linked_txn == (LinkedTxn(txn_id="1088", txn_type="Invoice"),)
    assert "LineEx" in unstructure(line)


def test_customer_record_uses_dotted_paths(
    load_json: Callable[[str], Any],
) -> None:
    """A customer becomes a Record with dotted fields, version and UTC time."""
    customer = structure(load_json("customer.json")["Customer"], Customer)
    record = to_record(customer)
    assert record.side is Side.QBO
    assert (record.type, record.id, record.version) == ("Customer", "412", "3")
    assert record.updated_at == dt.datetime(
        2026, 2, 19, 23, 3, 10, tzinfo=dt.UTC
    )
    assert not record.archived
    fields = record.fields
    assert fields["DisplayName"] == "Harbor Lane Bakery"
    assert fields["PrimaryEmailAddr.Address"] == "books@harborlane.example"
    assert fields["BillAddr.City"] == "Portland"
    assert fields["CurrencyRef.value"] == "USD"
    assert fields["Balance"] == Decimal("1240.5")
    assert fields["MetaData.CreateTime"] == dt.datetime(
        2026, 1, 7, 17, 12, 44, tzinfo=dt.UTC
    )
    assert "Id" not in fields
    assert "SyncToken" not in fields


def test_invoice_record_keeps_lines_and_custom_fields(
    load_json: Callable[[str], Any],
) -> None:
    """Lines and LinkedTxn stay tuples of mappings; custom fields by name."""
    invoice = structure(load_json("invoice.json")["Invoice"], Invoice)
    fields = to_record(invoice).fields
    assert fields["CustomField[HubSpot Deal]"] == "D-88213"
    assert fields["CustomField[Seats]"] == Decimal(12)
    assert fields["CustomField[Region]"] is None
    assert fields["TxnDate"] == dt.date(2026, 2, 3)
    assert fields["CustomerRef.value"] == "412"
    lines = fields["Line"]
    assert isinstance(lines, tuple)
    assert len(lines) == 5
    assert lines[0]["SalesItemLineDetail"]["ItemRef"]["value"] == "37"  # type: ignore[index]
    assert fields["LinkedTxn"] == ({"TxnId": "1091", "TxnType": "Payment"},)


def test_inactive_customer_and_voided_invoice_are_archived() -> None:
    """Active false and a voided invoice both set archived."""
    meta = MetaData(last_updated_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    inactive = Customer(id="1", meta_data=meta, active=False)
    voided = Invoice(
        id="2",
        meta_data=meta,
        private_note="Voided - Synced from HubSpot",
        total_amt=Decimal(0),
    )
    assert to_record(inactive).archived
    assert to_record(voided).archived


def test_record_needs_an_id_and_a_time() -> None:
    """A model never read from QBO cannot become a Record."""
    with pytest.raises(ValueError, match="no Id"):
        to_record(Customer(display_name="A"))
    with pytest.raises(ValueError, match="LastUpdatedTime"):
        to_record(Customer(id="1"))


def test_from_fields_is_the_reverse_of_to_fields(
    load_json: Callable[[str], Any],
) -> None:
    """Fields of a record rebuild the same invoice, custom fields included."""
    invoice = structure(load_json("invoice.json")["Invoice"], Invoice)
    fields = to_fields(invoice)
    ids = {"HubSpot Deal": "1", "Seats": "1149622", "Region": "2"}
    rebuilt = from_fields(Invoice, fields, custom_field_ids=ids)
    assert rebuilt.line == invoice.line
    assert rebuilt.customer_ref == invoice.customer_ref
    assert isinstance(rebuilt.custom_field, tuple)
    assert [f.value for f in rebuilt.custom_field] == [
        "D-88213",
        Decimal(12),
        None,
    ]
    assert rebuilt.custom_field[1].type == "NumberType"


def test_from_fields_reports_unknown_custom_fields() -> None:
    """Every custom field without a DefinitionId is one problem."""
    with pytest.raises(ConfigError) as caught:
        from_fields(Invoice, {"CustomField[A]": "x", "CustomField[B]": "y"})
    assert [p.path for p in caught.value.problems] == [
        "CustomField[A]",
        "CustomField[B]",
    ]


def test_naive_times_on_the_wire_are_refused() -> None:
    """A MetaData time without an offset is an error, not a guess."""
    with pytest.raises(Exception, match="offset"):
        structure(
            {"MetaData": {"CreateTime": "2026-01-01T00:00:00"}}, Customer
        )


def test_booleans_are_not_amounts() -> None:
    """A JSON true where money belongs is refused."""
    with pytest.raises(Exception, match="boolean"):
        structure({"Balance": True}, Customer)
