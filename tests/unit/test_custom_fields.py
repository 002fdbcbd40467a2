"""B12: which QBO invoice custom fields may be mapped."""

from __future__ import annotations

import datetime as dt

import pytest

from hsqbo import (
    ConfigError,
    CustomFieldDefinition,
    CustomFieldNotEligibleError,
    Direction,
    FieldMap,
    ObjectSync,
    SyncConfig,
    check_custom_field_eligible,
    check_custom_fields,
)


def _definition(**overrides: object) -> CustomFieldDefinition:
    values: dict[str, object] = {
        "name": "HubSpot Deal",
        "type": "Text",
        "category": "Transaction",
        "print_enabled": True,
        "enabled_on": {"invoice", "estimate", "sales_receipt"},
    }
    values.update(overrides)
    return CustomFieldDefinition(**values)  # type: ignore[arg-type]


def _failed_rules(definition: CustomFieldDefinition) -> list[str]:
    with pytest.raises(CustomFieldNotEligibleError) as info:
        check_custom_field_eligible(definition)
    return [p.path.rsplit(".", 1)[1] for p in info.value.problems]


@pytest.mark.parametrize("kind", ["Text", "number", " NUMBER "])
def test_text_and_number_fields_on_all_sales_forms_are_eligible(kind):
    """A printed Transaction field of type Text/Number on all forms passes."""
    check_custom_field_eligible(_definition(type=kind))


def test_extra_forms_do_not_matter():
    """Being enabled on more forms than the three sales forms is fine."""
    forms = {"invoice", "estimate", "sales_receipt", "purchase_order"}
    check_custom_field_eligible(_definition(enabled_on=forms))


@pytest.mark.parametrize(
    ("overrides", "rules"),
    [
        ({"type": "date"}, ["type"]),
        ({"type": "dropdown"}, ["type"]),
        ({"category": "customer"}, ["category"]),
        ({"print_enabled": False}, ["print_enabled"]),
        ({"enabled_on": {"invoice"}}, ["enabled_on"]),
        ({"active": False}, ["active"]),
    ],
)
def test_each_rule_fails_on_its_own(overrides, rules):
    """Each broken rule is reported, and only that one."""
    assert _failed_rules(_definition(**overrides)) == rules


def test_every_failed_rule_is_named_at_once():
    """A field failing all rules gets one problem per rule."""
    definition = _definition(
        type="date",
        category="customer",
        print_enabled=False,
        enabled_on=(),
        active=False,
    )
    assert _failed_rules(definition) == [
        "type",
        "category",
        "print_enabled",
        "enabled_on",
        "active",
    ]


def test_missing_forms_are_named():
    """The message lists the sales forms the field is not enabled on."""
    with pytest.raises(CustomFieldNotEligibleError) as info:
        check_custom_field_eligible(_definition(enabled_on=["Invoice"]))
    (problem,) = info.value.problems
    assert problem.path == "CustomField[HubSpot Deal].enabled_on"
    assert problem.message.endswith("not enabled on: estimate, sales_receipt")


def test_error_is_a_config_error():
    """CustomFieldNotEligibleError is a ConfigError (and a ValueError)."""
    with pytest.raises(ConfigError):
        check_custom_field_eligible(_definition(type="date"))


def test_config_custom_fields_are_checked_against_definitions():
    """Mapped CustomField[...] paths must exist and be eligible."""
    fields = (
        FieldMap("deal_id", "CustomField[HubSpot Deal]"),
        FieldMap("region", "CustomField[Region]"),
        FieldMap("po", "CustomField[PO]"),
    )
    invoices = ObjectSync(
        "invoices", "invoices", "Invoice", Direction.QBO_TO_HUBSPOT, fields
    )
    config = SyncConfig((invoices,), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    definitions = [
        _definition(),
        _definition(name="Region", print_enabled=False),
    ]
    with pytest.raises(CustomFieldNotEligibleError) as info:
        check_custom_fields(config, definitions)
    problems = [(p.path, p.message) for p in info.value.problems]
    assert [path for path, _ in problems] == [
        "objects[0].fields[1].qbo",
        "objects[0].fields[2].qbo",
    ]
    assert "print_enabled" in problems[0][1]
    assert "no invoice custom field named 'PO'" in problems[1][1]
    check_custom_fields(
        config,
        [
            *definitions[:1],
            _definition(name="Region"),
            _definition(name="PO", type="number"),
        ],
    )
