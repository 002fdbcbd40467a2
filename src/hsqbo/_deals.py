"""
The invoice → deal rule: which deal a QBO invoice belongs to (B17, B21, B22).

QBO invoices are tied to a HubSpot deal only by an explicit rule: a QBO
invoice field (typically a custom field) holding the deal's id. The invoice
is then associated with that deal, the deal properties the rule names follow
the most recently updated invoice of the deal, and each payment applied to
the invoice becomes one note on the deal's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from hsqbo._errors import ConfigError
from hsqbo._mapping import FieldMap


__all__ = ["DealRule"]


def _to_fields(fields: Iterable[FieldMap]) -> tuple[FieldMap, ...]:
    return tuple(fields)


@attrs.frozen(kw_only=True)
class DealRule:
    """
    How the QBO invoices of an invoice sync are tied to HubSpot deals.

    Args:
        deal_id: The QBO invoice field that holds the HubSpot deal id,
            usually a sales-form custom field (``"CustomField[Deal ID]"``).
            An invoice with no value there belongs to no deal.
        fields: The deal properties that follow the deal's most recently
            updated invoice (``FieldMap(<deal property>, <invoice field>)``;
            ``hsqbo.status`` and other derived values allowed). They only
            ever flow QBO → HubSpot. A property of the deal group
            ``accounting`` is refused (B17).
        payments: Whether each payment applied to the invoice becomes one
            note on the deal's timeline (B22).

    Raises:
        ConfigError: A field path or property is invalid, a field flows
            HubSpot → QBO, or a property is in the ``accounting`` group;
            every problem is listed with its path.

    >>> rule = DealRule(
    ...     deal_id="CustomField[Deal ID]",
    ...     fields=[FieldMap("invoice_balance", "Balance",
    ...                      direction=Direction.QBO_TO_HUBSPOT)],
    ... )
    >>> rule.payments
    True
    >>> try:
    ...     DealRule(deal_id="CustomField[Deal ID]",
    ...         fields=[FieldMap("accounting_invoice_balance", "Balance")])
    ... except ConfigError as exc:
    ...     print(exc.problems[0].path)
    fields[0].hubspot

    .. versionadded:: 0.1.0
    """

    deal_id: str
    fields: tuple[FieldMap, ...] = attrs.field(
        default=(), converter=_to_fields
    )
    payments: bool = True

    def __attrs_post_init__(self) -> None:
        problems = deal_rule_problems(self)
        if problems:
            raise ConfigError(problems)


from hsqbo._validation import deal_rule_problems  # noqa: E402 - cycle
