import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo.hubspot import (
    PropertyType,
    decode_datetime,
    decode_value,
    encode_value,
)


aware_datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001 - bounds of a strategy
    max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.timezones(),
    # Times skipped by a DST change have no single instant to round-trip.
    allow_imaginary=False,
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
decimals = st.decimals(allow_nan=False, allow_infinity=False, places=6)


@settings(deadline=None, max_examples=150)
@given(decimals)
def test_numbers_round_trip_as_decimals(number):
    """Any finite decimal survives encode → decode (value, not exponent)."""
    text = encode_value(number)
    assert "E" not in text.upper()
    assert decode_value(text, PropertyType.NUMBER) == number


@settings(deadline=None, max_examples=150)
@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_dates_round_trip_as_iso_dates(day):
    """A date encodes to YYYY-MM-DD and decodes back to the same date."""
    text = encode_value(day)
    assert text == day.isoformat()
    assert decode_value(text, PropertyType.DATE) == day


@settings(deadline=None, max_examples=150)
@given(st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2200, 1, 1)))
def test_dates_decode_from_midnight_epoch_ms(day):
    """Epoch milliseconds at midnight UTC decode to that date."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    millis = int(midnight.timestamp()) * 1000
    assert decode_value(str(millis), PropertyType.DATE) == day


def test_non_midnight_date_is_refused():
    """A date property holding a time of day is an error, as on HubSpot."""
    with pytest.raises(ValueError, match="midnight"):
        decode_value("1430438400001", PropertyType.DATE)
    with pytest.raises(ValueError, match="midnight"):
        decode_value("2015-05-01T10:00:00Z", PropertyType.DATE)


@settings(deadline=None, max_examples=150)
@given(aware_datetimes)
def test_datetimes_round_trip_to_aware_utc(moment):
    """Any aware datetime (ms precision) round-trips to the same instant."""
    decoded = decode_value(encode_value(moment), PropertyType.DATETIME)
    # Compare as UTC: PEP 495 makes ambiguous local times unequal across
    # zones even when they are the same instant.
    assert decoded == moment.astimezone(dt.UTC)
    assert decoded.tzinfo is dt.UTC


@settings(deadline=None, max_examples=150)
@given(aware_datetimes)
def test_datetimes_decode_from_epoch_ms(moment):
    """Epoch milliseconds decode to the same instant, aware UTC."""
    millis = round(moment.timestamp() * 1000)
    assert decode_datetime(str(millis)) == moment.astimezone(dt.UTC)


def test_naive_iso_datetime_is_read_as_utc():
    """A datetime string without offset means UTC on HubSpot."""
    assert decode_datetime("2026-03-01T09:30:00") == dt.datetime(
        2026, 3, 1, 9, 30, tzinfo=dt.UTC
    )


@settings(deadline=None, max_examples=100)
@given(st.booleans())
def test_booleans_round_trip(flag):
    """Booleans travel as 'true'/'false'."""
    assert decode_value(encode_value(flag), PropertyType.BOOL) is flag


@settings(deadline=None, max_examples=100)
@given(st.text(min_size=1))
def test_strings_are_sent_unchanged(text):
    """Strings and enumeration values are not altered."""
    assert encode_value(text) == text
    assert decode_value(text, PropertyType.ENUMERATION) == text


def test_empty_values_decode_to_none_and_none_clears():
    """'' and None are HubSpot's 'no value'; None encodes to ''."""
    assert decode_value("", PropertyType.NUMBER) is None
    assert decode_value(None, PropertyType.STRING) is None
    assert encode_value(None) == ""


def test_multi_select_joins_with_semicolons():
    """A tuple of options becomes HubSpot's ;-separated value."""
    assert encode_value(("a", "b")) == "a;b"


def test_unknown_property_type_reads_as_string():
    """A type HubSpot adds later is decoded as a string, not an error."""
    assert PropertyType.parse("currency_number") is PropertyType.STRING


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("1,000", PropertyType.NUMBER),
        ("NaN", PropertyType.NUMBER),
        ("yes", PropertyType.BOOL),
        ("tomorrow", PropertyType.DATETIME),
        ("2026-13-01", PropertyType.DATE),
    ],
)
def test_malformed_values_are_refused(text, type_):
    """Values that do not fit their type raise ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 - message varies by type
        decode_value(text, type_)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 1, 1),  # noqa: DTZ001 - the point
        Decimal("Infinity"),
        object(),
    ],
)
def test_unencodable_values_are_refused(value):
    """Naive datetimes, infinities and foreign objects cannot be sent."""
    with pytest.raises(ValueError):  # noqa: PT011 - message varies
        encode_value(value)


def test_floats_encode_without_binary_noise():
    """A float encodes by its shortest repr, not its binary expansion."""
    assert encode_value(0.1) == "0.1"
    assert encode_value(Decimal("-0.000")) == "0"


def test_date_reads_from_an_iso_datetime_at_midnight():
    """A date property sent as an ISO datetime at midnight UTC is a date."""
    assert decode_value(
        "2026-03-01T00:00:00.000Z", PropertyType.DATE
    ) == dt.date(2026, 3, 1)
