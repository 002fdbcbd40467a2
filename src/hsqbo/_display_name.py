"""
QBO customer display names made from HubSpot contacts (B18, B19).

A customer created from a contact is named after the contact's primary
associated company; with no company (or the company rule switched off),
after the contact's first and last name, whitespace collapsed. QBO refuses
names with a colon, a tab or a newline, and names over 500 characters.
Display names are unique in QBO regardless of letter case.
"""

from __future__ import annotations

from collections.abc import Mapping

from hsqbo._config import DisplayNameRule
from hsqbo._record import Record


__all__ = [
    "MAX_LENGTH",
    "collapse",
    "company_of",
    "display_name",
    "name_key",
    "name_problem",
    "person_name",
    "suffixed",
]

MAX_LENGTH = 500
"""The longest display name QBO accepts."""

_FORBIDDEN = {
    ":": "a colon",
    "\t": "a tab",
    "\n": "a newline",
    "\r": "a newline",
}


def collapse(text: str) -> str:
    """
    Strip spaces from *text* and collapse every run of spaces to one.

    Tabs and newlines are kept, so that :func:`name_problem` reports them
    instead of hiding them.

    >>> collapse("  Jane    Doe ")
    'Jane Doe'
    """
    return " ".join(part for part in text.split(" ") if part)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def person_name(contact: Record) -> str:
    """
    Return ``"first last"`` of a HubSpot contact, whitespace collapsed.

    >>> import datetime as dt
    >>> c = Record(Side.HUBSPOT, "contacts", "1",
    ...            {"firstname": " Jane ", "lastname": "Doe"},
    ...            dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> person_name(c)
    'Jane Doe'
    """
    first = _text(contact.fields.get("firstname"))
    last = _text(contact.fields.get("lastname"))
    return collapse(f"{first} {last}")


def company_of(
    contact: Record, companies: Mapping[str, Record]
) -> Record | None:
    """Return the contact's primary associated company, if it was given."""
    ids = contact.associations.get("companies", ())
    if not ids:
        return None
    return companies.get(ids[0])


def display_name(
    rule: DisplayNameRule, contact: Record, companies: Mapping[str, Record]
) -> tuple[str, str | None]:
    """
    Make the display name of the customer created from *contact*.

    Args:
        rule: The object sync's display-name rule.
        contact: The HubSpot contact.
        companies: HubSpot company records by id.

    Returns:
        ``(display name, company name or None)``; the display name is
        ``""`` when there is nothing to make one from.
    """
    if rule.from_company:
        company = company_of(contact, companies)
        if company is not None:
            name = collapse(_text(company.fields.get("name")))
            if name:
                return name, name
    return person_name(contact), None


def name_problem(name: str) -> str | None:
    """
    Say why QBO would refuse *name* as a display name (``None``: it would not).

    >>> name_problem("Acme: West")
    'contains a colon'
    >>> name_problem("Acme") is None
    True
    """
    if not name:
        return "is empty"
    for char, words in _FORBIDDEN.items():
        if char in name:
            return f"contains {words}"
    if len(name) > MAX_LENGTH:
        return f"is {len(name)} characters long (QBO allows {MAX_LENGTH})"
    return None


def name_key(name: str) -> str:
    """
    Return the key two names collide on in QBO (case and spacing ignored).

    >>> name_key(" ACME  corp") == name_key("Acme Corp")
    True
    """
    return " ".join(name.split()).casefold()


def suffixed(name: str, contact: Record, taken: Mapping[str, object]) -> str:
    """
    Make *name* unique by appending the contact's name: ``Acme (Jane Doe)``.

    Falls back to the e-mail address, then the contact id, and appends a
    counter while the result is still in *taken* (keys from
    :func:`name_key`).
    """
    person = person_name(contact)
    email = _text(contact.fields.get("email")).strip()
    label = person or email or contact.id
    candidate = f"{name} ({label})"
    counter = 2
    while name_key(candidate) in taken:
        candidate = f"{name} ({label}) {counter}"
        counter += 1
    return candidate
