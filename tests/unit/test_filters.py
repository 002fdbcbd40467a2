"""Filters: HubSpot's 13 operators evaluated locally, and filter shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import ConfigError, Filter, FilterGroup, Operator, Record, Side
from hsqbo._filters import evaluate


NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def _record(**fields: object) -> Record:
    return Record(Side.HUBSPOT, "contacts", "1", fields, NOW)


def _passes(flt: Filter, **fields: object) -> bool:
    return flt.matches(_record(**fields))


# --- comparisons -----------------------------------------------------------


def test_eq_compares_text_case_insensitively():
    """EQ ignores case and surrounding blanks of text values."""
    flt = Filter("email", "EQ", value="Ann@Example.COM")
    assert _passes(flt, email=" ann@example.com")
    assert not _passes(flt, email="bob@example.com")


def test_neq_is_true_for_different_and_missing_values():
    """NEQ passes for another value and for a missing property."""
    flt = Filter("lifecyclestage", "NEQ", value="customer")
    assert _passes(flt, lifecyclestage="lead")
    assert _passes(flt)
    assert not _passes(flt, lifecyclestage="CUSTOMER")


def test_numbers_compare_as_numbers_not_text():
    """A Decimal 10 is greater than the filter value '9' (text says less)."""
    assert _passes(Filter("amount", "GT", value="9"), amount=Decimal(10))
    assert not _passes(Filter("amount", "LT", value=9), amount=Decimal(10))
    assert _passes(Filter("amount", "EQ", value="10.00"), amount=Decimal(10))


@pytest.mark.parametrize(
    ("op", "expected"),
    [("LT", False), ("LTE", True), ("GT", False), ("GTE", True)],
)
def test_order_operators_at_the_boundary(op, expected):
    """LTE and GTE include the boundary, LT and GT exclude it."""
    assert _passes(Filter("n", op, value=5), n=Decimal(5)) is expected


def test_datetimes_compare_as_instants_across_offsets():
    """Aware datetimes compare by instant with ISO text in another zone."""
    created = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    flt = Filter("createdate", "GT", value="2026-11-27T06:59:00-05:00")
    assert _passes(flt, createdate=created)
    flt_later = Filter("createdate", "GT", value="2026-11-27T07:01:00-05:00")
    assert not _passes(flt_later, createdate=created)


def test_date_only_value_is_midnight_utc():
    """A date-only filter value means midnight UTC of that day."""
    flt = Filter("createdate", "GTE", value="2026-11-27")
    midnight = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    assert _passes(flt, createdate=midnight)
    assert not _passes(flt, createdate=midnight - dt.timedelta(seconds=1))


def test_epoch_millisecond_strings_are_accepted():
    """HubSpot's epoch-millisecond strings compare with datetimes."""
    millis = str(int(NOW.timestamp() * 1000))
    assert _passes(Filter("createdate", "EQ", value=millis), createdate=NOW)
    assert _passes(
        Filter("createdate", "LT", value=millis),
        createdate=NOW - dt.timedelta(milliseconds=1),
    )


def test_date_record_values_compare_with_datetime_filters():
    """A record's date is midnight UTC when compared with a datetime."""
    flt = Filter("hs_due_date", "LT", value="2026-11-27T00:00:01+00:00")
    assert _passes(flt, hs_due_date=dt.date(2026, 11, 27))


def test_filter_datetime_values_are_kept_as_iso_text():
    """Aware datetimes, dates and decimals given to a filter become text."""
    flt = Filter("d", "BETWEEN", value=NOW, high_value=Decimal("1.50"))
    assert flt.value == "2026-11-27T09:30:00+00:00"
    assert flt.high_value == "1.50"
    assert Filter("d", "EQ", value=dt.date(2026, 1, 2)).value == "2026-01-02"


def test_naive_datetime_in_a_filter_is_refused():
    """A naive datetime cannot be placed in time: ConfigError on value."""
    with pytest.raises(ConfigError) as info:
        Filter("createdate", "GT", value=dt.datetime(2026, 1, 1))  # noqa: DTZ001
    assert info.value.problems[0].path == "value"


def test_between_is_inclusive_on_both_ends():
    """BETWEEN passes at both bounds and fails outside."""
    flt = Filter("n", "BETWEEN", value=1, high_value=3)
    assert [_passes(flt, n=Decimal(v)) for v in (0, 1, 2, 3, 4)] == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_in_and_not_in_are_case_insensitive():
    """IN matches any listed value ignoring case; NOT_IN is its complement."""
    flt = Filter("hs_invoice_status", "IN", values=["open", "PAID"])
    assert _passes(flt, hs_invoice_status="paid")
    assert not _passes(flt, hs_invoice_status="draft")
    negated = Filter("hs_invoice_status", "NOT_IN", values=["draft"])
    assert _passes(negated, hs_invoice_status="open")
    assert not _passes(negated, hs_invoice_status="Draft")
    assert _passes(negated)


@pytest.mark.parametrize("value", [None, "", "   ", ()])
def test_has_property_is_false_for_missing_or_empty(value):
    """HAS_PROPERTY fails, NOT_HAS_PROPERTY passes, for empty values."""
    assert not _passes(Filter("phone", "HAS_PROPERTY"), phone=value)
    assert _passes(Filter("phone", "NOT_HAS_PROPERTY"), phone=value)
    assert not _passes(Filter("phone", "HAS_PROPERTY"))


def test_has_property_is_true_for_zero_and_false():
    """0 and False are values, not "missing"."""
    assert _passes(Filter("n", "HAS_PROPERTY"), n=Decimal(0))
    assert _passes(Filter("b", "HAS_PROPERTY"), b=False)


@pytest.mark.parametrize(
    "op", ["EQ", "LT", "LTE", "GT", "GTE", "CONTAINS_TOKEN"]
)
def test_missing_property_fails_every_positive_comparison(op):
    """A record without the property fails EQ, LT, ..., CONTAINS_TOKEN."""
    assert not _passes(Filter("x", op, value="1"))
    assert not _passes(Filter("x", "BETWEEN", value="1", high_value="2"))
    assert not _passes(Filter("x", "IN", values=["1"]))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme Widgets, Inc.", True),
        ("acme-widgets", True),
        ("widgetsacme", False),
        ("Acme Gadgets", False),
    ],
)
def test_contains_token_looks_for_whole_words(value, expected):
    """CONTAINS_TOKEN matches words split at blanks and punctuation."""
    flt = Filter("name", "CONTAINS_TOKEN", value="widgets")
    assert _passes(flt, name=value) is expected
    negated = Filter("name", "NOT_CONTAINS_TOKEN", value="widgets")
    assert _passes(negated, name=value) is not expected


def test_contains_token_wildcards():
    """A * matches within a word, or over the whole value (e-mail domains)."""
    domain = Filter("email", "CONTAINS_TOKEN", value="*@example.com")
    assert _passes(domain, email="Ann@Example.com")
    assert not _passes(domain, email="ann@example.org")
    prefix = Filter("firstname", "CONTAINS_TOKEN", value="jo*")
    assert _passes(prefix, firstname="Mary Johnson")
    assert not _passes(prefix, firstname="Mary Ajo")


def test_contains_token_with_several_words_needs_all_of_them():
    """Every word of the filter's value must be a word of the record's."""
    flt = Filter("name", "CONTAINS_TOKEN", value="acme widgets")
    assert _passes(flt, name="Widgets by ACME")
    assert not _passes(flt, name="Acme only")


def test_booleans_compare_with_true_false_text():
    """A boolean record value equals the text 'true'/'false'."""
    assert _passes(Filter("flag", "EQ", value="TRUE"), flag=True)
    assert _passes(Filter("flag", "EQ", value=False), flag=False)
    assert not _passes(Filter("flag", "EQ", value="true"), flag=False)


def test_text_that_only_looks_like_a_date_compares_as_text():
    """'2026-11-27-A' is no date: EQ compares it as text, ignoring case."""
    flt = Filter("hs_number", "EQ", value="2026-11-27-a")
    assert _passes(flt, hs_number="2026-11-27-A")
    assert not _passes(flt, hs_number="2026-11-27-B")


def test_incomparable_values_fail_ordering_but_pass_neq():
    """Text that is no date fails GT against a datetime; NEQ passes."""
    assert not _passes(Filter("d", "GT", value="soon"), d=NOW)
    assert _passes(Filter("d", "NEQ", value="soon"), d=NOW)


# --- groups and verdicts ---------------------------------------------------


def test_empty_filter_set_passes_everything():
    """No groups: every record passes, with no failures."""
    verdict = evaluate((), _record())
    assert verdict.passed
    assert verdict.failures == ()
    assert verdict.reason == ""


def test_groups_are_ored_and_filters_anded():
    """A record passes if any group passes; a group if all filters pass."""
    a = Filter("a", "EQ", value="1")
    b = Filter("b", "EQ", value="1")
    groups = (FilterGroup([a, b]), FilterGroup([Filter("c", "HAS_PROPERTY")]))
    assert evaluate(groups, _record(a="1", b="1")).passed
    assert not evaluate(groups, _record(a="1", b="2")).passed
    assert evaluate(groups, _record(a="1", b="2", c="x")).passed


def test_verdict_names_the_first_failing_filter_of_each_group():
    """Failures hold group and filter positions (from 0) and the value."""
    groups = (
        FilterGroup(
            [Filter("a", "EQ", value="1"), Filter("b", "EQ", value="1")]
        ),
        FilterGroup([Filter("c", "HAS_PROPERTY"), Filter("a", "GT", value=5)]),
    )
    verdict = evaluate(groups, _record(a="1", b="2"))
    assert not verdict.passed
    assert [(f.group, f.index, f.value) for f in verdict.failures] == [
        (0, 1, "2"),
        (1, 0, None),
    ]
    assert verdict.reason == (
        "filter group 1, filter 2: b EQ 1 (was 2); "
        "filter group 2, filter 1: c HAS_PROPERTY (was no value)"
    )


def test_reason_shows_datetimes_in_iso():
    """The reason sentence shows the filter and the record's datetime."""
    created = dt.datetime(2026, 1, 3, 8, 0, tzinfo=dt.UTC)
    groups = (FilterGroup([Filter("createdate", "GT", value=NOW)]),)
    assert evaluate(groups, _record(createdate=created)).reason == (
        "filter group 1, filter 1: createdate GT 2026-11-27T09:30:00+00:00 "
        "(was 2026-01-03T08:00:00+00:00)"
    )


def test_group_matches_and_filter_matches_agree_with_evaluate():
    """FilterGroup.matches is evaluate() on a one-group set."""
    group = FilterGroup([Filter("a", "EQ", value="x")])
    record = _record(a="X")
    assert group.matches(record) is evaluate((group,), record).passed is True


def test_operator_accepts_its_name():
    """A filter built with "GT" holds Operator.GT."""
    assert Filter("a", "GT", value=1).operator is Operator.GT


# --- shapes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "paths"),
    [
        ({"operator": "EQ"}, ["value"]),
        ({"operator": "BETWEEN", "value": 1}, ["high_value"]),
        ({"operator": "IN"}, ["values"]),
        ({"operator": "IN", "value": 1, "values": [1]}, ["value"]),
        ({"operator": "EQ", "value": 1, "values": [1]}, ["values"]),
        ({"operator": "GT", "value": 1, "high_value": 2}, ["high_value"]),
        ({"operator": "HAS_PROPERTY", "value": 1}, ["value"]),
        ({"operator": "NOT_IN", "values": ["a", " "]}, ["values[1]"]),
        ({"operator": "CONTAINS_TOKEN", "value": "--"}, ["value"]),
    ],
)
def test_filter_shape_is_checked_against_its_operator(kwargs, paths):
    """value/values/high_value must fit the operator; each misfit is named."""
    operator = kwargs.pop("operator")
    with pytest.raises(ConfigError) as info:
        Filter("p", operator, **kwargs)
    assert [p.path for p in info.value.problems] == paths


def test_empty_property_name_is_refused():
    """A filter on an empty property name is a problem."""
    with pytest.raises(ConfigError) as info:
        Filter(" ", "HAS_PROPERTY")
    assert [p.path for p in info.value.problems] == ["property"]


def test_unknown_operator_is_refused():
    """An operator name HubSpot does not know raises ValueError."""
    with pytest.raises(ValueError, match="EQQ"):
        Filter("p", "EQQ", value=1)


# --- properties ------------------------------------------------------------

_texts = st.sampled_from(["a", "B", "ab", "b c", "10", "9.5", "2026-01-02"])
_values = st.one_of(
    st.none(),
    _texts,
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.integers(-5, 5),
    st.booleans(),
    st.datetimes(
        min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001 - made aware below
        max_value=dt.datetime(2027, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 1, 1)),
)
_filter_values = st.one_of(_texts, st.integers(-5, 5), st.booleans())
_properties = st.sampled_from(["a", "b", "c"])


@st.composite
def _filters(draw: st.DrawFn) -> Filter:
    prop = draw(_properties)
    op = draw(st.sampled_from(list(Operator)))
    if op in {Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY}:
        return Filter(prop, op)
    if op in {Operator.IN, Operator.NOT_IN}:
        return Filter(
            prop, op, values=draw(st.lists(_filter_values, min_size=1))
        )
    if op in {Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN}:
        return Filter(prop, op, value=draw(st.sampled_from(["a", "b*", "c"])))
    if op is Operator.BETWEEN:
        return Filter(
            prop,
            op,
            value=draw(_filter_values),
            high_value=draw(_filter_values),
        )
    return Filter(prop, op, value=draw(_filter_values))


_records = st.builds(
    _record,
    a=_values,
    b=_values,
    c=_values,
)
_groups = st.lists(
    st.builds(FilterGroup, st.lists(_filters(), min_size=1, max_size=3)),
    max_size=3,
)

_NEGATED = {
    Operator.EQ: Operator.NEQ,
    Operator.IN: Operator.NOT_IN,
    Operator.HAS_PROPERTY: Operator.NOT_HAS_PROPERTY,
    Operator.CONTAINS_TOKEN: Operator.NOT_CONTAINS_TOKEN,
}


@settings(deadline=None, max_examples=200)
@given(_filters(), _records)
def test_negated_operators_are_complements(flt, record):
    """EQ/NEQ, IN/NOT_IN, HAS/NOT_HAS, CONTAINS/NOT_CONTAINS never agree."""
    pairs = {**_NEGATED, **{v: k for k, v in _NEGATED.items()}}
    other = pairs.get(flt.operator)
    if other is None:
        return
    negated = Filter(
        flt.property,
        other,
        value=flt.value,
        values=flt.values,
        high_value=flt.high_value,
    )
    assert flt.matches(record) is not negated.matches(record)


@settings(deadline=None, max_examples=150)
@given(_groups, _records)
def test_a_set_passes_iff_some_group_has_all_filters_passing(groups, record):
    """evaluate() is OR over groups of AND over filters."""
    expected = not groups or any(
        all(f.matches(record) for f in g.filters) for g in groups
    )
    assert evaluate(groups, record).passed is expected


@settings(deadline=None, max_examples=100)
@given(_groups, _records, st.randoms(use_true_random=False))
def test_group_order_does_not_change_the_outcome(groups, record, rnd):
    """Permuting groups (or filters in a group) keeps pass/fail the same."""
    shuffled = [
        FilterGroup(rnd.sample(g.filters, len(g.filters))) for g in groups
    ]
    rnd.shuffle(shuffled)
    assert evaluate(groups, record).passed is evaluate(shuffled, record).passed


@settings(deadline=None, max_examples=100)
@given(_groups, _groups, _records)
def test_concatenating_sets_is_or(left, right, record):
    """Joining two non-empty sets passes iff either set passes."""
    if not left or not right:
        return
    joined = evaluate([*left, *right], record).passed
    assert joined is (
        evaluate(left, record).passed or evaluate(right, record).passed
    )


@settings(deadline=None, max_examples=100)
@given(_groups, _records)
def test_failures_are_reported_for_every_group_when_failing(groups, record):
    """A failing verdict has one failure per group, each really failing."""
    verdict = evaluate(groups, record)
    if verdict.passed:
        assert verdict.failures == ()
        return
    assert [f.group for f in verdict.failures] == list(range(len(groups)))
    for failure in verdict.failures:
        group = groups[failure.group]
        assert group.filters[failure.index] == failure.filter
        assert not failure.filter.matches(record)
        assert all(f.matches(record) for f in group.filters[: failure.index])
