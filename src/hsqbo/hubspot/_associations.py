"""
Associations v4: the type ids hsqbo writes, and parsing batch reads.

Type ids are HubSpot-defined and directional (invoice→contact is 177, the
reverse 178). The ones hsqbo needs are named on :class:`AssociationTypes`;
any other id can be given as an :class:`~hsqbo.hubspot.AssociationSpec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from hsqbo.hubspot._models import (
    Association,
    AssociationCategory,
    AssociationSpec,
)


__all__ = [
    "AssociationTypes",
    "association_json",
    "next_after",
    "parse_association_results",
    "parse_targets",
    "primary_first",
]


class AssociationTypes:
    """
    HubSpot-defined association types hsqbo uses, by direction.

    >>> from hsqbo.hubspot import AssociationTypes
    >>> AssociationTypes.INVOICE_TO_CONTACT.type_id
    177

    .. versionadded:: 0.1.0
    """

    CONTACT_TO_COMPANY_PRIMARY: ClassVar = AssociationSpec(1, label="Primary")
    """A contact's primary company."""
    CONTACT_TO_COMPANY: ClassVar = AssociationSpec(279)
    """A contact's (unlabelled) company."""
    COMPANY_TO_CONTACT: ClassVar = AssociationSpec(280)
    """A company's (unlabelled) contact."""
    DEAL_TO_CONTACT: ClassVar = AssociationSpec(3)
    CONTACT_TO_DEAL: ClassVar = AssociationSpec(4)
    DEAL_TO_COMPANY_PRIMARY: ClassVar = AssociationSpec(5, label="Primary")
    DEAL_TO_LINE_ITEM: ClassVar = AssociationSpec(19)
    LINE_ITEM_TO_DEAL: ClassVar = AssociationSpec(20)
    INVOICE_TO_DEAL: ClassVar = AssociationSpec(175)
    DEAL_TO_INVOICE: ClassVar = AssociationSpec(176)
    INVOICE_TO_CONTACT: ClassVar = AssociationSpec(177)
    CONTACT_TO_INVOICE: ClassVar = AssociationSpec(178)
    INVOICE_TO_COMPANY: ClassVar = AssociationSpec(179)
    COMPANY_TO_INVOICE: ClassVar = AssociationSpec(180)
    INVOICE_TO_LINE_ITEM: ClassVar = AssociationSpec(409)
    LINE_ITEM_TO_INVOICE: ClassVar = AssociationSpec(410)
    DEAL_TO_NOTE: ClassVar = AssociationSpec(213)
    NOTE_TO_DEAL: ClassVar = AssociationSpec(214)
    """A note on a deal's timeline (payments of synced invoices, B22)."""


def association_json(spec: AssociationSpec) -> dict[str, Any]:
    """Return an association type as the v4 API's JSON."""
    return {
        "associationCategory": spec.category.value,
        "associationTypeId": spec.type_id,
    }


def _spec(raw: Mapping[str, Any]) -> AssociationSpec:
    label = raw.get("label")
    return AssociationSpec(
        int(raw.get("typeId", raw.get("associationTypeId", 0))),
        category=AssociationCategory(
            raw.get(
                "category", raw.get("associationCategory", "HUBSPOT_DEFINED")
            )
        ),
        label=str(label) if label else None,
    )


def parse_targets(targets: object) -> list[Association]:
    """Parse a v4 list of targets (``to`` of a batch read, or a page)."""
    merged: dict[str, list[AssociationSpec]] = {}
    for target in targets if isinstance(targets, list) else ():
        to_id = str(target.get("toObjectId", target.get("id")))
        specs = merged.setdefault(to_id, [])
        for raw in target.get("associationTypes") or ():
            spec = _spec(raw)
            if spec not in specs:
                specs.append(spec)
    return [
        Association(to_id=to_id, types=tuple(specs))
        for to_id, specs in merged.items()
    ]


def primary_first(
    associations: list[Association],
) -> tuple[Association, ...]:
    """Order associations primary first, HubSpot's order otherwise."""
    return tuple(sorted(associations, key=lambda a: not a.is_primary))


def next_after(body: Mapping[str, Any]) -> str | None:
    """Return the cursor of the next page a v4 answer names, if any."""
    paging = body.get("paging")
    if isinstance(paging, Mapping):
        nxt = paging.get("next")
        if isinstance(nxt, Mapping) and nxt.get("after") is not None:
            return str(nxt["after"])
    return None


def parse_association_results(
    body: Mapping[str, Any],
) -> tuple[dict[str, list[Association]], dict[str, str]]:
    """
    Parse a v4 batch read: from-id → associations, and unfinished cursors.

    An object with more associations than one answer holds (500) carries
    its own ``paging``; the cursors returned let the caller read the rest.
    Inputs HubSpot reports as errors (no associations, unknown id) are left
    out; the caller starts from an empty tuple for each input.
    """
    found: dict[str, list[Association]] = {}
    cursors: dict[str, str] = {}
    for result in body.get("results") or ():
        if not isinstance(result, Mapping):
            continue
        from_id = str((result.get("from") or {}).get("id"))
        found.setdefault(from_id, []).extend(parse_targets(result.get("to")))
        after = next_after(result)
        if after is not None:
            cursors[from_id] = after
    return found, cursors
