import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import ConfigError, Filter, FilterGroup, Operator
from hsqbo.hubspot import SearchLimits, compile_filter_groups
from hsqbo.hubspot._search import SearchWalk, encode_filter_value


NO_VALUE = {Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY}
MANY = {Operator.IN, Operator.NOT_IN}

names = st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True)
words = st.from_regex(r"[a-z]{1,8}", fullmatch=True)
scalars = st.one_of(
    words,
    st.integers(-(10**6), 10**6),
    st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 1, 1)),
)


@st.composite
def filters(draw):
    """Draw one valid Filter of any operator."""
    operator = draw(st.sampled_from(list(Operator)))
    name = draw(names)
    if operator in NO_VALUE:
        return Filter(name, operator)
    if operator in MANY:
        return Filter(
            name,
            operator,
            values=draw(st.lists(words, min_size=1, max_size=3)),
        )
    if operator is Operator.BETWEEN:
        low, high = sorted(
            draw(st.lists(st.integers(0, 99), min_size=2, max_size=2))
        )
        return Filter(name, operator, value=low, high_value=high)
    if operator in {Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN}:
        return Filter(name, operator, value=draw(words))
    return Filter(name, operator, value=draw(scalars))


groups_within_limits = st.lists(
    st.builds(FilterGroup, st.lists(filters(), min_size=1, max_size=4)),
    max_size=5,
).filter(lambda groups: sum(len(g.filters) for g in groups) <= 25)


@settings(deadline=None, max_examples=50)
@given(groups_within_limits)
def test_compilation_keeps_every_filter_in_place(groups):
    """Each group and filter lands in order, with operator and property."""
    compiled = compile_filter_groups(groups)
    assert len(compiled) == len(groups)
    for group, out in zip(groups, compiled, strict=True):
        assert [
            (f["propertyName"], f["operator"]) for f in out["filters"]
        ] == [(f.property, f.operator.value) for f in group.filters]
        for flt, item in zip(group.filters, out["filters"], strict=True):
            values = [
                v
                for k, v in item.items()
                if k in {"value", "values", "highValue"}
            ]
            flat = [
                x for v in values for x in (v if isinstance(v, list) else [v])
            ]
            assert all(isinstance(x, str) for x in flat)
            assert ("value" in item) == (flt.operator not in NO_VALUE | MANY)


@settings(deadline=None, max_examples=50)
@given(
    st.lists(
        st.builds(FilterGroup, st.lists(filters(), min_size=1, max_size=12)),
        min_size=1,
        max_size=8,
    )
)
def test_limits_fail_exactly_when_hubspot_would_refuse(groups):
    """Compilation fails iff a documented search cap is exceeded."""
    limits = SearchLimits()
    over = (
        len(groups) > limits.max_groups
        or any(len(g.filters) > limits.max_filters_per_group for g in groups)
        or sum(len(g.filters) for g in groups) > limits.max_filters
    )
    if over:
        with pytest.raises(ConfigError) as caught:
            compile_filter_groups(groups)
        assert all(
            p.path.startswith("filter_groups") for p in caught.value.problems
        )
    else:
        assert len(compile_filter_groups(groups)) == len(groups)


def test_walk_reserves_one_filter_per_group():
    """A group already at 10 filters is refused when the walk needs one."""
    group = FilterGroup(
        [Filter(f"p{i}", Operator.HAS_PROPERTY) for i in range(10)]
    )
    assert compile_filter_groups([group])
    with pytest.raises(ConfigError, match="result cap"):
        SearchWalk(
            [group],
            properties=(),
            sorts=(),
            query=None,
            limits=SearchLimits(),
            page_size=200,
        )


def test_walk_refuses_oversized_pages():
    """Pages above 200 are refused with the path page_size."""
    with pytest.raises(ConfigError, match="page_size"):
        SearchWalk(
            [],
            properties=(),
            sorts=(),
            query=None,
            limits=SearchLimits(),
            page_size=201,
        )


def test_query_is_sent_when_given():
    """A free-text query travels in the body."""
    walk = SearchWalk(
        [],
        properties=("email",),
        sorts=(),
        query="ada",
        limits=SearchLimits(),
        page_size=10,
    )
    assert walk.body()["query"] == "ada"


def test_datetime_values_become_epoch_ms():
    """Datetimes (ISO strings after Filter canonicalises) become epoch ms."""
    moment = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    (group,) = compile_filter_groups(
        [
            FilterGroup(
                [Filter("hs_lastmodifieddate", Operator.GTE, value=moment)]
            )
        ]
    )
    assert group["filters"][0]["value"] == str(int(moment.timestamp()) * 1000)


def test_empty_group_is_refused():
    """A group without filters is a config problem with its path."""
    with pytest.raises(ConfigError, match=r"filter_groups\[0\]"):
        compile_filter_groups([FilterGroup([])])


def test_date_objects_encode_to_midnight_epoch_ms():
    """A date given directly (not through Filter) is midnight UTC in ms."""
    assert encode_filter_value(dt.date(1970, 1, 2)) == "86400000"
