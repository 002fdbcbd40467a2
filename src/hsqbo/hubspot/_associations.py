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
    "parse_association_results",
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


def parse_association_results(
    body: Mapping[str, Any],
) -> dict[str, tuple[Association, ...]]:
    """
    Parse a v4 batch read: from-id → associations, primary first.

    Inputs HubSpot reports as errors (no associations, unknown id) are left
    out; the caller starts from an empty tuple for each input.
    """
    found: dict[str, tuple[Association, ...]] = {}
    for result in body.get("results") or ():
        if not isinstance(result, Mapping):
            continue
        from_id = str((result.get("from") or {}).get("id"))
        merged: dict[str, list[AssociationSpec]] = {}
        for target in result.get("to") or ():
            to_id = str(target.get("toObjectId", target.get("id")))
            specs = merged.setdefault(to_id, [])
            for raw in target.get("associationTypes") or ():
                spec = _spec(raw)
                if spec not in specs:
                    specs.append(spec)
        associations = [
            Association(to_id=to_id, types=tuple(specs))
            for to_id, specs in merged.items()
        ]
        # Stable sort: primary first, HubSpot's order otherwise.
        associations.sort(key=lambda a: not a.is_primary)
        found[from_id] = tuple(associations)
    return found
