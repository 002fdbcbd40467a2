"""
QBO-shaped faults: the error bodies the fake answers with.

Each constructor below builds one error QBO is known to send, with the code,
message and detail wording from the API reference, so a client under test
meets the same text it will meet in production.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs


__all__ = [
    "ErrorItem",
    "QboFault",
    "bad_request",
    "business",
    "duplicate_doc_number",
    "duplicate_name",
    "invalid_email",
    "invalid_enum",
    "invalid_reference",
    "linked_other_customer",
    "missing_inventory_quantity",
    "not_found",
    "query_parse",
    "required",
    "stale_object",
    "string_length",
    "unsupported",
]


@attrs.frozen(kw_only=True)
class ErrorItem:
    """One entry of a Fault's ``Error`` list."""

    code: str
    message: str
    detail: str
    element: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the item as QBO writes it."""
        return {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }


class QboFault(Exception):  # noqa: N818 - a QBO "Fault", not a Python error
    """
    Raised inside the fake to answer with a QBO ``Fault``.

    Carries the HTTP status, the Fault ``type`` and its error items.
    """

    def __init__(
        self,
        errors: Sequence[ErrorItem],
        *,
        status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__("; ".join(f"{e.code} {e.detail}" for e in errors))
        self.errors = tuple(errors)
        self.status = status
        self.fault_type = fault_type

    def fault_json(self) -> dict[str, Any]:
        """Return the ``Fault`` object (without the envelope)."""
        return {
            "Error": [error.to_json() for error in self.errors],
            "type": self.fault_type,
        }


def _one(
    code: str,
    message: str,
    detail: str,
    *,
    element: str = "",
    status: int = 400,
    fault_type: str = "ValidationFault",
) -> QboFault:
    item = ErrorItem(
        code=code, message=message, detail=detail, element=element
    )
    return QboFault([item], status=status, fault_type=fault_type)


def required(parameter: str) -> QboFault:
    """2020: a required field is missing."""
    return _one(
        "2020",
        "Required param missing, need to supply the required value for the "
        "API",
        f"Required parameter {parameter} is missing in the request",
        element=parameter,
    )


def invalid_reference(element: str, ref_id: str, why: str = "") -> QboFault:
    """2500: a reference names an object that does not exist."""
    detail = (
        f"Invalid Reference Id : {why}"
        if why
        else f"Invalid Reference Id : {element} {ref_id} does not exist"
    )
    return _one("2500", "Invalid Reference Id", detail, element=element)


def not_found(entity: str, object_id: str) -> QboFault:
    """610: the object does not exist, was deleted, or is inactive."""
    # QBO's wording is fixed and names neither the entity nor the id.
    del entity, object_id
    return _one(
        "610",
        "Object Not Found",
        "Object Not Found : Something you're trying to use has been made "
        "inactive. Check the fields with accounts, customers, items, vendors "
        "or employees.",
    )


def stale_object() -> QboFault:
    """5010: the SyncToken sent is not the current one."""
    return _one(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and Fake QuickBooks were working on this at "
        "the same time. Fake QuickBooks finished before you did, so your "
        "work was not saved.",
    )


def duplicate_name(existing_id: str) -> QboFault:
    """6240: a customer/vendor/employee DisplayName or item Name is taken."""
    return _one(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Id={existing_id}",
    )


def duplicate_doc_number(doc_number: str, txn_id: str) -> QboFault:
    """6140: an invoice number is already used."""
    return _one(
        "6140",
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different "
        f"number. This number has already been used. DocNumber={doc_number} "
        f"is assigned to TxnType=Invoice with TxnId={txn_id}",
    )


def string_length(element: str, maximum: int, supplied: int) -> QboFault:
    """2050: a string is longer than QBO allows."""
    return _one(
        "2050",
        "String length is either shorter or longer than supported by "
        "specification",
        "String length specified does not match the supported length. "
        f"Min:0 Max:{maximum} supported. Supplied length:{supplied}",
        element=element,
    )


def invalid_enum(element: str, value: object) -> QboFault:
    """2170: a value outside the enumeration."""
    return _one(
        "2170",
        "Invalid Enumeration",
        f"Invalid Enumeration : {value}",
        element=element,
    )


def business(reason: str, *, element: str = "") -> QboFault:
    """6000: a business rule refused the request."""
    return _one(
        "6000",
        "A business validation error has occurred while processing your "
        "request",
        f"Business Validation Error: {reason}",
        element=element,
    )


def unsupported(detail: str) -> QboFault:
    """500: the operation or path is not supported."""
    return _one("500", "Unsupported Operation", detail)


def query_parse(detail: str) -> QboFault:
    """4000: the query does not parse."""
    return _one("4000", "Error parsing query", f"QueryParserError: {detail}")


def invalid_email(element: str) -> QboFault:
    """2210: an e-mail address without ``@`` and ``.``."""
    return _one(
        "2210",
        "Email Address does not conform to the syntax rules of RFC 822",
        "Email Address does not conform to the syntax rules of RFC 822 : "
        f"{element}",
        element=element,
    )


def linked_other_customer(txn_id: str) -> QboFault:
    """620: a payment links a transaction of another customer."""
    return _one(
        "620",
        "TxnID Cannot Be Linked",
        f"TxnID Cannot Be Linked : Transaction {txn_id} belongs to another "
        "customer.",
    )


def bad_request(detail: str) -> QboFault:
    """2010: the body is not JSON or has a property QBO does not know."""
    return _one("2010", "Request has invalid or unsupported property", detail)


def missing_inventory_quantity(element: str) -> QboFault:
    """6520: an Inventory item line without a quantity."""
    return _one(
        "6520",
        "Missing Inventory Item Quantity",
        "Quantity required for inventory item",
        element=element,
    )
