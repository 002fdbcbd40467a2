"""Side, Direction and Record: the planner's view of one object."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from hsqbo import Direction, Record, Side


_OSLO = dt.timezone(dt.timedelta(hours=1))


def _record(updated_at: object, **fields: object) -> Record:
    return Record(Side.QBO, "Customer", "7", fields, updated_at)  # type: ignore[arg-type]


def test_other_side_is_the_opposite() -> None:
    """Side.other swaps HubSpot and QBO."""
    assert Side.HUBSPOT.other is Side.QBO
    assert Side.QBO.other is Side.HUBSPOT


@pytest.mark.parametrize(
    ("direction", "to_hubspot", "to_qbo"),
    [
        (Direction.TWO_WAY, True, True),
        (Direction.HUBSPOT_TO_QBO, False, True),
        (Direction.QBO_TO_HUBSPOT, True, False),
    ],
)
def test_direction_writes_to_its_target_and_reads_its_source(
    direction: Direction, to_hubspot: bool, to_qbo: bool
) -> None:
    """A one-way direction writes only its target and reads its source."""
    assert direction.writes_to(Side.HUBSPOT) is to_hubspot
    assert direction.writes_to(Side.QBO) is to_qbo
    assert direction.reads_from(Side.QBO) is to_hubspot
    assert direction.reads_from(Side.HUBSPOT) is to_qbo


def test_updated_at_is_converted_to_utc_keeping_the_instant() -> None:
    """An aware time in any zone becomes the same instant in UTC."""
    record = _record(dt.datetime(2026, 11, 27, 10, 30, tzinfo=_OSLO))
    assert record.updated_at == dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
    assert record.updated_at.tzinfo is dt.UTC


def test_naive_or_non_datetime_updated_at_is_refused() -> None:
    """A naive datetime is ambiguous, a date or text is not a time: refused."""
    with pytest.raises(ValueError, match="timezone-aware"):
        _record(dt.datetime(2026, 11, 27, 10, 30))  # noqa: DTZ001 - the point
    with pytest.raises(TypeError, match="must be a datetime"):
        _record(dt.date(2026, 11, 27))
    with pytest.raises(TypeError, match="must be a datetime"):
        _record("2026-11-27T10:30:00Z")


def test_record_is_frozen_and_owns_its_fields() -> None:
    """Attributes cannot be set; later edits of the inputs do not leak in."""
    fields: dict[str, object] = {"DisplayName": "Acme"}
    companies = ["12", "7"]
    record = Record(
        Side.HUBSPOT,
        "contacts",
        "1",
        fields,  # type: ignore[arg-type]
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        associations={"companies": companies},
    )
    fields["DisplayName"] = "Other"
    companies.append("3")
    assert record.fields == {"DisplayName": "Acme"}
    assert record.associations == {"companies": ("12", "7")}
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.id = "2"  # type: ignore[misc]


def test_key_names_side_type_and_id() -> None:
    """Record.key is unique across both systems."""
    record = _record(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert record.key == (Side.QBO, "Customer", "7")
    assert record.version is None
    assert record.archived is False
    assert record.associations == {}
