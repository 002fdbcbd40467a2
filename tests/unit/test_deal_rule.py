"""The invoice → deal rule: building, validation and (de)serialisation."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from hsqbo import (
    ConfigError,
    DealRule,
    Direction,
    FieldMap,
    ObjectSync,
    SyncConfig,
)
from hsqbo._unset import UNSET


SETUP = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
TO_HUBSPOT = Direction.QBO_TO_HUBSPOT


def _rule(**changes: object) -> DealRule:
    values: dict[str, object] = {
        "deal_id": "CustomField[Deal ID]",
        "fields": [
            FieldMap("invoice_status", "hsqbo.status", direction=TO_HUBSPOT),
            FieldMap("amount", "TotalAmt", transform="decimal:2"),
        ],
    }
    values.update(changes)
    return DealRule(**values)  # type: ignore[arg-type]


def _config(rule: DealRule) -> SyncConfig:
    base = SyncConfig.recommended(SETUP)
    objects = tuple(
        attrs.evolve(o, deal=rule) if o.qbo == "Invoice" else o
        for o in base.objects
    )
    return SyncConfig(objects, SETUP)


def _paths(error: ConfigError) -> list[str]:
    return [p.path for p in error.problems]


def test_invoice_sync_has_no_deal_rule_by_default() -> None:
    """The recommended config touches no deal."""
    config = SyncConfig.recommended(SETUP)
    assert config.object("invoices").deal is UNSET


def test_deal_rule_round_trips_through_toml_and_dicts() -> None:
    """A config with a deal rule dumps and loads back equal."""
    config = _config(_rule(payments=False))
    assert SyncConfig.from_toml(config.to_toml()) == config
    assert SyncConfig.from_dict(config.to_dict()) == config
    dumped = config.to_dict()["objects"][2]["deal"]
    assert dumped["deal_id"] == "CustomField[Deal ID]"
    assert dumped["payments"] is False
    assert [f["hubspot"] for f in dumped["fields"]] == [
        "invoice_status",
        "amount",
    ]


def test_accounting_deal_property_is_refused_when_built() -> None:
    """B17: a deal property of the accounting group fails at config time."""
    with pytest.raises(ConfigError) as caught:
        _rule(
            fields=[
                FieldMap("amount", "TotalAmt"),
                FieldMap("Accounting_Invoice_Balance", "Balance"),
            ]
        )
    assert _paths(caught.value) == ["fields[1].hubspot"]
    assert "accounting" in caught.value.problems[0].message


def test_accounting_deal_property_is_refused_when_loaded() -> None:
    """B17 from TOML data: the problem names the full path of the key."""
    data = _config(_rule()).to_dict()
    data["objects"][2]["deal"]["fields"].append(
        {"hubspot": "accounting_invoice_status", "qbo": "hsqbo.status"}
    )
    with pytest.raises(ConfigError) as caught:
        SyncConfig.from_dict(data)
    assert _paths(caught.value) == ["objects[2].deal.fields[2].hubspot"]


def test_every_deal_rule_problem_is_listed_with_its_path() -> None:
    """Unknown keys, bad paths and bad directions are all reported."""
    data = _config(_rule()).to_dict()
    deal = data["objects"][2]["deal"]
    deal["payment"] = True
    deal["deal_id"] = "not a path"
    deal["fields"][0]["direction"] = "hubspot_to_qbo"
    with pytest.raises(ConfigError) as caught:
        SyncConfig.from_dict(data)
    assert sorted(_paths(caught.value)) == [
        "objects[2].deal.deal_id",
        "objects[2].deal.fields[0].direction",
        "objects[2].deal.payment",
    ]


def test_deal_rule_only_on_invoice_syncs() -> None:
    """A deal rule on the contacts sync is refused."""
    with pytest.raises(ConfigError) as caught:
        ObjectSync(
            "contacts",
            "contacts",
            "Customer",
            Direction.TWO_WAY,
            [],
            deal=_rule(),
        )
    assert _paths(caught.value) == ["deal"]


def test_a_deal_property_written_twice_is_refused() -> None:
    """Two deal fields writing one property would fight each other."""
    with pytest.raises(ConfigError) as caught:
        _rule(
            fields=[
                FieldMap("amount", "TotalAmt"),
                FieldMap("amount", "Balance"),
            ]
        )
    assert _paths(caught.value) == ["fields[1].hubspot"]


def test_accounting_deal_property_is_reported_beside_other_problems() -> None:
    """B17 is still checked when the deal rule has other problems too."""
    data = _config(_rule()).to_dict()
    deal = data["objects"][2]["deal"]
    deal["payments"] = "yes"
    deal["fields"][0]["transform"] = "lowr"
    deal["fields"].append(
        {
            "hubspot": "accounting_invoice_balance",
            "qbo": "Balance",
            "direction": "qbo_to_hubspot",
        }
    )
    with pytest.raises(ConfigError) as caught:
        SyncConfig.from_dict(data)
    assert sorted(_paths(caught.value)) == [
        "objects[2].deal.fields[0].transform",
        "objects[2].deal.fields[2].hubspot",
        "objects[2].deal.payments",
    ]
