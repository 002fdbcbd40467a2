"""
The sales-form custom-field slots of a company's ``Preferences``.

Legacy QBO custom fields live in ``Preferences.SalesFormsPrefs.CustomField``
as two groups: ``UseSalesCustomN`` booleans (is slot N on?) and
``SalesCustomNameN`` strings (its label). The slot number N is the
``DefinitionId`` invoices use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from hsqbo._custom_fields import SALES_FORMS, CustomFieldDefinition


__all__ = ["SalesFormCustomField", "parse_sales_form_custom_fields"]

_USE = re.compile(r"(?:SalesFormsPrefs\.)?UseSalesCustom(\d+)")
_NAME = re.compile(r"(?:SalesFormsPrefs\.)?SalesCustomName(\d+)")


@attrs.frozen(kw_only=True)
class SalesFormCustomField:
    """
    One legacy sales-form custom field slot.

    .. versionadded:: 0.1.0
    """

    definition_id: str
    """The slot number ("1".."3"), sent as ``DefinitionId``."""
    name: str
    """The label set in the company's settings."""
    enabled: bool
    """Whether the slot is turned on for sales forms."""

    def to_definition(self) -> CustomFieldDefinition:
        """
        Return the definition hsqbo checks mappings against (B12).

        Legacy slots are text fields of the Transaction category, shared by
        every sales form. Intuit exposes through the API only fields that
        print on forms, so a slot QBO reports counts as print-enabled; a
        slot that is turned off counts as inactive.

        >>> from hsqbo.qbo import SalesFormCustomField
        >>> slot = SalesFormCustomField(definition_id="1", name="Region",
        ...                             enabled=True)
        >>> slot.to_definition().path
        'CustomField[Region]'

        .. versionadded:: 0.1.0
        """
        return CustomFieldDefinition(
            name=self.name,
            type="text",
            category="transaction",
            print_enabled=True,
            enabled_on=SALES_FORMS,
            active=self.enabled,
        )


def _flags(groups: object) -> tuple[dict[str, bool], dict[str, str]]:
    enabled: dict[str, bool] = {}
    names: dict[str, str] = {}
    for group in groups if isinstance(groups, list) else []:
        inner = group.get("CustomField") if isinstance(group, Mapping) else []
        for field in inner if isinstance(inner, list) else []:
            if not isinstance(field, Mapping):
                continue
            name = str(field.get("Name", ""))
            use = _USE.fullmatch(name)
            label = _NAME.fullmatch(name)
            if use:
                enabled[use.group(1)] = field.get("BooleanValue") is True
            elif label:
                names[label.group(1)] = str(field.get("StringValue") or "")
    return enabled, names


def parse_sales_form_custom_fields(
    body: Mapping[str, Any],
) -> tuple[SalesFormCustomField, ...]:
    """
    Read the custom-field slots from a ``/preferences`` answer.

    Slots without a label are left out; they cannot be used.
    """
    prefs = body.get("Preferences") or {}
    sales = prefs.get("SalesFormsPrefs") or {}
    enabled, names = _flags(sales.get("CustomField"))
    return tuple(
        SalesFormCustomField(
            definition_id=slot,
            name=names[slot],
            enabled=enabled.get(slot, False),
        )
        for slot in sorted(names, key=int)
        if names[slot]
    )
