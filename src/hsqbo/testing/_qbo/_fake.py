"""The public face of the fake QBO company: :class:`FakeQuickBooks`."""

from __future__ import annotations

import contextlib
import decimal
import threading
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx

from hsqbo._clock import Clock, SystemClock
from hsqbo._unset import UNSET, Unset
from hsqbo.testing import _server
from hsqbo.testing._faults import FaultInjector
from hsqbo.testing._qbo import _errors
from hsqbo.testing._qbo._calls import FakeQuickBooksCallLog
from hsqbo.testing._qbo._company import Company, entity_named
from hsqbo.testing._qbo._entities import Options
from hsqbo.testing._qbo._handlers import Api
from hsqbo.testing._qbo._oauth import TokenAuthority
from hsqbo.testing._qbo._quota import Quotas
from hsqbo.testing._qbo._store import ENTITIES, NAME_LISTS, Store
from hsqbo.testing._qbo._wire import dumps, loads


__all__ = ["FakeQuickBooks"]

_SYSTEM_CLOCK = SystemClock()
_EMPTY: Mapping[str, Any] = types.MappingProxyType({})
_SLOTS = (1, 2, 3)

Line = tuple[str, "decimal.Decimal | int | str", "decimal.Decimal | int | str"]
"""(item id, quantity, unit price) of a seeded invoice line."""


class FakeQuickBooks:
    """
    An in-memory QuickBooks Online company that speaks QBO's HTTP API.

    Serve it to an httpx client with :meth:`transport`, or to any HTTP
    client on a loopback port with :meth:`serve`; both reach the same
    company. Seed and inspect it from Python with :meth:`add_customer`,
    :meth:`get`, :meth:`customers` and friends, and count requests with
    :attr:`calls`.

    >>> fake = FakeQuickBooks()
    >>> customer = fake.add_customer("Harbor Lane Bakery")
    >>> import httpx
    >>> with httpx.Client(
    ...     transport=fake.transport(),
    ...     base_url=f"https://quickbooks.api.intuit.com/v3/company/{fake.realm_id}",
    ...     headers={"Authorization": "Bearer any-token"},
    ... ) as http:
    ...     response = http.get(f"/customer/{customer['Id']}")
    >>> response.json()["Customer"]["DisplayName"]
    'Harbor Lane Bakery'

    Args:
        realm_id: The company id used in ``/v3/company/<realm_id>/...``.
        clock: Where ``MetaData`` times, token expiry and quotas read the
            time; pass a :class:`~hsqbo.testing.VirtualClock` so tests
            never sleep.
        strict_tokens: Accept only access tokens this fake's token
            endpoint issued (the default accepts any non-empty bearer, but
            always refuses expired ones it issued).
        enforce_quotas: Refuse requests over QBO's throttles (500 a
            minute, 10 at once, 40 batches a minute) with 429.
        company_name: The ``CompanyInfo.CompanyName``.
        xml_throttle: Answer 429s in XML, as QBO's throttle sometimes does
            even to clients that asked for JSON.

    .. versionadded:: 0.1.0
    """

    DEFAULT_REALM_ID = "9130354937712345"
    """The realm id a fake gets when none is given."""

    def __init__(
        self,
        *,
        realm_id: str = DEFAULT_REALM_ID,
        clock: Clock = _SYSTEM_CLOCK,
        strict_tokens: bool = False,
        enforce_quotas: bool = True,
        company_name: str = "Sandbox Company_US_1",
        xml_throttle: bool = False,
    ) -> None:
        if not realm_id or "/" in realm_id:
            raise ValueError("realm_id must be a non-empty id without '/'")
        self.realm_id = realm_id
        """The company (realm) id."""
        self.clock = clock
        """The clock the fake reads."""
        self.faults = FaultInjector()
        """Inject failures, e.g. ``fake.faults.fail_next(2, kind)``."""
        self.calls = FakeQuickBooksCallLog()
        """Every request received, for call-count assertions."""
        self._lock = threading.RLock()
        self._store = Store(
            realm_id=realm_id, clock=clock, company_name=company_name
        )
        self._company = Company(self._store)
        self._authority = TokenAuthority(clock, strict=strict_tokens)
        self._quotas = Quotas(clock, enforce=enforce_quotas)
        self._api = Api(
            realm_id=realm_id,
            clock=clock,
            company=self._company,
            lock=self._lock,
            authority=self._authority,
            quotas=self._quotas,
            faults=self.faults,
            calls=self.calls,
            xml_throttle=xml_throttle,
        )

    def __repr__(self) -> str:
        return f"FakeQuickBooks(realm_id={self.realm_id!r})"

    # -- reaching it -----------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """
        Answer one request as QBO (and Intuit's OAuth server) would.

        Raises:
            DropConnection: an injected fault drops the connection.
            SimulatedTimeout: an injected fault makes the call time out.
        """
        return self._api(request)

    def transport(self) -> httpx.MockTransport:
        """
        Return an httpx transport served by this fake (sync and async).

        Any host works; only the path matters, so a client needs only its
        base URL's host pointed here (or nothing at all).
        """
        return _server.transport(self.handle)

    def async_transport(self) -> httpx.MockTransport:
        """Return a transport for :class:`httpx.AsyncClient` (same state)."""
        return _server.transport(self.handle)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """
        Serve the fake on ``127.0.0.1``; yield ``http://127.0.0.1:<port>``.

        QBO's paths live under the base URL (``/v3/company/<realm>/...``),
        with the token endpoint at ``/oauth2/v1/tokens/bearer`` and the
        OpenID discovery document at ``/.well-known/openid_configuration``.
        """
        with _server.serve(self.handle) as base_url:
            yield base_url

    # -- OAuth -----------------------------------------------------------

    def issue_tokens(self) -> tuple[str, str]:
        """
        Return a fresh ``(access_token, refresh_token)`` pair (as consent).

        Strict mode accepts only tokens issued here or by the token endpoint.
        """
        return self._authority.issue_tokens()

    def authorization_code(self) -> str:
        """Return a one-time code the token endpoint will exchange."""
        return self._authority.issue_code()

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expire (calls get 401)."""
        self._authority.expire_access_tokens()

    @property
    def refresh_count(self) -> int:
        """How many refresh-token grants the token endpoint granted."""
        return self._authority.refreshes

    # -- seeding ---------------------------------------------------------

    def create(self, entity: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """
        Create an object as ``POST /v3/company/<realm>/<entity>`` would.

        The same rules apply (unique names, required fields, computed
        totals), without a request being logged or counted.

        Args:
            entity: ``Customer``, ``Item``, ``Invoice``, ``Payment``,
                ``Vendor``, ``Employee`` or ``Account``.
            fields: The object in QBO's JSON shape.

        Returns:
            A copy of the stored object.

        Raises:
            ValueError: QBO would refuse the object; the message has the
                QBO error code and detail.
        """
        return self._write(entity, "create", fields)

    def update(
        self, entity: str, object_id: str, changes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """
        Change an object as a QBO user would: a sparse update.

        Its ``SyncToken`` goes up and ``MetaData.LastUpdatedTime`` moves,
        so a client holding the old version gets 5010 on its next write.

        Raises:
            ValueError: QBO would refuse the change.
            KeyError: there is no such object.
        """
        with self._lock:
            current = self._require(entity, object_id)
            body = {
                **changes,
                "Id": object_id,
                "SyncToken": current["SyncToken"],
                "sparse": True,
            }
            return self._write(entity, "update", body)

    def deactivate(self, entity: str, object_id: str) -> dict[str, Any]:
        """Make a customer, item, vendor, employee or account inactive."""
        return self.update(entity, object_id, {"Active": False})

    def delete(self, entity: str, object_id: str) -> None:
        """Delete a transaction (invoice or payment): ``operation=delete``."""
        with self._lock:
            current = self._require(entity, object_id)
            self._write(
                entity,
                "delete",
                {"Id": object_id, "SyncToken": current["SyncToken"]},
            )

    def void(self, entity: str, object_id: str) -> dict[str, Any]:
        """Void an invoice or payment: it stays, its amounts become 0."""
        with self._lock:
            current = self._require(entity, object_id)
            return self._write(
                entity,
                "void",
                {"Id": object_id, "SyncToken": current["SyncToken"]},
            )

    def add_customer(
        self,
        display_name: str,
        *,
        email: str | Unset = UNSET,
        given_name: str | Unset = UNSET,
        family_name: str | Unset = UNSET,
        company_name: str | Unset = UNSET,
        active: bool = True,
        fields: Mapping[str, Any] = _EMPTY,
    ) -> dict[str, Any]:
        """
        Add a customer; return it as stored.

        Args:
            display_name: The unique ``DisplayName``.
            email: ``PrimaryEmailAddr.Address``.
            given_name: ``GivenName``.
            family_name: ``FamilyName``.
            company_name: ``CompanyName``.
            active: False adds it inactive.
            fields: More fields in QBO's JSON shape (``BillAddr``...).
        """
        body: dict[str, Any] = {**fields, "DisplayName": display_name}
        _put(body, "PrimaryEmailAddr", {"Address": email} if email else UNSET)
        _put(body, "GivenName", given_name)
        _put(body, "FamilyName", family_name)
        _put(body, "CompanyName", company_name)
        return self._seed("Customer", body, active=active)

    def add_vendor(
        self, display_name: str, *, active: bool = True
    ) -> dict[str, Any]:
        """Add a vendor (it claims its DisplayName across customers too)."""
        return self._seed(
            "Vendor", {"DisplayName": display_name}, active=active
        )

    def add_employee(
        self, display_name: str, *, active: bool = True
    ) -> dict[str, Any]:
        """Add an employee (it claims its DisplayName across customers too)."""
        return self._seed(
            "Employee", {"DisplayName": display_name}, active=active
        )

    def add_account(self, name: str, account_type: str) -> dict[str, Any]:
        """Add an account, e.g. ``add_account("Consulting", "Income")``."""
        return self.create(
            "Account", {"Name": name, "AccountType": account_type}
        )

    def add_item(
        self,
        name: str,
        *,
        item_type: str = "Service",
        unit_price: decimal.Decimal | int | str = 0,
        sku: str | Unset = UNSET,
        description: str | Unset = UNSET,
        income_account_id: str | Unset = UNSET,
        active: bool = True,
        fields: Mapping[str, Any] = _EMPTY,
    ) -> dict[str, Any]:
        """
        Add a product or service; return it as stored.

        Service, NonInventory and Inventory items get the default chart's
        income account (``Sales of Product Income`` for goods,
        ``Services`` otherwise) unless *income_account_id* is given;
        Inventory items also get ``Inventory Asset``, ``Cost of Goods
        Sold``, a start date of today and a quantity of 0.

        Args:
            name: The unique ``Name``.
            item_type: ``Service``, ``NonInventory``, ``Inventory``,
                ``Category`` or ``Group``.
            unit_price: ``UnitPrice``.
            sku: ``Sku``.
            description: ``Description``.
            income_account_id: ``IncomeAccountRef.value``.
            active: False adds it inactive.
            fields: More fields in QBO's JSON shape.
        """
        body: dict[str, Any] = {
            **fields,
            "Name": name,
            "Type": item_type,
        }
        if item_type not in {"Category", "Group"}:
            body["UnitPrice"] = decimal.Decimal(str(unit_price))
            with self._lock:
                default = (
                    "Services"
                    if item_type == "Service"
                    else "Sales of Product Income"
                )
                account = (
                    income_account_id
                    or self._store.account_named(default)["Id"]
                )
                body.setdefault("IncomeAccountRef", {"value": account})
                if item_type == "Inventory":
                    body.setdefault(
                        "AssetAccountRef",
                        {
                            "value": self._store.account_named(
                                "Inventory Asset"
                            )["Id"]
                        },
                    )
                    body.setdefault(
                        "ExpenseAccountRef",
                        {
                            "value": self._store.account_named(
                                "Cost of Goods Sold"
                            )["Id"]
                        },
                    )
                    body.setdefault(
                        "InvStartDate", self._store.today().isoformat()
                    )
                    body.setdefault("QtyOnHand", 0)
        _put(body, "Sku", sku)
        _put(body, "Description", description)
        return self._seed("Item", body, active=active)

    def add_invoice(
        self,
        customer_id: str,
        lines: Sequence[Line],
        *,
        doc_number: str | Unset = UNSET,
        txn_date: str | Unset = UNSET,
        custom_fields: Mapping[str, str] = _EMPTY,
        fields: Mapping[str, Any] = _EMPTY,
    ) -> dict[str, Any]:
        """
        Add an invoice; QBO computes its amounts, total and balance.

        Args:
            customer_id: ``CustomerRef.value``.
            lines: ``(item id, quantity, unit price)`` per sales line.
            doc_number: ``DocNumber`` (assigned from 1001 up when omitted).
            txn_date: ``TxnDate`` as ``YYYY-MM-DD`` (today when omitted).
            custom_fields: Values by ``DefinitionId`` (``"1"`` to ``"3"``);
                only slots enabled with :meth:`set_custom_field` are kept.
            fields: More fields in QBO's JSON shape.
        """
        body: dict[str, Any] = {
            **fields,
            "CustomerRef": {"value": customer_id},
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": item_id},
                        "Qty": decimal.Decimal(str(qty)),
                        "UnitPrice": decimal.Decimal(str(price)),
                    },
                }
                for item_id, qty, price in lines
            ],
        }
        _put(body, "DocNumber", doc_number)
        _put(body, "TxnDate", txn_date)
        if custom_fields:
            body["CustomField"] = [
                {"DefinitionId": key, "StringValue": value}
                for key, value in custom_fields.items()
            ]
        return self.create("Invoice", body)

    def add_payment(
        self,
        customer_id: str,
        amount: decimal.Decimal | int | str,
        *,
        applied: Mapping[str, decimal.Decimal | int | str] = _EMPTY,
        txn_date: str | Unset = UNSET,
    ) -> dict[str, Any]:
        """
        Receive a payment; the invoices it is applied to lose balance.

        Args:
            customer_id: ``CustomerRef.value``.
            amount: ``TotalAmt``.
            applied: Amount applied per invoice id; the rest is unapplied.
            txn_date: ``TxnDate`` as ``YYYY-MM-DD``.
        """
        body: dict[str, Any] = {
            "CustomerRef": {"value": customer_id},
            "TotalAmt": decimal.Decimal(str(amount)),
            "Line": [
                {
                    "Amount": decimal.Decimal(str(value)),
                    "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}],
                }
                for invoice_id, value in applied.items()
            ],
        }
        _put(body, "TxnDate", txn_date)
        return self.create("Payment", body)

    def set_custom_field(
        self, slot: int, name: str, *, enabled: bool = True
    ) -> None:
        """
        Define sales-form custom field *slot* (1-3) in Preferences.

        ``SalesFormsPrefs.SalesCustomName<slot>`` becomes *name* and
        ``UseSalesCustom<slot>`` *enabled*; invoices then keep values sent
        with ``DefinitionId`` ``"<slot>"``.
        """
        if slot not in _SLOTS:
            raise ValueError(
                f"QBO has sales-form custom fields 1-3, not {slot}"
            )
        with self._lock:
            groups = self._store.preferences["SalesFormsPrefs"]["CustomField"]
            flags, names = groups[0]["CustomField"], groups[1]["CustomField"]
            for flag in flags:
                if flag["Name"] == f"SalesFormsPrefs.UseSalesCustom{slot}":
                    flag["BooleanValue"] = enabled
            key = f"SalesFormsPrefs.SalesCustomName{slot}"
            names[:] = [n for n in names if n["Name"] != key]
            names.append(
                {"Name": key, "Type": "StringType", "StringValue": name}
            )
            names.sort(key=lambda n: n["Name"])
            self._company.update_preferences(
                {"SyncToken": self._store.preferences["SyncToken"]}
            )

    def define_custom_field(
        self, name: str, *, data_type: str = "STRING"
    ) -> str:
        """
        Define an enhanced custom field for invoices; return its DefinitionId.

        These are the fields of Intuit's newer custom-field model (text or
        number, more than three). Like QBO, the fake reads and writes their
        values only on calls with ``include=enhancedAllCustomFields``; other
        calls neither see nor change them. The id is numeric, as the
        ``legacyIDV2`` QBO uses for ``DefinitionId``.

        Args:
            name: The field's label.
            data_type: ``STRING`` or ``NUMBER``.
        """
        types = {"STRING": "StringType", "NUMBER": "NumberType"}
        if data_type not in types:
            raise ValueError(
                f"data_type must be STRING or NUMBER, not {data_type!r}"
            )
        with self._lock:
            fields = self._store.enhanced_fields
            definition_id = str(1149621 + len(fields) + 1)
            fields[definition_id] = (name, types[data_type])
            return definition_id

    def set_preferences(self, section: str, values: Mapping[str, Any]) -> None:
        """
        Change preferences of one section, as ``POST /preferences`` would.

        For example ``fake.set_preferences("SalesFormsPrefs",
        {"CustomTxnNumbers": True})``: with custom transaction numbers on,
        invoices created without a ``DocNumber`` get none, as on QBO.
        """
        with self._lock:
            self._company.update_preferences(
                {
                    "SyncToken": self._store.preferences["SyncToken"],
                    section: dict(values),
                }
            )

    # -- inspection ------------------------------------------------------

    def get(self, entity: str, object_id: str) -> dict[str, Any] | None:
        """Return a copy of one object as the API would, or None."""
        with self._lock:
            found = self._store.objects[self._entity(entity)].get(
                str(object_id)
            )
            return _export(found) if found is not None else None

    def all(
        self, entity: str, *, include_inactive: bool = True
    ) -> list[dict[str, Any]]:
        """Return copies of every object of *entity*, by ascending Id."""
        canonical = self._entity(entity)
        with self._lock:
            found = [
                _export(obj)
                for obj in self._store.objects[canonical].values()
                if include_inactive
                or canonical not in NAME_LISTS
                or obj.get("Active") is not False
            ]
        return sorted(found, key=lambda obj: int(obj["Id"]))

    def customers(
        self, *, include_inactive: bool = True
    ) -> list[dict[str, Any]]:
        """Return every customer (copies)."""
        return self.all("Customer", include_inactive=include_inactive)

    def items(self, *, include_inactive: bool = True) -> list[dict[str, Any]]:
        """Return every item (copies)."""
        return self.all("Item", include_inactive=include_inactive)

    def invoices(self) -> list[dict[str, Any]]:
        """Return every invoice, voided ones included (copies)."""
        return self.all("Invoice")

    def payments(self) -> list[dict[str, Any]]:
        """Return every payment (copies)."""
        return self.all("Payment")

    def vendors(self) -> list[dict[str, Any]]:
        """Return every vendor (copies)."""
        return self.all("Vendor")

    def employees(self) -> list[dict[str, Any]]:
        """Return every employee (copies)."""
        return self.all("Employee")

    def accounts(self) -> list[dict[str, Any]]:
        """Return the chart of accounts (copies)."""
        return self.all("Account")

    def deleted(self, entity: str) -> list[str]:
        """Return the ids of deleted *entity* objects, oldest first."""
        canonical = self._entity(entity)
        with self._lock:
            tombstones = self._store.tombstones[canonical]
            return sorted(tombstones, key=lambda key: tombstones[key])

    def preferences(self) -> dict[str, Any]:
        """Return a copy of the company's Preferences."""
        with self._lock:
            return _export(self._store.preferences)

    # -- internals -------------------------------------------------------

    @staticmethod
    def _entity(entity: str) -> str:
        canonical = entity_named(entity, ENTITIES)
        if canonical is None:
            raise ValueError(f"the fake QBO has no entity {entity!r}")
        return canonical

    def _require(self, entity: str, object_id: str) -> dict[str, Any]:
        found = self._store.objects[self._entity(entity)].get(str(object_id))
        if found is None:
            raise KeyError(f"no {entity} with Id {object_id}")
        return found

    def _seed(
        self, entity: str, body: dict[str, Any], *, active: bool
    ) -> dict[str, Any]:
        with self._lock:
            created = self._write(entity, "create", body)
            if not active:
                created = self.deactivate(entity, created["Id"])
            return created

    def _write(
        self, entity: str, operation: str, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        canonical = self._entity(entity)
        with self._lock:
            try:
                result = self._company.write(
                    canonical, operation, body, Options()
                )
            except _errors.QboFault as fault:
                raise ValueError(
                    f"QBO refuses this {canonical}: {fault}"
                ) from None
            return _export(result)


def _export(obj: dict[str, Any]) -> dict[str, Any]:
    """Copy *obj* as a client reads it off the wire (numbers as Decimal)."""
    exported: dict[str, Any] = loads(dumps(obj))
    return exported


def _put(body: dict[str, Any], key: str, value: object) -> None:
    if value is not UNSET:
        body[key] = value
