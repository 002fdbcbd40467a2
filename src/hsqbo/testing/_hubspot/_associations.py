"""
Associations v4: typed, labelled links between objects, both directions.

An association is stored once per direction as a set of ``(category,
typeId)`` pairs. HubSpot-defined types come in pairs (contact→company
primary is 1, its reverse 2); writing one direction writes the other.
A primary type (contact→company 1, deal→company 5) is exclusive: giving
an object a new primary company demotes the old one to the unlabelled
type, and writing a primary also writes the unlabelled type, as HubSpot
does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from hsqbo.testing._hubspot._errors import ApiFailure


__all__ = [
    "AssociationStore",
    "AssociationType",
    "FakeHubSpotAssociation",
]

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
CATEGORIES = frozenset({HUBSPOT_DEFINED, USER_DEFINED, "INTEGRATOR_DEFINED"})
#: contact→company primary, deal→company primary.
PRIMARY_TYPE_IDS = frozenset({1, 5})


@attrs.frozen
class AssociationType:
    """One association type from one object type to another."""

    from_type: str
    to_type: str
    type_id: int
    category: str
    label: str | None
    inverse_id: int
    #: The default (unlabelled) type of the pair.
    default: bool = False
    #: At most one association of this type per source object.
    primary: bool = False


# (from, to, id, reverse id, label, default, primary): hubspot-api.md §3.9
# and hubspot-api-client's hubspot/crm/association_type.py.
_DEFINED: tuple[tuple[str, str, int, int, str | None, bool, bool], ...] = (
    ("contacts", "companies", 279, 280, None, True, False),
    ("contacts", "companies", 1, 2, "Primary", False, True),
    ("deals", "contacts", 3, 4, None, True, False),
    ("deals", "companies", 341, 342, None, True, False),
    ("deals", "companies", 5, 6, "Primary", False, True),
    ("deals", "line_items", 19, 20, None, True, False),
    ("invoices", "deals", 175, 176, None, True, False),
    ("invoices", "contacts", 177, 178, None, True, False),
    ("invoices", "companies", 179, 180, None, True, False),
    ("invoices", "line_items", 409, 410, None, True, False),
    ("notes", "companies", 190, 189, None, True, False),
    ("notes", "contacts", 202, 201, None, True, False),
    ("notes", "deals", 214, 213, None, True, False),
)


def _builtin_types() -> list[AssociationType]:
    types: list[AssociationType] = []
    for (
        from_type,
        to_type,
        type_id,
        inverse,
        label,
        default,
        primary,
    ) in _DEFINED:
        types.append(
            AssociationType(
                from_type=from_type,
                to_type=to_type,
                type_id=type_id,
                category=HUBSPOT_DEFINED,
                label=label,
                inverse_id=inverse,
                default=default,
                primary=primary,
            )
        )
        types.append(
            AssociationType(
                from_type=to_type,
                to_type=from_type,
                type_id=inverse,
                category=HUBSPOT_DEFINED,
                label=label,
                inverse_id=type_id,
                default=default,
                # The reverse of "primary company" is not exclusive: a
                # company is the primary company of many contacts.
                primary=False,
            )
        )
    return types


@attrs.frozen
class FakeHubSpotAssociation:
    """
    The association from one object to another, with all its types.

    Args:
        to_id: The associated object's id.
        type_ids: Association type ids, e.g. ``(1, 279)`` for a contact's
            primary company.
        labels: The labels of the labelled types (``"Primary"`` for
            type 1).

    .. versionadded:: 0.1.0
    """

    to_id: str
    type_ids: tuple[int, ...]
    labels: tuple[str, ...] = ()

    @property
    def primary(self) -> bool:
        """Whether this is a primary association (contact→company 1)."""
        return not PRIMARY_TYPE_IDS.isdisjoint(self.type_ids)


Key = tuple[str, str, str]  # (from type, from id, to type)


class AssociationStore:
    """Every association of the portal, in both directions."""

    def __init__(self) -> None:
        self._types: dict[tuple[str, str, int], AssociationType] = {
            (t.from_type, t.to_type, t.type_id): t for t in _builtin_types()
        }
        self._next_label_id = 1000
        # key -> to id -> set of type ids (insertion ordered)
        self._links: dict[Key, dict[str, set[int]]] = {}

    # -- types --------------------------------------------------------------

    def types(self, from_type: str, to_type: str) -> list[AssociationType]:
        """Return the types defined from *from_type* to *to_type*."""
        return sorted(
            (
                t
                for t in self._types.values()
                if t.from_type == from_type and t.to_type == to_type
            ),
            key=lambda t: t.type_id,
        )

    def type(
        self, from_type: str, to_type: str, type_id: int, category: str
    ) -> AssociationType:
        """Look a type up; 400 if it does not exist for the pair."""
        found = self._types.get((from_type, to_type, type_id))
        if found is None or found.category != category:
            raise ApiFailure(
                400,
                "VALIDATION_ERROR",
                f"{category} {type_id} is not a valid association type "
                f"between {from_type} and {to_type}.",
            )
        return found

    def default_type(self, from_type: str, to_type: str) -> AssociationType:
        """Return the default type of the pair; 400 if they cannot link."""
        for candidate in self.types(from_type, to_type):
            if candidate.default:
                return candidate
        raise ApiFailure(
            400,
            "VALIDATION_ERROR",
            f"No association type exists between {from_type} and {to_type}.",
        )

    def define_label(
        self, from_type: str, to_type: str, label: str
    ) -> AssociationType:
        """Create a user-defined label (both ways); return the forward type."""
        forward_id = self._next_label_id
        inverse_id = forward_id + 1
        self._next_label_id += 2
        forward = AssociationType(
            from_type=from_type,
            to_type=to_type,
            type_id=forward_id,
            category=USER_DEFINED,
            label=label,
            inverse_id=inverse_id,
        )
        backward = AssociationType(
            from_type=to_type,
            to_type=from_type,
            type_id=inverse_id,
            category=USER_DEFINED,
            label=label,
            inverse_id=forward_id,
        )
        self._types[(from_type, to_type, forward_id)] = forward
        self._types[(to_type, from_type, inverse_id)] = backward
        return forward

    # -- links --------------------------------------------------------------

    def add(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        assoc_type: AssociationType,
    ) -> None:
        """Link two objects with *assoc_type* (and its inverse)."""
        wanted = [assoc_type]
        if not assoc_type.default:
            # A labelled (or primary) association is also an unlabelled one.
            wanted.append(self.default_type(from_type, to_type))
        for item in wanted:
            if item.primary:
                self._demote(from_type, from_id, to_type, item)
            self._put((from_type, from_id, to_type), to_id, item.type_id)
            self._put((to_type, to_id, from_type), from_id, item.inverse_id)

    def _demote(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        primary: AssociationType,
    ) -> None:
        for other_id, ids in self._links.get(
            (from_type, from_id, to_type), {}
        ).items():
            if primary.type_id in ids:
                ids.discard(primary.type_id)
                self._links[(to_type, other_id, from_type)][from_id].discard(
                    primary.inverse_id
                )

    def _put(self, key: Key, to_id: str, type_id: int) -> None:
        self._links.setdefault(key, {}).setdefault(to_id, set()).add(type_id)

    def remove(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        type_ids: Iterable[int] | None = None,
    ) -> None:
        """Remove the given types (all when None) between two objects."""
        forward = self._links.get((from_type, from_id, to_type), {})
        current = forward.get(to_id)
        if current is None:
            return
        removing = set(current) if type_ids is None else set(type_ids)
        for type_id in removing & current:
            inverse = self._types[(from_type, to_type, type_id)].inverse_id
            current.discard(type_id)
            back = self._links[(to_type, to_id, from_type)][from_id]
            back.discard(inverse)
        if not current:
            del forward[to_id]
            self._links[(to_type, to_id, from_type)].pop(from_id, None)

    def links(
        self, from_type: str, from_id: str, to_type: str
    ) -> list[FakeHubSpotAssociation]:
        """Return one object's associations to *to_type*, primary first."""
        result = []
        for to_id, ids in self._links.get(
            (from_type, from_id, to_type), {}
        ).items():
            if not ids:
                continue
            ordered = sorted(ids)
            labels = tuple(
                label
                for label in (
                    self._types[(from_type, to_type, i)].label for i in ordered
                )
                if label
            )
            result.append(
                FakeHubSpotAssociation(
                    to_id=to_id, type_ids=tuple(ordered), labels=labels
                )
            )
        # Primary first, then by id: the order hsqbo's Record expects.
        result.sort(key=lambda a: (not a.primary, int(a.to_id)))
        return result

    def spec(
        self, from_type: str, to_type: str, type_id: int
    ) -> Mapping[str, object]:
        """Render one type as ``AssociationSpecWithLabel``."""
        found = self._types[(from_type, to_type, type_id)]
        return {
            "category": found.category,
            "typeId": found.type_id,
            "label": found.label,
        }
