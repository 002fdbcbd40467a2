"""Sync configs: the recommended config, validation, dict and TOML I/O."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import tomllib
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import (
    ConfigError,
    ConflictPolicy,
    Direction,
    DisplayNameRule,
    FieldMap,
    Filter,
    FilterGroup,
    ObjectSync,
    Operator,
    Record,
    Side,
    SyncConfig,
)
from hsqbo._converter import converter
from hsqbo._defaults import (
    CONTACT_FIELDS,
    INVOICE_FIELDS,
    PRODUCT_FIELDS,
    invoice_filters_to_qbo,
)
from hsqbo._filters import evaluate


SETUP = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def _problems(data: object) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as info:
        SyncConfig.from_dict(data)  # type: ignore[arg-type]
    return [(p.path, p.message) for p in info.value.problems]


def _paths(data: object) -> list[str]:
    return [path for path, _ in _problems(data)]


def _object(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "contacts",
        "hubspot": "contacts",
        "qbo": "Customer",
        "direction": "two_way",
        "fields": [{"hubspot": "email", "qbo": "PrimaryEmailAddr.Address"}],
    }
    data.update(overrides)
    return data


def _config(*objects: dict[str, object]) -> dict[str, object]:
    return {"setup_at": "2026-11-27T09:30:00+00:00", "objects": list(objects)}


# --- recommended -------------------------------------------------------------


def test_recommended_objects_and_directions():
    """Contacts two-way, products and invoices one-way QBO → HubSpot."""
    config = SyncConfig.recommended(SETUP)
    assert [
        (o.name, o.hubspot, o.qbo, o.direction) for o in config.objects
    ] == [
        ("contacts", "contacts", "Customer", Direction.TWO_WAY),
        ("products", "products", "Item", Direction.QBO_TO_HUBSPOT),
        ("invoices", "invoices", "Invoice", Direction.QBO_TO_HUBSPOT),
    ]
    assert config.object("contacts").fields == CONTACT_FIELDS
    assert config.object("products").fields == PRODUCT_FIELDS
    assert config.object("invoices").fields == INVOICE_FIELDS


def test_recommended_contact_filters():
    """HubSpot → QBO takes contacts created after setup; QBO → HubSpot all."""
    contacts = SyncConfig.recommended(SETUP).object("contacts")
    assert contacts.filters_to_hubspot == ()
    (group,) = contacts.filters_to_qbo
    assert group.filters == (Filter("createdate", Operator.GT, value=SETUP),)

    def contact(created: dt.datetime) -> Record:
        return Record(
            Side.HUBSPOT, "contacts", "1", {"createdate": created}, created
        )

    later = SETUP + dt.timedelta(seconds=1)
    assert evaluate(contacts.filters_to_qbo, contact(later)).passed
    assert not evaluate(contacts.filters_to_qbo, contact(SETUP)).passed


def test_recommended_products_have_no_filter():
    """Products: all products & services, no filter either way."""
    products = SyncConfig.recommended(SETUP).object("products")
    assert products.filters_to_hubspot == products.filters_to_qbo == ()


def test_recommended_invoices_start_at_noon_in_setup_time_zone():
    """Invoices created after 12:00 of the setup day, in setup_at's zone."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    setup = dt.datetime(2026, 11, 27, 23, 15, tzinfo=berlin)
    invoices = SyncConfig.recommended(setup).object("invoices")
    (group,) = invoices.filters_to_hubspot
    assert invoices.filters_to_qbo == ()

    def invoice(created: dt.datetime) -> Record:
        fields = {"MetaData.CreateTime": created}
        return Record(Side.QBO, "Invoice", "7", fields, created)

    noon = dt.datetime(2026, 11, 27, 12, 0, tzinfo=berlin)
    assert evaluate((group,), invoice(noon + dt.timedelta(minutes=1))).passed
    assert not evaluate((group,), invoice(noon)).passed
    assert group.filters[0].property == "MetaData.CreateTime"


def test_recommended_needs_an_aware_setup_time():
    """A naive setup_at is a ConfigError on setup_at."""
    with pytest.raises(ConfigError) as info:
        SyncConfig.recommended(dt.datetime(2026, 11, 27))  # noqa: DTZ001
    assert info.value.problems[0].path == "setup_at"


def test_setup_at_is_kept_in_utc():
    """setup_at is converted to UTC, keeping the instant."""
    est = dt.timezone(-dt.timedelta(hours=5))
    config = SyncConfig((), dt.datetime(2026, 1, 1, 7, tzinfo=est))
    assert config.setup_at == dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert config.setup_at.tzinfo is dt.UTC


def test_object_lookup_names_the_configured_objects():
    """object() of an unknown name raises KeyError listing the names."""
    config = SyncConfig.recommended(SETUP)
    with pytest.raises(KeyError, match="'contacts', 'products', 'invoices'"):
        config.object("deals")


def test_invoice_status_is_a_virtual_read_only_path():
    """The status map reads hsqbo.status and only flows to HubSpot."""
    status = [f for f in INVOICE_FIELDS if f.hubspot == "hs_invoice_status"]
    assert [(f.qbo, f.direction) for f in status] == [
        ("hsqbo.status", Direction.QBO_TO_HUBSPOT)
    ]


def test_optional_invoice_filter_to_qbo():
    """The HubSpot → QBO invoice filter takes finalised HubSpot invoices."""
    (group,) = invoice_filters_to_qbo(SETUP)

    def invoice(status: str, source: str) -> Record:
        fields = {
            "hs_invoice_status": status,
            "hs_createdate": SETUP + dt.timedelta(days=1),
            "hs_invoice_source": source,
        }
        return Record(Side.HUBSPOT, "invoices", "1", fields, SETUP)

    assert group.matches(invoice("open", "hubspot"))
    assert not group.matches(invoice("draft", "hubspot"))
    assert not group.matches(invoice("open", "data_sync"))


# --- validation: Python construction ---------------------------------------


def test_duplicate_object_names_are_refused():
    """Two object syncs may not share a name."""
    one = ObjectSync("x", "contacts", "Customer", Direction.TWO_WAY, ())
    two = ObjectSync("x", "products", "Item", Direction.TWO_WAY, ())
    with pytest.raises(ConfigError) as info:
        SyncConfig((one, two), SETUP)
    assert [p.path for p in info.value.problems] == ["objects[1].name"]


def test_the_same_pair_cannot_be_synced_twice():
    """Two object syncs of contacts ⇄ Customer are refused."""
    one = ObjectSync("a", "contacts", "Customer", Direction.TWO_WAY, ())
    two = ObjectSync("b", "contacts", "Customer", Direction.TWO_WAY, ())
    with pytest.raises(ConfigError, match="already synced by objects"):
        SyncConfig((one, two), SETUP)


def test_duplicate_targets_are_refused():
    """Two maps writing the same field on one side are a problem."""
    fields = (
        FieldMap("email", "GivenName"),
        FieldMap("firstname", "GivenName"),
    )
    with pytest.raises(ConfigError) as info:
        ObjectSync("c", "contacts", "Customer", Direction.TWO_WAY, fields)
    assert [p.path for p in info.value.problems] == ["fields[1].qbo"]


def test_one_source_may_feed_several_one_way_targets():
    """Reading one QBO field into two HubSpot properties is fine."""
    fields = (
        FieldMap("hs_number", "DocNumber", direction=Direction.QBO_TO_HUBSPOT),
        FieldMap("hs_title", "DocNumber", direction=Direction.QBO_TO_HUBSPOT),
    )
    ObjectSync("i", "invoices", "Invoice", Direction.QBO_TO_HUBSPOT, fields)


def test_virtual_paths_cannot_be_written():
    """A map that would write hsqbo.status to QBO is refused."""
    with pytest.raises(ConfigError, match="derived by hsqbo"):
        ObjectSync(
            "i",
            "invoices",
            "Invoice",
            Direction.TWO_WAY,
            (FieldMap("hs_invoice_status", "hsqbo.status"),),
        )


def test_accounting_deal_properties_are_never_written():
    """B17: a deal map writing into the accounting group is refused."""
    with pytest.raises(ConfigError) as info:
        ObjectSync(
            "deals",
            "deals",
            "Invoice",
            Direction.QBO_TO_HUBSPOT,
            (
                FieldMap("accounting_invoice_number", "DocNumber"),
                FieldMap("amount", "TotalAmt"),
            ),
            hubspot_defaults={"accounting_invoice_status": "open"},
        )
    assert [p.path for p in info.value.problems] == [
        "fields[0].hubspot",
        "hubspot_defaults['accounting_invoice_status']",
    ]
    assert "accounting" in info.value.problems[0].message


def test_reading_an_accounting_deal_property_is_allowed():
    """A one-way map that only reads the accounting group writes nothing."""
    ObjectSync(
        "deals",
        "deals",
        "Invoice",
        Direction.HUBSPOT_TO_QBO,
        (FieldMap("accounting_invoice_number", "PrivateNote"),),
    )


def test_filter_properties_follow_the_side_they_are_evaluated_on():
    """filters_to_qbo use HubSpot names, filters_to_hubspot QBO paths."""
    with pytest.raises(ConfigError) as info:
        ObjectSync(
            "c",
            "contacts",
            "Customer",
            Direction.TWO_WAY,
            (),
            (FilterGroup([Filter("Meta Data", "HAS_PROPERTY")]),),
            (FilterGroup([Filter("bad path!", "HAS_PROPERTY")]),),
        )
    assert [p.path for p in info.value.problems] == [
        "filters_to_qbo[0].filters[0].property",
        "filters_to_hubspot[0].filters[0].property",
    ]


def test_empty_filter_group_is_refused():
    """A group without filters would pass everything: a problem."""
    with pytest.raises(ConfigError, match="empty filter group"):
        ObjectSync(
            "c",
            "contacts",
            "Customer",
            Direction.TWO_WAY,
            (),
            (FilterGroup([]),),
        )


def test_display_name_strategy_is_checked():
    """on_duplicate must be error, suffix or link."""
    with pytest.raises(ConfigError, match="'merge'"):
        DisplayNameRule(on_duplicate="merge")  # type: ignore[arg-type]


def test_custom_field_paths_and_qbo_defaults_are_accepted():
    """CustomField[<Name>] paths and dotted defaults are valid."""
    obj = ObjectSync(
        "items",
        "products",
        "Item",
        Direction.TWO_WAY,
        (),
        qbo_defaults={"Type": "Service", "IncomeAccountRef.value": "79"},
    )
    assert obj.qbo_defaults["Type"] == "Service"
    ObjectSync(
        "i",
        "invoices",
        "Invoice",
        Direction.QBO_TO_HUBSPOT,
        (FieldMap("deal_id", "CustomField[HubSpot Deal]"),),
    )


# --- validation: plain data ------------------------------------------------


def test_every_problem_is_listed_once_with_its_path():
    """A config with many mistakes fails once, listing each with its path."""
    data = {
        "setup_at": "2026-11-27T09:30:00",
        "extra": 1,
        "objects": [
            _object(
                direction="two_wya",
                feilds=[],
                fields=[
                    {"hubspot": "firstname", "qbo": "GivenName"},
                    {"hubspot": "lastname", "qbo": "FamilyName"},
                    {"hubspot": "email", "qbo": "Email"},
                    {"hubspot": "x", "qbo": "X", "transform": "lowr"},
                ],
                enabled="yes",
            ),
            _object(name="contacts", hubspot="products", qbo="Item"),
        ],
    }
    problems = dict(_problems(data))
    assert set(problems) == {
        "extra",
        "setup_at",
        "objects[0].feilds",
        "objects[0].direction",
        "objects[0].fields[3].transform",
        "objects[0].enabled",
        "objects[1].name",
    }
    assert problems["objects[0].fields[3].transform"].startswith(
        "unknown transform 'lowr' (did you mean 'lower'?)"
    )
    assert "did you mean 'fields'" in problems["objects[0].feilds"]
    assert "did you mean 'two_way'" in problems["objects[0].direction"]


def test_config_error_message_lists_all_problems():
    """str(ConfigError) has one line per problem."""
    with pytest.raises(ConfigError) as info:
        SyncConfig.from_dict({"objects": 3, "x": 1})
    text = str(info.value)
    assert "3 problems" in text
    assert "  - setup_at: missing required key" in text
    assert "  - objects: expected a list, got a number (3)" in text


@pytest.mark.parametrize(
    ("flt", "path"),
    [
        ({"property": "", "operator": "HAS_PROPERTY"}, "property"),
        ({"property": "a", "operator": "BETWEEN", "value": 1}, "high_value"),
        ({"property": "a", "operator": "IN"}, "values"),
        ({"property": "a", "operator": "IN", "values": "x"}, "values"),
        ({"property": "a", "operator": "LIKE", "value": 1}, "operator"),
        ({"property": "a", "operator": "EQ", "value": [1]}, "value"),
        ({"property": "a", "operator": "EQ", "valu": 1}, "valu"),
        ({"operator": "EQ", "value": 1}, "property"),
    ],
)
def test_filter_problems_in_plain_data(flt, path):
    """Filter shapes, operators and keys are checked with full paths."""
    data = _config(_object(filters_to_qbo=[{"filters": [flt]}]))
    assert f"objects[0].filters_to_qbo[0].filters[0].{path}" in _paths(data)


def test_direction_of_a_field_is_checked():
    """An unknown field direction is named with its path."""
    fields = [{"hubspot": "a", "qbo": "A", "direction": "sideways"}]
    assert _paths(_config(_object(fields=fields))) == [
        "objects[0].fields[0].direction"
    ]


def test_invalid_property_paths_are_listed_with_other_problems():
    """Bad paths are reported even when the object has other problems."""
    fields = [
        {"hubspot": "first name", "qbo": "GivenName"},
        {"hubspot": "email", "qbo": "Primary Email"},
    ]
    data = _config(_object(fields=fields, conflicts="loudest"))
    assert _paths(data) == [
        "objects[0].conflicts",
        "objects[0].fields[0].hubspot",
        "objects[0].fields[1].qbo",
    ]


def test_a_field_with_a_bad_part_still_has_its_other_parts_checked():
    """A bad transform or direction hides no path or accounting problem."""
    deals = _object(
        name="deals",
        hubspot="deals",
        qbo="Invoice",
        direction="qbo_to_hubspot",
        fields=[
            {
                "hubspot": "accounting_invoice_number",
                "qbo": "Doc Number",
                "transform": "lowr",
            },
            {"hubspot": "first name", "qbo": "A b", "direction": "sideways"},
        ],
    )
    assert sorted(_paths(_config(deals))) == [
        "objects[0].fields[0].hubspot",
        "objects[0].fields[0].qbo",
        "objects[0].fields[0].transform",
        "objects[0].fields[1].direction",
        "objects[0].fields[1].hubspot",
        "objects[0].fields[1].qbo",
    ]


def test_callable_transforms_cannot_be_dumped():
    """to_dict refuses callables, naming each field that has one."""
    obj = ObjectSync(
        "c",
        "contacts",
        "Customer",
        Direction.TWO_WAY,
        (FieldMap("a", "A"), FieldMap("email", "Email", transform=str.strip)),
    )
    config = SyncConfig((obj,), SETUP)
    with pytest.raises(ConfigError) as info:
        config.to_toml()
    (problem,) = info.value.problems
    assert problem.path == "objects[0].fields[1].transform"
    assert "str.strip" in problem.message
    assert "'email=Email'" in problem.message


def test_invalid_toml_is_a_config_error():
    """TOML that does not parse is one ConfigError."""
    with pytest.raises(ConfigError, match="invalid TOML"):
        SyncConfig.from_toml("objects = [")


def test_from_toml_reads_a_file(tmp_path: pathlib.Path):
    """A pathlib.Path is read as a TOML file."""
    config = SyncConfig.recommended(SETUP)
    path = tmp_path / "hsqbo.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    assert SyncConfig.from_toml(path) == config


def test_hand_written_toml_loads():
    """A config written by hand in TOML loads with native TOML datetimes."""
    text = """
        setup_at = 2026-11-27T09:30:00+01:00

        [[objects]]
        name = "items"
        hubspot = "products"
        qbo = "Item"
        direction = "two_way"
        conflicts = "qbo_wins"
        fields = [
          {hubspot = "name", qbo = "Name", transform = "strip"},
          {hubspot = "price", qbo = "UnitPrice", transform = "decimal:2"},
        ]
        qbo_defaults = {Type = "Service", "IncomeAccountRef.value" = "79"}

        [[objects.filters_to_qbo]]
        filters = [{property = "price", operator = "GT", value = 0}]
    """
    config = SyncConfig.from_toml(text)
    items = config.object("items")
    assert config.setup_at == dt.datetime(2026, 11, 27, 8, 30, tzinfo=dt.UTC)
    assert items.conflicts is ConflictPolicy.QBO_WINS
    assert items.fields[1] == FieldMap(
        "price", "UnitPrice", transform="decimal:2"
    )
    assert items.qbo_defaults == {
        "Type": "Service",
        "IncomeAccountRef.value": "79",
    }
    assert items.filters_to_qbo == (
        FilterGroup([Filter("price", "GT", value=0)]),
    )


def test_dump_leaves_out_defaults():
    """to_dict writes only what differs from the defaults."""
    obj = ObjectSync(
        "c",
        "contacts",
        "Customer",
        Direction.TWO_WAY,
        (FieldMap("email", "PrimaryEmailAddr.Address"),),
    )
    assert SyncConfig((obj,), SETUP).to_dict() == {
        "setup_at": "2026-11-27T09:30:00+00:00",
        "objects": [
            {
                "name": "c",
                "hubspot": "contacts",
                "qbo": "Customer",
                "direction": "two_way",
                "fields": [
                    {"hubspot": "email", "qbo": "PrimaryEmailAddr.Address"}
                ],
            }
        ],
    }


# --- round trips -------------------------------------------------------------

_hs_names = st.sampled_from(
    ["email", "firstname", "hs_sku", "price", "createdate", "zip"]
)
_qbo_paths = st.sampled_from(
    [
        "GivenName",
        "PrimaryEmailAddr.Address",
        "BillAddr.City",
        "UnitPrice",
        "CustomField[Crew #]",
        "MetaData.CreateTime",
    ]
)
_transforms = st.one_of(
    st.none(),
    st.sampled_from(["strip", "strip|lower", "phone", "decimal:2", "date"]),
)
_values = st.one_of(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        min_size=1,
        max_size=8,
    ).filter(str.strip),
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.dates(),
)


@st.composite
def _field_maps(draw: st.DrawFn) -> FieldMap:
    return FieldMap(
        draw(_hs_names),
        draw(_qbo_paths),
        direction=draw(st.sampled_from(list(Direction))),
        transform=draw(_transforms),
        empty_overwrites=draw(st.booleans()),
    )


@st.composite
def _filter(draw: st.DrawFn, names: st.SearchStrategy[str]) -> Filter:
    prop = draw(names)
    op = draw(st.sampled_from(list(Operator)))
    if op in {Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY}:
        return Filter(prop, op)
    if op in {Operator.IN, Operator.NOT_IN}:
        return Filter(prop, op, values=draw(st.lists(_values, min_size=1)))
    if op in {Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN}:
        return Filter(prop, op, value=draw(st.sampled_from(["a", "*@x.co"])))
    high = draw(_values) if op is Operator.BETWEEN else None
    return Filter(prop, op, value=draw(_values), high_value=high)


def _groups(
    names: st.SearchStrategy[str],
) -> st.SearchStrategy[list[FilterGroup]]:
    return st.lists(
        st.builds(
            FilterGroup, st.lists(_filter(names), min_size=1, max_size=3)
        ),
        max_size=2,
    )


def _unique_targets(fields: list[FieldMap]) -> list[FieldMap]:
    # Keep the first map of each written target, as validation requires.
    kept: list[FieldMap] = []
    for field in fields:
        clash = any(
            (field.hubspot == k.hubspot or field.qbo == k.qbo) for k in kept
        )
        if not clash:
            kept.append(field)
    return kept


@st.composite
def _objects(draw: st.DrawFn, index: int) -> ObjectSync:
    pairs = [
        ("contacts", "Customer"),
        ("products", "Item"),
        ("invoices", "Invoice"),
    ]
    hubspot, qbo = pairs[index]
    return ObjectSync(
        f"sync-{index}",
        hubspot,
        qbo,
        draw(st.sampled_from(list(Direction))),
        _unique_targets(draw(st.lists(_field_maps(), max_size=5))),
        draw(_groups(_hs_names)),
        draw(_groups(_qbo_paths)),
        match=draw(st.lists(_field_maps(), max_size=2)),
        conflicts=draw(st.sampled_from(list(ConflictPolicy))),
        display_name=DisplayNameRule(
            from_company=draw(st.booleans()),
            on_duplicate=draw(st.sampled_from(["error", "suffix", "link"])),
        ),
        enabled=draw(st.booleans()),
        qbo_defaults=draw(
            st.dictionaries(
                st.sampled_from(["Type", "IncomeAccountRef.value"]), _values
            )
        ),
        hubspot_defaults=draw(st.dictionaries(_hs_names, _values, max_size=2)),
    )


@st.composite
def _configs(draw: st.DrawFn) -> SyncConfig:
    count = draw(st.integers(0, 3))
    return SyncConfig(
        [draw(_objects(i)) for i in range(count)],
        draw(
            st.datetimes(
                timezones=st.sampled_from(
                    [dt.UTC, dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
                )
            )
        ),
    )


@settings(deadline=None, max_examples=60)
@given(_configs())
def test_dict_round_trip_is_exact(config):
    """from_dict(to_dict(c)) == c, and to_dict is JSON-compatible."""
    data = config.to_dict()
    assert SyncConfig.from_dict(json.loads(json.dumps(data))) == config


@settings(deadline=None, max_examples=60)
@given(_configs())
def test_toml_round_trip_is_exact(config):
    """from_toml(to_toml(c)) == c, and the TOML parses with tomllib."""
    text = config.to_toml()
    tomllib.loads(text)
    assert SyncConfig.from_toml(text) == config


@settings(deadline=None, max_examples=40)
@given(_configs())
def test_converter_structure_inverts_unstructure(config):
    """The shared converter round-trips configs and their parts."""
    assert (
        converter.structure(converter.unstructure(config), SyncConfig)
        == config
    )
    for obj in config.objects:
        assert (
            converter.structure(converter.unstructure(obj), ObjectSync) == obj
        )
        for field in obj.fields:
            assert (
                converter.structure(converter.unstructure(field), FieldMap)
                == field
            )
        for group in obj.filters_to_qbo:
            assert (
                converter.structure(converter.unstructure(group), FilterGroup)
                == group
            )


def test_converter_structure_reports_problems_as_config_error():
    """Structuring bad data through the converter raises ConfigError."""
    with pytest.raises(ConfigError) as info:
        converter.structure(
            {"hubspot": "a", "qbo": "A", "transform": "x"}, FieldMap
        )
    assert [p.path for p in info.value.problems] == ["transform"]


def test_recommended_config_round_trips_through_toml():
    """The recommended config survives TOML exactly, time zone and all."""
    setup = dt.datetime(
        2026, 11, 27, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")
    )
    config = SyncConfig.recommended(setup)
    assert SyncConfig.from_toml(config.to_toml()) == config
    assert SyncConfig.from_dict(config.to_dict()) == config


def test_evaluate_filters_uses_the_records_direction():
    """HubSpot records meet filters_to_qbo, QBO records filters_to_hubspot."""
    obj = ObjectSync(
        "c",
        "contacts",
        "Customer",
        Direction.TWO_WAY,
        (),
        (FilterGroup([Filter("email", "HAS_PROPERTY")]),),
        (FilterGroup([Filter("Active", "EQ", value=True)]),),
    )
    hubspot = Record(Side.HUBSPOT, "contacts", "1", {"Active": True}, SETUP)
    qbo = Record(Side.QBO, "Customer", "1", {"Active": True}, SETUP)
    assert not obj.evaluate_filters(hubspot).passed
    assert obj.evaluate_filters(qbo).passed
    failure = obj.evaluate_filters(hubspot).failures[0]
    assert failure.filter.property == "email"
