"""Coalescing webhook changes: one per record, the latest, in any order."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import Side
from hsqbo._reader import coalesce
from hsqbo.webhooks import Change, ChangeKind


_AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _change(
    record_id: str,
    minutes: int,
    kind: ChangeKind,
    merged: tuple[str, ...] = (),
    side: Side = Side.HUBSPOT,
) -> Change:
    return Change(
        side=side,
        type="contacts" if side is Side.HUBSPOT else "Customer",
        id=record_id,
        kind=kind,
        occurred_at=_AT + dt.timedelta(minutes=minutes),
        event_id=f"{side.value}:{record_id}:{minutes}:{kind.value}",
        account="1",
        merged_ids=merged,
    )


def test_latest_change_of_a_record_decides() -> None:
    """The latest event wins; on a tie a deletion does; merges add up."""
    changes = [
        _change("2", 1, ChangeKind.UPDATED),
        _change("1", 3, ChangeKind.DELETED),
        _change("1", 2, ChangeKind.UPDATED),
        _change("2", 0, ChangeKind.MERGED, ("8",)),
        _change("3", 4, ChangeKind.UPDATED),
        _change("3", 4, ChangeKind.DELETED),
        _change("1", 9, ChangeKind.UPDATED, side=Side.QBO),
    ]
    kept = coalesce(changes)
    assert [(c.side, c.id, c.kind, c.merged_ids) for c in kept] == [
        (Side.HUBSPOT, "1", ChangeKind.DELETED, ()),
        (Side.HUBSPOT, "2", ChangeKind.UPDATED, ("8",)),
        (Side.HUBSPOT, "3", ChangeKind.DELETED, ()),
        (Side.QBO, "1", ChangeKind.UPDATED, ()),
    ]


_changes = st.lists(
    st.builds(
        _change,
        st.sampled_from(["1", "2", "3"]),
        st.integers(0, 5),
        st.sampled_from(list(ChangeKind)),
        st.lists(st.sampled_from(["7", "8"]), max_size=1).map(tuple),
        st.sampled_from(list(Side)),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(changes=_changes, data=st.data())
def test_coalescing_ignores_arrival_order(
    changes: list[Change], data: st.DataObject
) -> None:
    """Any order of arrival coalesces alike: one latest change per record."""
    shuffled = data.draw(st.permutations(changes))
    kept = coalesce(changes)
    assert coalesce(shuffled) == kept
    keys = [(c.side, c.type, c.id) for c in kept]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(c.side, c.type, c.id) for c in changes}
    for change in kept:
        same = [
            c
            for c in changes
            if (c.side, c.type, c.id) == (change.side, change.type, change.id)
        ]
        assert change.occurred_at == max(c.occurred_at for c in same)
        assert set(change.merged_ids) == {
            m for c in same for m in c.merged_ids
        }
