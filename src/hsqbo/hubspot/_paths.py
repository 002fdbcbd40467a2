"""
Where each HubSpot API lives, for date-versioned and legacy paths.

Since March 2026 HubSpot versions its APIs by date in the path
(``/crm/objects/2026-03/contacts``); the legacy paths
(``/crm/v3/objects/contacts``, associations on ``/crm/v4/...``) keep working
until September 2027. ``api_version="v3"`` selects the legacy ones.
"""

from __future__ import annotations

import re
import urllib.parse

import attrs


__all__ = ["Paths", "check_object_type"]

_DATE_VERSION = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Object names (``contacts``, ``line_items``) or type ids (``0-3``,
# ``2-12345``): nothing that could change the shape of a path.
_OBJECT_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$|^\d+-\d+$")


def _check_version(
    _instance: object, _attribute: attrs.Attribute[str], value: str
) -> None:
    if value != "v3" and not _DATE_VERSION.match(value):
        msg = (
            f"api_version must be a date version like '2026-03' or 'v3', "
            f"got {value!r}"
        )
        raise ValueError(msg)


def check_object_type(object_type: str) -> str:
    """
    Return *object_type* if it is a valid object name or type id.

    Raises:
        ValueError: It is not.
    """
    if not _OBJECT_TYPE.match(object_type):
        msg = f"not a HubSpot object type: {object_type!r}"
        raise ValueError(msg)
    return object_type


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


@attrs.frozen
class Paths:
    """
    The URL paths of one API version.

    >>> Paths("2026-03").objects("contacts")
    '/crm/objects/2026-03/contacts'
    >>> Paths("v3").objects("contacts")
    '/crm/v3/objects/contacts'
    >>> Paths("v3").associations_batch("contacts", "companies", "read")
    '/crm/v4/associations/contacts/companies/batch/read'
    """

    api_version: str = attrs.field(validator=_check_version)

    @property
    def legacy(self) -> bool:
        """Whether these are the ``/crm/v3`` (and ``/crm/v4``) paths."""
        return self.api_version == "v3"

    def _crm(self, api: str, legacy_major: str) -> str:
        if self.legacy:
            return f"/crm/{legacy_major}/{api}"
        return f"/crm/{api}/{self.api_version}"

    def objects(self, object_type: str) -> str:
        """Return the collection path of *object_type* (list, create)."""
        return f"{self._crm('objects', 'v3')}/{check_object_type(object_type)}"

    def object(self, object_type: str, object_id: str) -> str:
        """Return the path of one object (get, update, archive)."""
        return f"{self.objects(object_type)}/{_segment(object_id)}"

    def batch(self, object_type: str, action: str) -> str:
        """Return a batch path: ``read``, ``create``, ``update``..."""
        return f"{self.objects(object_type)}/batch/{action}"

    def search(self, object_type: str) -> str:
        """Return the search path of *object_type*."""
        return f"{self.objects(object_type)}/search"

    def associations_batch(
        self, from_type: str, to_type: str, action: str
    ) -> str:
        """Return an Associations v4 batch path (``read``, ``create``)."""
        base = self._crm("associations", "v4")
        return (
            f"{base}/{check_object_type(from_type)}/"
            f"{check_object_type(to_type)}/batch/{action}"
        )

    def association(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> str:
        """Return the path of one association (labelled create)."""
        base = self._crm("objects", "v4")
        return (
            f"{base}/{check_object_type(from_type)}/{_segment(from_id)}/"
            f"associations/{check_object_type(to_type)}/{_segment(to_id)}"
        )

    def associations_of(
        self, from_type: str, from_id: str, to_type: str
    ) -> str:
        """Return the path listing one object's associations of a type."""
        base = self._crm("objects", "v4")
        return (
            f"{base}/{check_object_type(from_type)}/{_segment(from_id)}/"
            f"associations/{check_object_type(to_type)}"
        )

    def properties(self, object_type: str) -> str:
        """Return the property-definition path of *object_type*."""
        base = self._crm("properties", "v3")
        return f"{base}/{check_object_type(object_type)}"

    def property(self, object_type: str, name: str) -> str:
        """Return the path of one property definition."""
        return f"{self.properties(object_type)}/{_segment(name)}"

    def property_groups(self, object_type: str) -> str:
        """Return the property-group path of *object_type*."""
        return f"{self.properties(object_type)}/groups"
