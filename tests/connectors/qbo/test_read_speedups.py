"""The shortcuts that make reading QBO rows fast keep the models' contract."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

from hsqbo.qbo import (
    Customer,
    LinkedTxn,
    MetaData,
    Ref,
    structure,
    unstructure,
)


CUSTOMER: dict[str, Any] = {
    "Id": "7",
    "SyncToken": "2",
    "DisplayName": "Harbor Lane Bakery",
    "Balance": Decimal("12.50"),
    "BalanceWithJobs": 0,
    "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
    "MetaData": {
        "CreateTime": "2026-02-03T08:15:00-08:00",
        "LastUpdatedTime": "2026-02-03T08:15:00-08:00",
    },
}


def test_read_models_are_frozen_instances_of_their_own_class() -> None:
    """Read models and their parts have their real class and stay frozen."""
    customer = structure(CUSTOMER, Customer)
    assert type(customer) is Customer
    assert type(customer.meta_data) is MetaData
    assert type(customer.currency_ref) is Ref
    for part in (customer, customer.currency_ref, customer.meta_data):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            part.extra = {}  # type: ignore[misc]
    assert customer == Customer(
        id="7",
        sync_token="2",  # noqa: S106 - a version, not a secret
        display_name="Harbor Lane Bakery",
        balance=Decimal("12.50"),
        balance_with_jobs=Decimal(0),
        currency_ref=Ref(value="USD", name="United States Dollar"),
        meta_data=customer.meta_data,
    )


def test_times_keep_their_offset_when_the_same_text_repeats() -> None:
    """MetaData times are the same aware UTC instant, read once or twice."""
    first = structure(CUSTOMER, Customer)
    second = structure(CUSTOMER, Customer)
    expected = dt.datetime(2026, 2, 3, 16, 15, tzinfo=dt.UTC)
    for customer in (first, second):
        meta = customer.meta_data
        assert isinstance(meta, MetaData)
        assert meta.create_time == expected
        assert meta.last_updated_time == expected
        assert isinstance(meta.last_updated_time, dt.datetime)
        assert meta.last_updated_time.utcoffset() == dt.timedelta(0)


def test_extra_without_unknown_keys_is_read_only_but_copies_and_encodes() -> (
    None
):
    """An empty extra refuses writes, yet equals {}, copies and encodes."""
    customer = structure(CUSTOMER, Customer)
    assert customer.extra == {}
    with pytest.raises(TypeError, match="read-only"):
        customer.extra["Foo"] = 1  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        customer.extra.update(Foo=1)  # type: ignore[attr-defined]
    assert json.dumps(customer.extra) == "{}"
    assert copy.deepcopy(customer) == customer
    assert dict(customer.extra) == {}


def test_unknown_keys_stay_in_a_dict_of_their_own() -> None:
    """Extra keys (and null values) are kept per object, not shared."""
    one = structure({**CUSTOMER, "Foo": 1, "Notes": None}, Customer)
    two = structure({**CUSTOMER, "Foo": 2}, Customer)
    assert one.extra == {"Foo": 1, "Notes": None}
    assert two.extra == {"Foo": 2}
    assert unstructure(one)["Foo"] == 1


def test_equal_string_refs_share_one_instance_others_do_not() -> None:
    """Refs of strings only are shared; extra keys or other types are not."""
    first = structure({"value": "37", "name": "Design"}, Ref)
    assert structure({"value": "37", "name": "Design"}, Ref) is first
    with_extra = structure({"value": "37", "X": "1"}, Ref)
    assert with_extra.extra == {"X": "1"}
    assert structure({"value": "37", "X": "1"}, Ref) is not with_extra
    # 37 == 37.0 == Decimal(37) must not fetch the shared string ref.
    number = structure({"value": 37}, Ref)
    assert number.value == "37"
    with pytest.raises(TypeError, match="not a string"):
        structure({"value": True}, Ref)


def test_a_missing_required_field_is_still_refused() -> None:
    """A ref without its value fails as attrs words it, shortcut or not."""
    with pytest.raises(TypeError, match="value"):
        structure({"name": "no value"}, Ref)
    with pytest.raises(TypeError, match="txn_id"):
        structure({"TxnType": "Payment"}, LinkedTxn)
