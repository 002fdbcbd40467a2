r"""
QBO's query language: parse a SELECT and run it over stored objects.

The grammar is QBO's small subset of SQL::

    SELECT * | SELECT *, <field>... | SELECT COUNT(*)
    FROM <Entity>
    [WHERE <cond> [AND <cond>]...]
    [ORDERBY|ORDER BY <field> [ASC|DESC] [, ...]]
    [STARTPOSITION n] [MAXRESULTS n]

where ``<cond>`` is ``<field> (=|<|>|<=|>=) <value>``, ``<field> IN
(<value>, ...)`` or ``<field> LIKE '<pattern with %>'``. Keywords, entity
and field names are case-insensitive; string values are in single quotes
with ``\\'`` and ``\\\\`` escapes. Anything else (``OR``, projections,
joins) is a parse error, as on QBO.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from hsqbo.testing._qbo import _errors
from hsqbo.testing._qbo._wire import parse_datetime, to_decimal


__all__ = [
    "PROPERTIES",
    "Condition",
    "Query",
    "check_properties",
    "order",
    "parse",
    "select",
]

Literal = str | decimal.Decimal | bool

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_LIMIT = 1000

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    | (?P<string>'(?:\\.|[^'\\])*')
    | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),*])
    """,
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_KEYWORDS = frozenset(
    {
        "select",
        "count",
        "from",
        "where",
        "and",
        "or",
        "not",
        "in",
        "like",
        "orderby",
        "order",
        "by",
        "asc",
        "desc",
        "startposition",
        "maxresults",
        "true",
        "false",
    }
)
_COMPARISONS = frozenset({"=", "<", ">", "<=", ">="})


_COMMON = ("Id", "SyncToken", "MetaData", "domain", "sparse")
_PERSON = (
    "Title",
    "GivenName",
    "MiddleName",
    "FamilyName",
    "Suffix",
    "DisplayName",
    "PrintOnCheckName",
    "CompanyName",
    "Active",
    "PrimaryPhone",
    "AlternatePhone",
    "Mobile",
    "Fax",
    "PrimaryEmailAddr",
    "WebAddr",
    "BillAddr",
    "Balance",
    "CurrencyRef",
    "FullyQualifiedName",
    "V4IDPseudonym",
    "Source",
)
_TXN = (
    "TxnDate",
    "CustomerRef",
    "TotalAmt",
    "Line",
    "LinkedTxn",
    "CurrencyRef",
    "ExchangeRate",
    "PrivateNote",
    "DepositToAccountRef",
    "TxnSource",
    "TransactionLocationType",
    "ProjectRef",
    "TaxExemptionRef",
    "TxnStatus",
    "CustomField",
)

PROPERTIES: dict[str, frozenset[str]] = {
    entity: frozenset(name.casefold() for name in (*_COMMON, *names))
    for entity, names in {
        "Account": (
            "Name",
            "SubAccount",
            "ParentRef",
            "Description",
            "FullyQualifiedName",
            "Active",
            "Classification",
            "AccountType",
            "AccountSubType",
            "AcctNum",
            "CurrentBalance",
            "CurrentBalanceWithSubAccounts",
            "CurrencyRef",
            "TaxCodeRef",
            "AccountAlias",
            "TxnLocationType",
            "OpeningBalance",
            "OpeningBalanceDate",
        ),
        "Customer": (
            *_PERSON,
            "ShipAddr",
            "OtherAddr",
            "Notes",
            "Job",
            "BillWithParent",
            "ParentRef",
            "Level",
            "SalesTermRef",
            "PaymentMethodRef",
            "OpenBalanceDate",
            "BalanceWithJobs",
            "PreferredDeliveryMethod",
            "ResaleNum",
            "ARAccountRef",
            "DefaultTaxCodeRef",
            "Taxable",
            "TaxExemptionReasonId",
            "PrimaryTaxIdentifier",
            "SecondaryTaxIdentifier",
            "BusinessNumber",
            "GSTIN",
            "GSTRegistrationType",
            "IsProject",
            "ClientEntityId",
            "CustomerTypeRef",
            "TaxRegimeId",
            "CustomField",
        ),
        "Employee": (
            *_PERSON,
            "PrimaryAddr",
            "EmployeeNumber",
            "SSN",
            "BillableTime",
            "BillRate",
            "CostRate",
            "BirthDate",
            "Gender",
            "HiredDate",
            "ReleasedDate",
            "Organization",
        ),
        "Invoice": (
            *_TXN,
            "DocNumber",
            "DueDate",
            "ShipDate",
            "Balance",
            "HomeBalance",
            "HomeTotalAmt",
            "BillEmail",
            "BillEmailCc",
            "BillEmailBcc",
            "BillAddr",
            "ShipAddr",
            "ShipFromAddr",
            "FreeFormAddress",
            "CustomerMemo",
            "SalesTermRef",
            "EmailStatus",
            "PrintStatus",
            "DeliveryInfo",
            "TxnTaxDetail",
            "ApplyTaxAfterDiscount",
            "GlobalTaxCalculation",
            "DepartmentRef",
            "ClassRef",
            "ShipMethodRef",
            "TrackingNum",
            "Deposit",
            "AllowIPNPayment",
            "AllowOnlinePayment",
            "AllowOnlineCreditCardPayment",
            "AllowOnlineACHPayment",
            "InvoiceLink",
            "RecurDataRef",
        ),
        "Item": (
            "Name",
            "Sku",
            "Description",
            "Active",
            "SubItem",
            "ParentRef",
            "Level",
            "FullyQualifiedName",
            "Taxable",
            "SalesTaxIncluded",
            "UnitPrice",
            "Type",
            "IncomeAccountRef",
            "PurchaseDesc",
            "PurchaseTaxIncluded",
            "PurchaseCost",
            "ExpenseAccountRef",
            "AssetAccountRef",
            "TrackQtyOnHand",
            "QtyOnHand",
            "InvStartDate",
            "ReorderPoint",
            "SalesTaxCodeRef",
            "PurchaseTaxCodeRef",
            "ClassRef",
            "PrefVendorRef",
            "ItemCategoryType",
            "ItemGroupDetail",
            "ItemAssemblyDetail",
            "PrintGroupedItems",
            "AbatementRate",
            "ReverseChargeRate",
            "ServiceType",
            "TaxClassificationRef",
            "Source",
        ),
        "Payment": (
            *_TXN,
            "UnappliedAmt",
            "PaymentMethodRef",
            "PaymentRefNum",
            "ARAccountRef",
            "ProcessPayment",
            "CreditCardPayment",
        ),
        "Vendor": (
            *_PERSON,
            "OtherContactInfo",
            "TaxIdentifier",
            "TermRef",
            "AcctNum",
            "Vendor1099",
            "APAccountRef",
            "BillRate",
            "CostRate",
            "VendorPaymentBankDetail",
            "TaxReportingBasis",
            "BusinessNumber",
            "GSTIN",
            "GSTRegistrationType",
            "HasTPAR",
            "T4AEligible",
            "T5018Eligible",
        ),
    }.items()
}
"""The properties of each entity a WHERE or ORDERBY may name (casefolded).

QBO answers 400 for a property its entity does not have rather than an
empty result, so a typo in a filter fails loudly on the fake as it does on
QBO instead of quietly matching nothing."""


@attrs.frozen(kw_only=True)
class _Token:
    kind: str
    text: str
    value: Literal | None
    column: int


@attrs.frozen(kw_only=True)
class Condition:
    """One ``field op value`` test of a WHERE clause."""

    field: str
    operator: str
    values: tuple[Literal, ...]


@attrs.frozen(kw_only=True)
class Query:
    """A parsed query."""

    entity: str
    count: bool
    where: tuple[Condition, ...]
    order_by: tuple[tuple[str, bool], ...]
    """(field, descending) pairs."""
    start_position: int
    max_results: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _errors.query_parse(
                f"Invalid content. Lexical error at line 1, column "
                f"{position + 1}.  Encountered: {text[position]!r}"
            )
        kind = match.lastgroup or ""
        raw = match.group()
        value: Literal | None = None
        if kind == "string":
            value = _ESCAPE.sub(lambda m: m.group(1), raw[1:-1])
        elif kind == "number":
            value = decimal.Decimal(raw)
        elif kind == "name" and raw.lower() in _KEYWORDS:
            kind = raw.lower()
            if kind in {"true", "false"}:
                value = kind == "true"
        if kind != "ws":
            tokens.append(
                _Token(kind=kind, text=raw, value=value, column=position + 1)
            )
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token | None:
        if self.index < len(self.tokens):
            return self.tokens[self.index]
        return None

    def fail(self, expected: str) -> _errors.QboFault:
        token = self.peek()
        if token is None:
            return _errors.query_parse(
                f'Encountered "<EOF>" at end of query. Was expecting: '
                f"{expected}"
            )
        return _errors.query_parse(
            f'Encountered " <{token.kind.upper()}> "{token.text} "" at line '
            f"1, column {token.column}.\nWas expecting: {expected}"
        )

    def take(self, *kinds: str, text: str = "") -> _Token:
        token = self.peek()
        if (
            token is None
            or token.kind not in kinds
            or (text and token.text != text)
        ):
            raise self.fail(text or " | ".join(k.upper() for k in kinds))
        self.index += 1
        return token

    def accept(self, kind: str, text: str = "") -> _Token | None:
        token = self.peek()
        if token is not None and token.kind == kind:
            if text and token.text != text:
                return None
            self.index += 1
            return token
        return None

    def query(self) -> Query:
        self.take("select")
        count = False
        if self.accept("count"):
            self.take("punct", text="(")
            self.take("punct", text="*")
            self.take("punct", text=")")
            count = True
        else:
            self.take("punct", text="*")
            # ``SELECT *, Sku FROM Item`` is what python-quickbooks sends;
            # QBO accepts extra names after ``*`` and still returns all.
            while self.accept("punct", text=","):
                self.take("name")
        self.take("from")
        entity = self.take("name").text
        where: list[Condition] = []
        if self.accept("where"):
            where.append(self.condition())
            while self.accept("and"):
                where.append(self.condition())
        order_by, start, maximum = self.tail()
        return Query(
            entity=entity,
            count=count,
            where=tuple(where),
            order_by=tuple(order_by),
            start_position=max(start or 1, 1),
            max_results=min(
                DEFAULT_MAX_RESULTS if maximum is None else maximum,
                MAX_RESULTS_LIMIT,
            ),
        )

    def tail(self) -> tuple[list[tuple[str, bool]], int | None, int | None]:
        """Read ORDERBY, STARTPOSITION and MAXRESULTS, in any order."""
        order_by: list[tuple[str, bool]] = []
        start: int | None = None
        maximum: int | None = None
        while (token := self.peek()) is not None:
            if token.kind in {"orderby", "order"} and not order_by:
                self.index += 1
                if token.kind == "order":
                    self.take("by")
                order_by.append(self.order_term())
                while self.accept("punct", text=","):
                    order_by.append(self.order_term())
            elif token.kind == "startposition" and start is None:
                self.index += 1
                start = self.integer()
            elif token.kind == "maxresults" and maximum is None:
                self.index += 1
                maximum = self.integer()
            else:
                raise self.fail("ORDERBY | STARTPOSITION | MAXRESULTS | <EOF>")
        return order_by, start, maximum

    def integer(self) -> int:
        token = self.take("number")
        if not isinstance(token.value, decimal.Decimal) or (
            token.value != token.value.to_integral_value()
        ):
            raise self.fail("<INTEGER>")
        return int(token.value)

    def order_term(self) -> tuple[str, bool]:
        name = self.take("name").text
        if self.accept("desc"):
            return name, True
        self.accept("asc")
        return name, False

    def literal(self) -> Literal:
        token = self.take("string", "number", "true", "false")
        if token.value is None:  # pragma: no cover - every kind has a value
            raise self.fail("<VALUE>")
        return token.value

    def condition(self) -> Condition:
        field = self.take("name").text
        token = self.peek()
        if (
            token is not None
            and token.kind == "op"
            and (token.text in _COMPARISONS)
        ):
            self.index += 1
            return Condition(
                field=field, operator=token.text, values=(self.literal(),)
            )
        if self.accept("in"):
            self.take("punct", text="(")
            values = [self.literal()]
            while self.accept("punct", text=","):
                values.append(self.literal())
            self.take("punct", text=")")
            return Condition(field=field, operator="IN", values=tuple(values))
        if self.accept("like"):
            pattern = self.take("string")
            if not isinstance(pattern.value, str):  # pragma: no cover
                raise self.fail("<STRING>")
            return Condition(
                field=field, operator="LIKE", values=(pattern.value,)
            )
        raise self.fail('"=" | "<" | ">" | "<=" | ">=" | "IN" | "LIKE"')


def parse(text: str) -> Query:
    """Parse *text*; raise a 4000 fault when it is not a valid query."""
    return _Parser(text).query()


def check_properties(
    query: Query, entity: str, stored: Sequence[dict[str, Any]] = ()
) -> None:
    """
    Raise a 4000 fault when *query* names a property *entity* lacks.

    A property counts as known when :data:`PROPERTIES` lists it for
    *entity* or when one of the *stored* objects has it at the top level
    (so a seeded property the table misses is still found). Entities
    without a table (Preferences, CompanyInfo) are not checked.
    """
    known = PROPERTIES.get(entity)
    if known is None:
        return
    named = [c.field for c in query.where] + [f for f, _ in query.order_by]
    for field in named:
        top = field.split(".", 1)[0].casefold()
        if top in known or any(
            key.casefold() == top for record in stored for key in record
        ):
            continue
        raise _errors.query_parse(
            f"property '{field}' is not queryable for Entity {entity}"
        )


_MISSING = object()
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_DIGITS = re.compile(r"^-?\d+$")


def _lookup(record: dict[str, Any], path: str) -> object:
    """Follow a dotted, case-insensitive *path* into *record*."""
    current: object = record
    for part in path.split("."):
        if not isinstance(current, dict):
            return _MISSING
        key = part.lower()
        for name, value in current.items():
            if name.lower() == key:
                current = value
                break
        else:
            return _MISSING
    if isinstance(current, dict):
        # References, e-mail, phone and web addresses compare by their
        # one meaningful member: ``CustomerRef = '12'``.
        for member in ("value", "Address", "FreeFormNumber", "URI"):
            if member in current:
                return current[member]
        return _MISSING
    return current


def _sortable(value: object) -> tuple[int, Any]:
    """Return a key that orders values of one field the way QBO does."""
    if value is _MISSING or value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float | decimal.Decimal):
        return (1, to_decimal(value))
    text = str(value)
    if _DIGITS.match(text):
        return (1, decimal.Decimal(text))
    if _DATETIME.match(text) or _DATE.match(text):
        try:
            moment = parse_datetime(text)
        except ValueError:
            pass
        else:
            return (2, moment.astimezone(dt.UTC).isoformat())
    return (3, text.casefold())


def _compare(actual: object, literal: Literal) -> int | None:
    """Return -1/0/1 comparing *actual* with *literal*, None if unlike."""
    if actual is _MISSING or actual is None:
        return None
    if isinstance(actual, bool) or isinstance(literal, bool):
        wanted = (
            literal
            if isinstance(literal, bool)
            else str(literal).lower() == "true"
        )
        return 0 if bool(actual) == wanted else 1
    left: Any
    right: Any
    if isinstance(actual, int | float | decimal.Decimal) or (
        isinstance(literal, decimal.Decimal)
    ):
        try:
            left, right = to_decimal(actual), to_decimal(literal)
        except ValueError:
            return None
    else:
        text = str(actual)
        if _DIGITS.match(text) and _DIGITS.match(literal):
            left, right = int(text), int(literal)
        elif _DATE.match(text) and _DATETIME.match(literal) is None:
            left, right = text, literal[:10]
        elif _DATETIME.match(text) or _DATE.match(text):
            try:
                left = parse_datetime(text)
                right = parse_datetime(literal)
            except ValueError:
                return None
        else:
            left, right = text.casefold(), literal.casefold()
    return int(left > right) - int(left < right)


def _like(actual: object, pattern: str) -> bool:
    if actual is _MISSING or actual is None:
        return False
    regex = ".*".join(re.escape(part) for part in pattern.split("%"))
    return (
        re.fullmatch(regex, str(actual), re.IGNORECASE | re.DOTALL) is not None
    )


_TESTS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "<": lambda c: c < 0,
    ">": lambda c: c > 0,
    "<=": lambda c: c <= 0,
    ">=": lambda c: c >= 0,
}


def matches(record: dict[str, Any], condition: Condition) -> bool:
    """Return whether *record* passes *condition*."""
    actual = _lookup(record, condition.field)
    if condition.operator == "LIKE":
        return _like(actual, str(condition.values[0]))
    if condition.operator == "IN":
        return any(_compare(actual, value) == 0 for value in condition.values)
    result = _compare(actual, condition.values[0])
    return result is not None and _TESTS[condition.operator](result)


def order(
    records: Iterable[dict[str, Any]], order_by: Sequence[tuple[str, bool]]
) -> list[dict[str, Any]]:
    """Sort *records* by Id, then by each ORDERBY term in turn."""
    result = sorted(records, key=lambda r: _sortable(r.get("Id")))
    for field, descending in reversed(order_by):
        result.sort(
            key=lambda r, f=field: _sortable(_lookup(r, f)),  # type: ignore[misc]
            reverse=descending,
        )
    return result


def select(
    records: Iterable[dict[str, Any]],
    conditions: Sequence[Condition],
) -> list[dict[str, Any]]:
    """Return the records that pass every condition (WHERE is AND-only)."""
    return [r for r in records if all(matches(r, c) for c in conditions)]
