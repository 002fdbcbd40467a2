"""The small TOML writer: what it writes, tomllib reads back unchanged."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo._toml import dumps


def test_tables_and_arrays_of_tables():
    """Nested tables and arrays of tables come back as written."""
    data = {
        "top": "x",
        "objects": [
            {
                "name": "a",
                "fields": [{"k": 1}, {"k": 2}],
                "opts": {"on": True},
            },
            {"name": "b", "groups": [{"filters": [{"p": "q"}]}]},
        ],
        "empty": [],
    }
    assert tomllib.loads(dumps(data)) == data


def test_keys_and_strings_are_quoted_and_escaped():
    """Keys with dots or spaces are quoted; control characters escaped."""
    data = {
        "defaults": {"IncomeAccountRef.value": "79", "a b": 'say "hi"\n\t\\'},
        "weird": "\x00\x1f\x7f é ✓",
    }
    assert tomllib.loads(dumps(data)) == data


def test_native_scalars():
    """Booleans, integers, floats, dates and datetimes keep their type."""
    data = {
        "b": False,
        "i": -(2**40),
        "f": 0.1,
        "inf": float("inf"),
        "d": dt.date(2026, 1, 2),
        "t": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "mixed": [1, "a", True],
    }
    assert tomllib.loads(dumps(data)) == data


def test_none_is_refused_with_its_path():
    """TOML has no null: a None value is a TypeError naming the key."""
    with pytest.raises(TypeError, match=r"t\.x: TOML has no null"):
        dumps({"t": {"x": None}})


_leaf = st.one_of(
    st.text(max_size=10),
    st.integers(-(2**63), 2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False),
)
_keys = st.text(min_size=1, max_size=6)
_tree = st.recursive(
    st.dictionaries(_keys, _leaf, max_size=4),
    lambda inner: st.dictionaries(
        _keys,
        st.one_of(_leaf, inner, st.lists(inner, min_size=1, max_size=3)),
        max_size=4,
    ),
    max_leaves=15,
)


@settings(deadline=None, max_examples=150)
@given(_tree)
def test_generated_documents_round_trip(data):
    """tomllib.loads(dumps(d)) == d for generated nested documents."""
    assert tomllib.loads(dumps(data)) == data


def test_key_with_trailing_newline_is_quoted() -> None:
    """A key ending in a newline is written quoted and read back as is."""
    assert tomllib.loads(dumps({"0\n": ""})) == {"0\n": ""}
