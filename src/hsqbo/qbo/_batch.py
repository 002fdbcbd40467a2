"""
Batch requests: up to 30 operations per call.

Each item succeeds or fails on its own; a batch is never all-or-nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from hsqbo._errors import HsqboError
from hsqbo.qbo._faults import error_from_fault, fault_in_body, fault_items
from hsqbo.qbo._models import Entity, structure
from hsqbo.qbo._query import MAX_PAGE_SIZE, Query
from hsqbo.qbo._writes import create_body, delete_body, update_body


__all__ = [
    "BatchItem",
    "BatchOperation",
    "BatchResult",
    "batch_body",
    "parse_batch",
]


class BatchOperation(enum.Enum):
    """
    What one batch item does.

    .. versionadded:: 0.1.0
    """

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    QUERY = "query"


@attrs.frozen(kw_only=True)
class BatchItem:
    """
    One operation in a batch; build it with the class methods.

    >>> from hsqbo.qbo import BatchItem, Customer
    >>> BatchItem.create(Customer(display_name="Ada")).operation
    <BatchOperation.CREATE: 'create'>

    .. versionadded:: 0.1.0
    """

    operation: BatchOperation
    entity: Entity | None = None
    base: Entity | None = None
    query: Query[Any] | None = None

    @classmethod
    def create(cls, entity: Entity) -> BatchItem:
        """Create *entity*."""
        return cls(operation=BatchOperation.CREATE, entity=entity)

    @classmethod
    def update(
        cls, entity: Entity, *, base: Entity | None = None
    ) -> BatchItem:
        """Sparse-update *entity* (only what differs from *base*, if given)."""
        return cls(operation=BatchOperation.UPDATE, entity=entity, base=base)

    @classmethod
    def delete(cls, entity: Entity) -> BatchItem:
        """Delete the transaction *entity* (its id and SyncToken)."""
        return cls(operation=BatchOperation.DELETE, entity=entity)

    @classmethod
    def select(cls, query: Query[Any]) -> BatchItem:
        """Run *query* (at most 1000 rows)."""
        return cls(operation=BatchOperation.QUERY, query=query)

    def to_wire(self, bid: str) -> dict[str, Any]:
        """Return this item as a ``BatchItemRequest`` element."""
        if self.operation is BatchOperation.QUERY:
            if self.query is None:
                msg = "a query item needs a query"
                raise ValueError(msg)
            return {
                "bId": bid,
                "Query": self.query.to_text(max_results=MAX_PAGE_SIZE),
            }
        if self.entity is None:
            msg = f"a {self.operation.value} item needs an entity"
            raise ValueError(msg)
        if self.operation is BatchOperation.CREATE:
            body = create_body(self.entity)
        elif self.operation is BatchOperation.UPDATE:
            body = update_body(self.entity, base=self.base)
        else:
            body = delete_body(self.entity)
        return {
            "bId": bid,
            "operation": self.operation.value,
            self.entity.ENTITY: body,
        }


@attrs.frozen(kw_only=True)
class BatchResult:
    """
    The outcome of one batch item, in the order the items were given.

    Exactly one of :attr:`entity`, :attr:`rows` and :attr:`error` says
    what happened (a successful delete leaves all three empty).

    .. versionadded:: 0.1.0
    """

    index: int
    """The item's position in the list given to ``batch``."""
    item: BatchItem
    entity: Entity | None = None
    """The object as QBO returned it, for create and update."""
    rows: tuple[Entity, ...] = ()
    """The rows found, for a query."""
    error: HsqboError | None = None
    """Why this item failed: a typed QBO fault, or the failure of the
    whole request it was sent in."""

    @property
    def ok(self) -> bool:
        """Whether the item succeeded."""
        return self.error is None


def batch_body(items: Sequence[BatchItem]) -> dict[str, Any]:
    """Return the JSON body for *items* (bIds are their positions)."""
    return {
        "BatchItemRequest": [
            item.to_wire(str(n)) for n, item in enumerate(items)
        ]
    }


def _result(
    index: int,
    item: BatchItem,
    answer: Mapping[str, Any] | None,
    *,
    status_code: int,
    request_id: str | None,
    url: str,
) -> BatchResult:
    if answer is None:
        return BatchResult(
            index=index,
            item=item,
            error=HsqboError(f"QBO did not answer batch item {index}"),
        )
    fault = fault_in_body(answer)
    if fault is not None:
        error = error_from_fault(
            fault_items(fault),
            status_code=status_code,
            request_id=request_id,
            method="POST",
            url=url,
        )
        return BatchResult(index=index, item=item, error=error)
    if item.operation is BatchOperation.QUERY and item.query is not None:
        cls = item.query.entity
        found = answer.get("QueryResponse") or {}
        rows = tuple(structure(r, cls) for r in found.get(cls.ENTITY, ()))
        return BatchResult(index=index, item=item, rows=rows)
    if item.entity is not None and item.operation is not BatchOperation.DELETE:
        cls = type(item.entity)
        payload = answer.get(cls.ENTITY)
        if isinstance(payload, Mapping):
            return BatchResult(
                index=index, item=item, entity=structure(payload, cls)
            )
    return BatchResult(index=index, item=item)


def parse_batch(
    body: Mapping[str, Any],
    items: Sequence[tuple[int, BatchItem]],
    *,
    status_code: int,
    request_id: str | None,
    url: str,
) -> list[BatchResult]:
    """Read a ``BatchItemResponse`` into one result per item, in order."""
    answers = {
        str(answer.get("bId")): answer
        for answer in body.get("BatchItemResponse") or []
        if isinstance(answer, Mapping)
    }
    return [
        _result(
            index,
            item,
            answers.get(str(n)),
            status_code=status_code,
            request_id=request_id,
            url=url,
        )
        for n, (index, item) in enumerate(items)
    ]
