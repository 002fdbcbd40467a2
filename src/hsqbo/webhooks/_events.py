"""
Parse webhook bodies of both providers into one typed list of changes.

HubSpot posts a JSON array of events; Intuit posts either its legacy
``{"eventNotifications": [...]}`` object or (since the 2025-26 migration) a
JSON array of CloudEvents 1.0. A notification only names what changed: the
sync re-reads the record itself.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterator, Mapping

import attrs
from dateutil import parser as dateparser

from hsqbo._errors import MalformedWebhookError
from hsqbo._record import Side


__all__ = [
    "Change",
    "ChangeKind",
    "parse_hubspot_events",
    "parse_intuit_events",
]


class ChangeKind(enum.Enum):
    """
    What happened to a record, as a webhook tells it.

    .. versionadded:: 0.1.0
    """

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    MERGED = "merged"
    RESTORED = "restored"
    VOIDED = "voided"


@attrs.frozen(kw_only=True)
class Change:
    """
    One record that changed on one side.

    .. versionadded:: 0.1.0
    """

    side: Side
    """Where the record lives."""
    type: str
    """The API's object name: ``contacts``, ``Customer``, ``Invoice``…"""
    id: str
    """The record's id."""
    kind: ChangeKind
    """What happened."""
    occurred_at: dt.datetime
    """When it happened, aware UTC (events may arrive out of order)."""
    event_id: str
    """The provider's event id (derived for Intuit's legacy format)."""
    account: str
    """HubSpot portal id or QBO realm id."""
    property: str | None = None
    """For a HubSpot property change: the property's name."""
    merged_ids: tuple[str, ...] = ()
    """For a merge: the ids merged away into :attr:`id`."""


def _load(body: bytes | str, provider: str) -> object:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedWebhookError(
            f"{provider} webhook body is not JSON: {error}", provider=provider
        ) from None


def _require(
    event: Mapping[str, object], key: str, where: str, provider: str
) -> object:
    value = event.get(key)
    if value is None or value == "":
        raise MalformedWebhookError(
            f"{where}: missing {key!r}", provider=provider
        )
    return value


# --- HubSpot -------------------------------------------------------------

_HUBSPOT_PREFIXES = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "ticket": "tickets",
    "product": "products",
    "line_item": "line_items",
    "invoice": "invoices",
}
_HUBSPOT_TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-5": "tickets",
    "0-7": "products",
    "0-8": "line_items",
    "0-53": "invoices",
}
_HUBSPOT_KINDS = {
    "creation": ChangeKind.CREATED,
    "propertyChange": ChangeKind.UPDATED,
    "associationChange": ChangeKind.UPDATED,
    "deletion": ChangeKind.DELETED,
    "privacyDeletion": ChangeKind.DELETED,
    "merge": ChangeKind.MERGED,
    "restore": ChangeKind.RESTORED,
}


def _hubspot_change(event: object, index: int) -> Change:
    where = f"event[{index}]"
    if not isinstance(event, Mapping):
        raise MalformedWebhookError(
            f"{where}: expected an object", provider="hubspot"
        )
    kind_text = str(_require(event, "subscriptionType", where, "hubspot"))
    prefix, _, verb = kind_text.partition(".")
    kind = _HUBSPOT_KINDS.get(verb)
    if kind is None:
        raise MalformedWebhookError(
            f"{where}: unknown subscriptionType {kind_text!r}",
            provider="hubspot",
        )
    if prefix == "object":
        type_id = str(_require(event, "objectTypeId", where, "hubspot"))
        object_type = _HUBSPOT_TYPE_IDS.get(type_id, type_id)
    else:
        object_type = _HUBSPOT_PREFIXES.get(prefix, prefix)
    object_id = _require(event, "objectId", where, "hubspot")
    occurred = _require(event, "occurredAt", where, "hubspot")
    try:
        occurred_at = dt.datetime.fromtimestamp(
            int(str(occurred)) / 1000, dt.UTC
        )
    except (ValueError, OverflowError, OSError):
        raise MalformedWebhookError(
            f"{where}: occurredAt {occurred!r} is not epoch milliseconds",
            provider="hubspot",
        ) from None
    event_id = _require(event, "eventId", where, "hubspot")
    merged = event.get("mergedObjectIds") or ()
    if not isinstance(merged, list | tuple):
        merged = ()
    property_name = event.get("propertyName")
    return Change(
        side=Side.HUBSPOT,
        type=object_type,
        id=str(object_id),
        kind=kind,
        occurred_at=occurred_at,
        event_id=f"{event.get('subscriptionId', '')}:{event_id}",
        account=str(event.get("portalId", "")),
        property=None if property_name is None else str(property_name),
        merged_ids=tuple(str(m) for m in merged),
    )


def parse_hubspot_events(body: bytes | str) -> tuple[Change, ...]:
    """
    Parse a HubSpot webhook body (a JSON array of events).

    Raises:
        MalformedWebhookError: The body is not JSON, not an array, or an
            event lacks a field hsqbo needs; the error names the event.

    .. versionadded:: 0.1.0
    """
    data = _load(body, "hubspot")
    if not isinstance(data, list):
        raise MalformedWebhookError(
            "HubSpot webhook body must be a JSON array of events",
            provider="hubspot",
        )
    return tuple(_hubspot_change(event, i) for i, event in enumerate(data))


# --- Intuit --------------------------------------------------------------

_QBO_ENTITIES = {
    name.lower(): name
    for name in (
        "Account",
        "Bill",
        "BillPayment",
        "Budget",
        "Class",
        "CreditMemo",
        "Currency",
        "Customer",
        "Department",
        "Deposit",
        "Employee",
        "Estimate",
        "Invoice",
        "Item",
        "JournalCode",
        "JournalEntry",
        "Payment",
        "PaymentMethod",
        "Preferences",
        "Purchase",
        "PurchaseOrder",
        "RefundReceipt",
        "SalesReceipt",
        "TaxAgency",
        "Term",
        "TimeActivity",
        "Transfer",
        "Vendor",
        "VendorCredit",
    )
}
_QBO_KINDS = {
    "create": ChangeKind.CREATED,
    "created": ChangeKind.CREATED,
    "update": ChangeKind.UPDATED,
    "updated": ChangeKind.UPDATED,
    "emailed": ChangeKind.UPDATED,
    "delete": ChangeKind.DELETED,
    "deleted": ChangeKind.DELETED,
    "merge": ChangeKind.MERGED,
    "merged": ChangeKind.MERGED,
    "void": ChangeKind.VOIDED,
    "voided": ChangeKind.VOIDED,
}


def _time(value: object, where: str) -> dt.datetime:
    try:
        parsed = dateparser.isoparse(str(value))
    except ValueError:
        raise MalformedWebhookError(
            f"{where}: {value!r} is not an ISO 8601 time", provider="qbo"
        ) from None
    if parsed.tzinfo is None:
        # Intuit's examples carry "Z"; a time without an offset is read as
        # UTC rather than guessed from the machine's zone.
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _qbo_kind(text: str, where: str) -> ChangeKind:
    kind = _QBO_KINDS.get(text.lower())
    if kind is None:
        raise MalformedWebhookError(
            f"{where}: unknown operation {text!r}", provider="qbo"
        )
    return kind


def _legacy(data: Mapping[str, object]) -> Iterator[Change]:
    notifications = data.get("eventNotifications")
    if not isinstance(notifications, list):
        raise MalformedWebhookError(
            "eventNotifications must be an array", provider="qbo"
        )
    for n, notification in enumerate(notifications):
        where = f"eventNotifications[{n}]"
        if not isinstance(notification, Mapping):
            raise MalformedWebhookError(
                f"{where}: expected an object", provider="qbo"
            )
        realm = str(_require(notification, "realmId", where, "qbo"))
        change = notification.get("dataChangeEvent")
        entities = (
            change.get("entities") if isinstance(change, Mapping) else None
        )
        if not isinstance(entities, list):
            raise MalformedWebhookError(
                f"{where}: dataChangeEvent.entities must be an array",
                provider="qbo",
            )
        for e, entity in enumerate(entities):
            at = f"{where}.dataChangeEvent.entities[{e}]"
            if not isinstance(entity, Mapping):
                raise MalformedWebhookError(
                    f"{at}: expected an object", provider="qbo"
                )
            name = str(_require(entity, "name", at, "qbo"))
            entity_id = str(_require(entity, "id", at, "qbo"))
            operation = str(_require(entity, "operation", at, "qbo"))
            updated = _require(entity, "lastUpdated", at, "qbo")
            merged = entity.get("deletedId") or entity.get("deletedID")
            occurred_at = _time(updated, at)
            yield Change(
                side=Side.QBO,
                type=_QBO_ENTITIES.get(name.lower(), name),
                id=entity_id,
                kind=_qbo_kind(operation, at),
                occurred_at=occurred_at,
                # The legacy format has no event id; what it says is unique
                # enough, and identical on Intuit's redeliveries.
                event_id=(
                    f"{realm}:{name}:{entity_id}:{operation}:"
                    f"{occurred_at.isoformat()}"
                ),
                account=realm,
                merged_ids=() if merged is None else (str(merged),),
            )


def _cloud_event(event: object, index: int) -> Change:
    where = f"event[{index}]"
    if not isinstance(event, Mapping):
        raise MalformedWebhookError(
            f"{where}: expected an object", provider="qbo"
        )
    type_text = str(_require(event, "type", where, "qbo"))
    parts = type_text.split(".")
    if len(parts) < 3 or parts[0] != "qbo":  # noqa: PLR2004 - qbo.<entity>.<verb>
        raise MalformedWebhookError(
            f"{where}: type {type_text!r} is not qbo.<entity>.<verb>[.vN]",
            provider="qbo",
        )
    entity = parts[1]
    return Change(
        side=Side.QBO,
        type=_QBO_ENTITIES.get(entity.lower(), entity),
        id=str(_require(event, "intuitentityid", where, "qbo")),
        kind=_qbo_kind(parts[2], where),
        occurred_at=_time(_require(event, "time", where, "qbo"), where),
        event_id=str(_require(event, "id", where, "qbo")),
        account=str(_require(event, "intuitaccountid", where, "qbo")),
    )


def parse_intuit_events(body: bytes | str) -> tuple[Change, ...]:
    """
    Parse an Intuit webhook body: legacy ``eventNotifications`` or CloudEvents.

    Raises:
        MalformedWebhookError: The body is not JSON or not one of the two
            shapes; the error names the offending event.

    .. versionadded:: 0.1.0
    """
    data = _load(body, "qbo")
    if isinstance(data, list):
        return tuple(_cloud_event(event, i) for i, event in enumerate(data))
    if isinstance(data, Mapping) and "eventNotifications" in data:
        return tuple(_legacy(data))
    if isinstance(data, Mapping) and "specversion" in data:
        return (_cloud_event(data, 0),)
    raise MalformedWebhookError(
        "Intuit webhook body is neither eventNotifications nor CloudEvents",
        provider="qbo",
    )
