"""Field maps: named transforms, normalize, keys, fingerprints, directions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import ConfigError, Direction, FieldMap, Side, TransformError
from hsqbo._mapping import is_empty
from hsqbo._transforms import TRANSFORM_NAMES, transform_problems


def _norm(transform: str, value: object) -> object:
    return FieldMap("p", "P", transform=transform).normalize(value)


# --- is_empty / normalize of empties ----------------------------------------


@pytest.mark.parametrize("value", [None, "", " \t\n", (), {}])
def test_empty_values_are_empty(value):
    """None, blank text, empty tuples and mappings count as empty."""
    assert is_empty(value)


@pytest.mark.parametrize(
    "value", [0, False, Decimal(0), "0", dt.date(2026, 1, 1)]
)
def test_falsy_values_are_not_empty(value):
    """0, False and "0" are values."""
    assert not is_empty(value)


@pytest.mark.parametrize("transform", [None, "strip", "phone", "decimal:2"])
def test_normalize_maps_every_empty_value_to_none(transform):
    """Whatever the transform, an empty value normalizes to None."""
    field = FieldMap("p", "P", transform=transform)
    assert [field.normalize(v) for v in (None, "", "  ", ())] == [None] * 4


def test_a_transform_producing_empty_text_gives_none():
    """'phone' of a value without digits is empty, so None."""
    assert _norm("phone", "n/a") is None


def test_no_transform_keeps_the_value():
    """Without a transform, a value is compared and written as it is."""
    assert FieldMap("p", "P").normalize(" Ann ") == " Ann "


# --- named transforms --------------------------------------------------------


@pytest.mark.parametrize(
    ("transform", "value", "expected"),
    [
        ("strip", "  Ann  ", "Ann"),
        ("lower", "ANN@Example.COM", "ann@example.com"),
        ("upper", "eur", "EUR"),
        ("strip|lower", "  ANN@x.co ", "ann@x.co"),
        ("strip|upper", " usd ", "USD"),
        ("digits", "DE-12 345", "12345"),
        ("digits", 12345, "12345"),
        ("phone", "+1 (555) 010-0000", "+15550100000"),
        ("phone", "(555) 010-0000", "5550100000"),
        ("phone", "0049 30 1234", "0049301234"),
        ("decimal", "10.50", Decimal("10.50")),
        ("decimal", 3, Decimal(3)),
        ("decimal:2", "10.005", Decimal("10.01")),
        ("decimal:2", Decimal("2.5"), Decimal("2.50")),
        ("decimal:0", 2.5, Decimal(3)),
        ("date", "2026-11-27", dt.date(2026, 11, 27)),
        ("date", "1430438400000", dt.date(2015, 5, 1)),
        (
            "date",
            dt.datetime(
                2026, 11, 27, 23, 0, tzinfo=dt.timezone(-dt.timedelta(hours=5))
            ),
            dt.date(2026, 11, 28),
        ),
        (
            "datetime",
            "2026-11-27T09:30:00-05:00",
            dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC),
        ),
        ("datetime", "2026-11-27", dt.datetime(2026, 11, 27, tzinfo=dt.UTC)),
        ("bool", "Yes", True),
        ("bool", "false", False),
        ("bool", 1, True),
        ("text", Decimal("1.50"), "1.50"),
        ("text", dt.date(2026, 1, 2), "2026-01-02"),
        ("text", True, "true"),
    ],
)
def test_named_transforms(transform, value, expected):
    """Each named transform converts as documented."""
    assert _norm(transform, value) == expected


@pytest.mark.parametrize(
    ("transform", "value"),
    [
        ("decimal", "ten"),
        ("decimal", "1,234.50"),
        ("decimal", True),
        ("decimal", "NaN"),
        ("decimal:2", "1e30"),
        ("date", "not a date"),
        ("datetime", "2026-11-27T09:30:00"),
        ("bool", "maybe"),
        ("bool", 2),
        ("phone", 1.5),
    ],
)
def test_unconvertible_values_raise_transform_error(transform, value):
    """A value a transform cannot convert raises TransformError naming both."""
    with pytest.raises(TransformError) as info:
        _norm(transform, value)
    assert info.value.value == value
    assert info.value.transform.split(":")[0] in transform
    assert isinstance(info.value, ValueError)


def test_callable_transforms_are_applied_and_errors_wrapped():
    """A callable is used as is; its ValueError becomes a TransformError."""

    def initials(value: object) -> object:
        if not isinstance(value, str):
            msg = "not text"
            raise TypeError(msg)
        return "".join(w[0] for w in value.split())

    field = FieldMap("p", "P", transform=initials)
    assert field.normalize("Ada Lovelace") == "AL"
    with pytest.raises(TransformError, match="initials"):
        field.normalize(Decimal(1))


def test_unknown_transform_name_suggests_the_closest():
    """'lowr' is refused with a hint at 'lower'."""
    with pytest.raises(ConfigError) as info:
        FieldMap("p", "P", transform="lowr")
    (problem,) = info.value.problems
    assert problem.path == "transform"
    assert "unknown transform 'lowr'" in problem.message
    assert "did you mean 'lower'" in problem.message


@pytest.mark.parametrize("spec", ["decimal:x", "decimal:11", "decimal:-1", ""])
def test_invalid_decimal_places_and_empty_names_are_refused(spec):
    """decimal:N needs N from 0 to 10; an empty name is invalid."""
    assert transform_problems(spec)
    with pytest.raises(ConfigError):
        FieldMap("p", "P", transform=spec)


def test_every_listed_transform_name_is_valid():
    """TRANSFORM_NAMES lists only names FieldMap accepts."""
    for name in TRANSFORM_NAMES:
        spec = name.replace(":N", ":2")
        assert transform_problems(spec) == []


def test_non_text_non_callable_transform_is_refused():
    """A transform of another type (e.g. 3) is a ConfigError."""
    with pytest.raises(ConfigError):
        FieldMap("p", "P", transform=3)  # type: ignore[arg-type]


# --- key, fingerprint, directions ------------------------------------------


def test_key_names_the_pair():
    """The key of a map is "<hubspot>=<qbo>"."""
    assert FieldMap("email", "PrimaryEmailAddr.Address").key == (
        "email=PrimaryEmailAddr.Address"
    )


def test_fingerprint_is_stable_and_changes_with_the_mapping():
    """Equal maps share a fingerprint; any changed setting changes it."""
    base = FieldMap("a", "A", transform="strip")
    assert (
        base.fingerprint == FieldMap("a", "A", transform="strip").fingerprint
    )
    variants = [
        FieldMap("b", "A", transform="strip"),
        FieldMap("a", "B", transform="strip"),
        FieldMap("a", "A", transform="lower"),
        FieldMap("a", "A"),
        FieldMap(
            "a", "A", transform="strip", direction=Direction.QBO_TO_HUBSPOT
        ),
        FieldMap("a", "A", transform="strip", empty_overwrites=True),
    ]
    prints = {v.fingerprint for v in variants}
    assert len(prints) == len(variants)
    assert base.fingerprint not in prints


def test_fingerprint_names_callables_by_module_and_qualname():
    """A callable's fingerprint uses module.qualname, so it is stable."""
    field = FieldMap("a", "A", transform=str.strip)
    assert field.transform_name == "builtins.str.strip"
    assert (
        field.fingerprint
        == FieldMap("a", "A", transform=str.strip).fingerprint
    )


@pytest.mark.parametrize(
    ("field_dir", "object_dir", "to_qbo", "to_hubspot"),
    [
        (Direction.TWO_WAY, Direction.TWO_WAY, True, True),
        (Direction.TWO_WAY, Direction.QBO_TO_HUBSPOT, False, True),
        (Direction.HUBSPOT_TO_QBO, Direction.TWO_WAY, True, False),
        (Direction.HUBSPOT_TO_QBO, Direction.QBO_TO_HUBSPOT, False, False),
        (Direction.QBO_TO_HUBSPOT, Direction.TWO_WAY, False, True),
    ],
)
def test_writes_to_combines_field_and_object_direction(
    field_dir, object_dir, to_qbo, to_hubspot
):
    """A field is written only where both its and its object's direction go."""
    field = FieldMap("a", "A", direction=field_dir)
    assert field.writes_to(Side.QBO, object_dir) is to_qbo
    assert field.writes_to(Side.HUBSPOT, object_dir) is to_hubspot
    assert field.reads_from(Side.HUBSPOT, object_dir) is to_qbo


# --- properties --------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["  ", "+1 (555) 010", "2026-11-27", "Yes", "1.005", "ß"]),
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
_names = st.sampled_from(
    [
        "strip",
        "lower",
        "upper",
        "digits",
        "phone",
        "decimal",
        "decimal:0",
        "decimal:2",
        "date",
        "datetime",
        "bool",
        "text",
        "strip|lower",
        "strip|upper",
    ]
)


@settings(deadline=None, max_examples=400)
@given(_names, _scalars)
def test_normalize_is_idempotent(name, value):
    """normalize(normalize(v)) == normalize(v) for every named transform."""
    field = FieldMap("p", "P", transform=name)
    try:
        once = field.normalize(value)
    except TransformError:
        return
    assert field.normalize(once) == once
    assert not is_empty(once) or once is None


@settings(deadline=None, max_examples=200)
@given(st.text(alphabet=" \t\n", max_size=5), _names)
def test_normalize_of_blank_text_is_none(blank, name):
    """Blank text normalizes to None under every transform."""
    assert FieldMap("p", "P", transform=name).normalize(blank) is None


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=20))
def test_lower_equates_case_variants(text):
    """The lower transform makes case variants compare equal."""
    field = FieldMap("p", "P", transform="lower")
    assert field.normalize(text.upper()) == field.normalize(
        text.upper().lower()
    )
