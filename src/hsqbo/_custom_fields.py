"""
QBO invoice custom fields: which ones hsqbo may map (B12).

HubSpot's QuickBooks app offers a QBO custom field for invoice mappings only
if it is typed Text or Number, belongs to the Transaction category, is
printed on forms and is enabled on every sales form (invoices, estimates and
sales receipts). hsqbo applies the same rules, plus "active", before a
mapping that reads or writes the field is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from hsqbo._config import SyncConfig
from hsqbo._errors import ConfigProblem, CustomFieldNotEligibleError


__all__ = [
    "SALES_FORMS",
    "CustomFieldDefinition",
    "check_custom_field_eligible",
    "check_custom_fields",
    "custom_field_problems",
]

SALES_FORMS: frozenset[str] = frozenset(
    {"invoice", "estimate", "sales_receipt"}
)
"""The sales forms a mappable custom field must be enabled on."""

_TYPES = ("text", "number")


def _lower(value: str) -> str:
    return value.strip().casefold()


def _forms(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({_lower(value)})
    return frozenset(_lower(v) for v in value)


@attrs.frozen(kw_only=True)
class CustomFieldDefinition:
    """
    A QBO custom field's definition, as far as eligibility goes.

    The QBO connector builds it from the company preferences (legacy fields)
    or the custom-field definitions API.

    Args:
        name: The field's label (``"HubSpot Deal"``); it is the ``<Name>`` of
            the ``CustomField[<Name>]`` path.
        type: ``"text"``, ``"number"``, or another QBO type (``"date"``,
            ``"dropdown"``); compared case-insensitively.
        category: ``"transaction"``, ``"customer"``, …
        print_enabled: "Print on form" is on.
        enabled_on: The forms it is enabled on, from ``"invoice"``,
            ``"estimate"``, ``"sales_receipt"`` (and others).
        active: The field is active (not deleted or turned off).

    .. versionadded:: 0.1.0
    """

    name: str
    type: str = attrs.field(converter=_lower)
    category: str = attrs.field(converter=_lower)
    print_enabled: bool
    enabled_on: frozenset[str] = attrs.field(converter=_forms)
    active: bool = True

    @property
    def path(self) -> str:
        """The field's QBO path in records and field maps."""
        return f"CustomField[{self.name}]"


def custom_field_problems(
    definition: CustomFieldDefinition,
) -> list[ConfigProblem]:
    """List every eligibility rule *definition* fails (empty if none)."""
    where = definition.path
    problems = []
    if definition.type not in _TYPES:
        problems.append(
            ConfigProblem(
                f"{where}.type",
                f"must be Text or Number, is {definition.type!r}",
            )
        )
    if definition.category != "transaction":
        problems.append(
            ConfigProblem(
                f"{where}.category",
                f"must be in the Transaction category, is "
                f"{definition.category!r}",
            )
        )
    if not definition.print_enabled:
        problems.append(
            ConfigProblem(
                f"{where}.print_enabled",
                "must be print-enabled ('Print on form' is off)",
            )
        )
    missing = sorted(SALES_FORMS - definition.enabled_on)
    if missing:
        problems.append(
            ConfigProblem(
                f"{where}.enabled_on",
                "must be enabled on all sales forms (invoices, estimates, "
                f"sales receipts); not enabled on: {', '.join(missing)}",
            )
        )
    if not definition.active:
        problems.append(
            ConfigProblem(f"{where}.active", "must be active, is inactive")
        )
    return problems


def check_custom_field_eligible(definition: CustomFieldDefinition) -> None:
    """
    Check that a QBO custom field may be mapped to an invoice property (B12).

    >>> field = CustomFieldDefinition(
    ...     name="Region", type="Text", category="Transaction",
    ...     print_enabled=False, enabled_on={"invoice", "estimate"})
    >>> try:
    ...     check_custom_field_eligible(field)
    ... except CustomFieldNotEligibleError as error:
    ...     for problem in error.problems:
    ...         print(problem.path)
    CustomField[Region].print_enabled
    CustomField[Region].enabled_on

    Raises:
        CustomFieldNotEligibleError: One problem per failed rule.

    .. versionadded:: 0.1.0
    """
    problems = custom_field_problems(definition)
    if problems:
        raise CustomFieldNotEligibleError(problems)


def check_custom_fields(
    config: SyncConfig, definitions: Iterable[CustomFieldDefinition]
) -> None:
    """
    Check every invoice custom field a config maps against QBO's definitions.

    Every ``CustomField[<Name>]`` path in the field maps of an object synced
    with QBO ``Invoice`` must name a defined field that passes
    :func:`check_custom_field_eligible`.

    Raises:
        CustomFieldNotEligibleError: One problem per unknown field and per
            failed rule, each with the field map's path.

    .. versionadded:: 0.1.0
    """
    by_name = {d.name: d for d in definitions}
    problems: list[ConfigProblem] = []
    for o, obj in enumerate(config.objects):
        if obj.qbo != "Invoice":
            continue
        for f, field in enumerate(obj.fields):
            if not field.qbo.startswith("CustomField["):
                continue
            where = f"objects[{o}].fields[{f}].qbo"
            name = field.qbo[len("CustomField[") : -1]
            definition = by_name.get(name)
            if definition is None:
                known = ", ".join(sorted(map(repr, by_name))) or "none"
                problems.append(
                    ConfigProblem(
                        where,
                        f"QBO has no invoice custom field named {name!r} "
                        f"(defined: {known})",
                    )
                )
                continue
            problems.extend(
                ConfigProblem(where, f"{p.path}: {p.message}")
                for p in custom_field_problems(definition)
            )
    if problems:
        raise CustomFieldNotEligibleError(problems)
