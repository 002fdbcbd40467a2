"""
Typed QBO entities and their wire shape.

Models are frozen attrs classes with snake_case attributes; one private
cattrs :class:`~cattrs.Converter` maps them to and from QBO's PascalCase
JSON. A field QBO did not send is :data:`~hsqbo.UNSET` (not ``None``, not
``""``), so a model holds exactly what was read or what the caller set, and
writes send only that. Keys hsqbo does not model are kept in ``extra`` and
written back unchanged, so a read-modify-write round trip loses nothing.

Money and quantities are :class:`~decimal.Decimal`, ``TxnDate``/``DueDate``
are :class:`datetime.date`, ``MetaData`` times are aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final, TypeAlias, TypeVar, get_args

import attrs
import cattrs
from dateutil import parser as dateparser

from hsqbo._unset import UNSET, Unset


__all__ = [
    "CONVERTER",
    "ENTITY_TYPES",
    "CustomField",
    "Customer",
    "DescriptionLineDetail",
    "DiscountLineDetail",
    "EmailAddress",
    "Entity",
    "GroupLineDetail",
    "Invoice",
    "Item",
    "Line",
    "LinkedTxn",
    "MemoRef",
    "MetaData",
    "Payment",
    "PaymentLine",
    "PhoneNumber",
    "PhysicalAddress",
    "Ref",
    "SalesItemLineDetail",
    "SubTotalLineDetail",
    "WebAddress",
    "structure",
    "unstructure",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True, repr=False)
class _Wire:
    """Base of every model: keeps the keys hsqbo does not model."""

    extra: Mapping[str, Any] = attrs.field(factory=dict)
    """Keys QBO sent that this model has no attribute for; written back."""

    def __repr__(self) -> str:
        # Only what is set: a QBO object has dozens of absent fields.
        shown = ", ".join(
            f"{a.name}={getattr(self, a.name)!r}"
            for a in attrs.fields(type(self))
            if a.name != "extra" and getattr(self, a.name) is not UNSET
        )
        return f"{type(self).__name__}({shown})"


@attrs.frozen(kw_only=True, repr=False)
class Ref(_Wire):
    """
    A reference to another object: ``{"value": "412", "name": "..."}``.

    >>> from hsqbo.qbo import Ref
    >>> Ref(value="412")
    Ref(value='412')

    .. versionadded:: 0.1.0
    """

    value: str = attrs.field(metadata={"wire": "value"})
    """The referenced object's id (or a code such as ``"NON"``)."""
    name: str | Unset = attrs.field(default=UNSET, metadata={"wire": "name"})
    """Its display name; ignored on input."""
    type: str | Unset = attrs.field(default=UNSET, metadata={"wire": "type"})


@attrs.frozen(kw_only=True, repr=False)
class MemoRef(_Wire):
    """
    A memo shown to the customer: ``{"value": "Thank you!"}``.

    .. versionadded:: 0.1.0
    """

    value: str = attrs.field(metadata={"wire": "value"})


@attrs.frozen(kw_only=True, repr=False)
class EmailAddress(_Wire):
    """
    An e-mail address: ``{"Address": "a@b.example"}``.

    .. versionadded:: 0.1.0
    """

    address: str | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class PhoneNumber(_Wire):
    """
    A phone number: ``{"FreeFormNumber": "(503) 555-0142"}``.

    .. versionadded:: 0.1.0
    """

    free_form_number: str | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class WebAddress(_Wire):
    """
    A web address: ``{"URI": "https://..."}``.

    .. versionadded:: 0.1.0
    """

    uri: str | Unset = attrs.field(default=UNSET, metadata={"wire": "URI"})


@attrs.frozen(kw_only=True, repr=False)
class PhysicalAddress(_Wire):
    """
    A postal address (``BillAddr``, ``ShipAddr``).

    .. versionadded:: 0.1.0
    """

    id: str | Unset = UNSET
    line1: str | Unset = UNSET
    line2: str | Unset = UNSET
    line3: str | Unset = UNSET
    line4: str | Unset = UNSET
    line5: str | Unset = UNSET
    city: str | Unset = UNSET
    country: str | Unset = UNSET
    country_sub_division_code: str | Unset = UNSET
    postal_code: str | Unset = UNSET
    lat: str | Unset = UNSET
    long: str | Unset = UNSET
    note: str | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class MetaData(_Wire):
    """
    When QBO created and last changed an object (read-only), aware UTC.

    .. versionadded:: 0.1.0
    """

    create_time: dt.datetime | Unset = UNSET
    last_updated_time: dt.datetime | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class CustomField(_Wire):
    """
    A custom field value on a transaction.

    Legacy fields are ``StringType`` with ``definition_id`` "1".."3";
    enhanced ones may be ``NumberType`` with :attr:`number_value`.

    .. versionadded:: 0.1.0
    """

    definition_id: str
    name: str | Unset = UNSET
    type: str | Unset = UNSET
    string_value: str | Unset = UNSET
    number_value: Decimal | Unset = UNSET
    boolean_value: bool | Unset = UNSET
    date_value: dt.date | Unset = UNSET

    @property
    def value(self) -> str | Decimal | bool | dt.date | None:
        """The value, whichever type it has; ``None`` when unset."""
        for candidate in (
            self.string_value,
            self.number_value,
            self.boolean_value,
            self.date_value,
        ):
            if candidate is not UNSET:
                return candidate
        return None


@attrs.frozen(kw_only=True, repr=False)
class LinkedTxn(_Wire):
    """
    A link to another transaction (a payment on an invoice, and back).

    .. versionadded:: 0.1.0
    """

    txn_id: str
    txn_type: str | Unset = UNSET
    txn_line_id: str | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class SalesItemLineDetail(_Wire):
    """
    The detail of a line that sells an item.

    .. versionadded:: 0.1.0
    """

    item_ref: Ref | Unset = UNSET
    qty: Decimal | Unset = UNSET
    unit_price: Decimal | Unset = UNSET
    tax_code_ref: Ref | Unset = UNSET
    service_date: dt.date | Unset = UNSET
    class_ref: Ref | Unset = UNSET
    item_account_ref: Ref | Unset = UNSET
    discount_rate: Decimal | Unset = UNSET
    discount_amt: Decimal | Unset = UNSET
    tax_inclusive_amt: Decimal | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class DiscountLineDetail(_Wire):
    """
    The detail of a discount line.

    .. versionadded:: 0.1.0
    """

    percent_based: bool | Unset = UNSET
    discount_percent: Decimal | Unset = UNSET
    discount_account_ref: Ref | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class SubTotalLineDetail(_Wire):
    """
    The detail of a subtotal line (QBO adds one to every invoice).

    .. versionadded:: 0.1.0
    """

    item_ref: Ref | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class DescriptionLineDetail(_Wire):
    """
    The detail of a description-only line.

    .. versionadded:: 0.1.0
    """

    service_date: dt.date | Unset = UNSET
    tax_code_ref: Ref | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class GroupLineDetail(_Wire):
    """
    The detail of a group (bundle) line, with its own lines.

    .. versionadded:: 0.1.0
    """

    group_item_ref: Ref | Unset = UNSET
    quantity: Decimal | Unset = UNSET
    line: tuple[Line, ...] | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class Line(_Wire):
    """
    One invoice line; :attr:`detail_type` says which detail is set.

    Detail types: ``SalesItemLineDetail``, ``GroupLineDetail``,
    ``DescriptionOnly``, ``DiscountLineDetail``, ``SubTotalLineDetail``.
    Others are kept in ``extra``.

    >>> from hsqbo.qbo import Line, Ref, SalesItemLineDetail
    >>> from decimal import Decimal
    >>> line = Line(amount=Decimal("900"), detail_type="SalesItemLineDetail",
    ...             sales_item_line_detail=SalesItemLineDetail(
    ...                 item_ref=Ref(value="37"), qty=Decimal(2)))
    >>> line.sales_item_line_detail.item_ref.value
    '37'

    .. versionadded:: 0.1.0
    """

    id: str | Unset = UNSET
    line_num: int | Unset = UNSET
    description: str | Unset = UNSET
    amount: Decimal | Unset = UNSET
    detail_type: str | Unset = UNSET
    sales_item_line_detail: SalesItemLineDetail | Unset = UNSET
    group_line_detail: GroupLineDetail | Unset = UNSET
    description_line_detail: DescriptionLineDetail | Unset = UNSET
    discount_line_detail: DiscountLineDetail | Unset = UNSET
    sub_total_line_detail: SubTotalLineDetail | Unset = UNSET
    linked_txn: tuple[LinkedTxn, ...] | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class PaymentLine(_Wire):
    """
    One line of a payment: an amount applied to linked transactions.

    .. versionadded:: 0.1.0
    """

    amount: Decimal | Unset = UNSET
    linked_txn: tuple[LinkedTxn, ...] | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class Entity(_Wire):
    """
    Base of the QBO entities: an id, a ``SyncToken`` and ``MetaData``.

    .. versionadded:: 0.1.0
    """

    ENTITY: ClassVar[str] = ""
    """QBO's name of the entity, as in queries (``Customer``)."""
    NAME_LIST: ClassVar[bool] = False
    """Name-list entities are deactivated, not deleted, and hidden from
    queries while inactive."""

    id: str | Unset = UNSET
    """The id QBO gave it; unset before creation."""
    sync_token: str | Unset = UNSET
    """The version QBO checks on every update (a string, ``"0"`` first)."""
    meta_data: MetaData | Unset = UNSET
    """Creation and last-update times (read-only)."""


@attrs.frozen(kw_only=True, repr=False)
class Customer(Entity):
    """
    A QBO customer.

    ``display_name`` is unique across customers, vendors and employees.

    >>> from hsqbo.qbo import Customer
    >>> Customer(display_name="Harbor Lane Bakery").display_name
    'Harbor Lane Bakery'

    .. versionadded:: 0.1.0
    """

    ENTITY: ClassVar[str] = "Customer"
    NAME_LIST: ClassVar[bool] = True

    display_name: str | Unset = UNSET
    title: str | Unset = UNSET
    given_name: str | Unset = UNSET
    middle_name: str | Unset = UNSET
    family_name: str | Unset = UNSET
    suffix: str | Unset = UNSET
    company_name: str | Unset = UNSET
    fully_qualified_name: str | Unset = UNSET
    print_on_check_name: str | Unset = UNSET
    primary_email_addr: EmailAddress | Unset = UNSET
    primary_phone: PhoneNumber | Unset = UNSET
    alternate_phone: PhoneNumber | Unset = UNSET
    mobile: PhoneNumber | Unset = UNSET
    fax: PhoneNumber | Unset = UNSET
    web_addr: WebAddress | Unset = UNSET
    bill_addr: PhysicalAddress | Unset = UNSET
    ship_addr: PhysicalAddress | Unset = UNSET
    notes: str | Unset = UNSET
    active: bool | Unset = UNSET
    job: bool | Unset = UNSET
    bill_with_parent: bool | Unset = UNSET
    parent_ref: Ref | Unset = UNSET
    level: int | Unset = UNSET
    taxable: bool | Unset = UNSET
    balance: Decimal | Unset = UNSET
    balance_with_jobs: Decimal | Unset = UNSET
    currency_ref: Ref | Unset = UNSET
    preferred_delivery_method: str | Unset = UNSET
    sales_term_ref: Ref | Unset = UNSET
    payment_method_ref: Ref | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class Item(Entity):
    """
    A QBO product or service.

    ``name`` is unique among items. ``type`` is ``Service``,
    ``NonInventory``, ``Inventory``, ``Category`` or ``Group``.

    .. versionadded:: 0.1.0
    """

    ENTITY: ClassVar[str] = "Item"
    NAME_LIST: ClassVar[bool] = True

    name: str | Unset = UNSET
    fully_qualified_name: str | Unset = UNSET
    type: str | Unset = UNSET
    active: bool | Unset = UNSET
    taxable: bool | Unset = UNSET
    sales_tax_included: bool | Unset = UNSET
    description: str | Unset = UNSET
    purchase_desc: str | Unset = UNSET
    sku: str | Unset = UNSET
    unit_price: Decimal | Unset = UNSET
    purchase_cost: Decimal | Unset = UNSET
    track_qty_on_hand: bool | Unset = UNSET
    qty_on_hand: Decimal | Unset = UNSET
    reorder_point: Decimal | Unset = UNSET
    inv_start_date: dt.date | Unset = UNSET
    income_account_ref: Ref | Unset = UNSET
    expense_account_ref: Ref | Unset = UNSET
    asset_account_ref: Ref | Unset = UNSET
    sub_item: bool | Unset = UNSET
    parent_ref: Ref | Unset = UNSET
    level: int | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class Invoice(Entity):
    """
    A QBO invoice: lines of every detail type, custom fields, links.

    ``total_amt`` and ``balance`` are computed by QBO; ``linked_txn`` lists
    the payments applied to it.

    .. versionadded:: 0.1.0
    """

    ENTITY: ClassVar[str] = "Invoice"

    doc_number: str | Unset = UNSET
    txn_date: dt.date | Unset = UNSET
    due_date: dt.date | Unset = UNSET
    customer_ref: Ref | Unset = UNSET
    currency_ref: Ref | Unset = UNSET
    exchange_rate: Decimal | Unset = UNSET
    custom_field: tuple[CustomField, ...] | Unset = UNSET
    line: tuple[Line, ...] | Unset = UNSET
    txn_tax_detail: Mapping[str, Any] | Unset = UNSET
    total_amt: Decimal | Unset = UNSET
    balance: Decimal | Unset = UNSET
    home_total_amt: Decimal | Unset = UNSET
    home_balance: Decimal | Unset = UNSET
    linked_txn: tuple[LinkedTxn, ...] | Unset = UNSET
    email_status: str | Unset = UNSET
    print_status: str | Unset = UNSET
    bill_email: EmailAddress | Unset = UNSET
    bill_addr: PhysicalAddress | Unset = UNSET
    ship_addr: PhysicalAddress | Unset = UNSET
    private_note: str | Unset = UNSET
    customer_memo: MemoRef | Unset = UNSET
    sales_term_ref: Ref | Unset = UNSET
    apply_tax_after_discount: bool | Unset = UNSET
    deposit: Decimal | Unset = UNSET


@attrs.frozen(kw_only=True, repr=False)
class Payment(Entity):
    """
    A QBO payment; each line applies an amount to linked invoices.

    .. versionadded:: 0.1.0
    """

    ENTITY: ClassVar[str] = "Payment"

    txn_date: dt.date | Unset = UNSET
    total_amt: Decimal | Unset = UNSET
    unapplied_amt: Decimal | Unset = UNSET
    process_payment: bool | Unset = UNSET
    customer_ref: Ref | Unset = UNSET
    currency_ref: Ref | Unset = UNSET
    exchange_rate: Decimal | Unset = UNSET
    payment_method_ref: Ref | Unset = UNSET
    payment_ref_num: str | Unset = UNSET
    deposit_to_account_ref: Ref | Unset = UNSET
    private_note: str | Unset = UNSET
    line: tuple[PaymentLine, ...] | Unset = UNSET
    custom_field: tuple[CustomField, ...] | Unset = UNSET


ENTITY_TYPES: Mapping[str, type[Entity]] = {
    cls.ENTITY: cls for cls in (Customer, Item, Invoice, Payment)
}
"""The modelled entities by QBO name."""

_ACRONYMS = {"uri": "URI"}
_WORD = re.compile(r"_([a-z0-9])")


def wire_name(attribute: attrs.Attribute[Any]) -> str:
    """Return the JSON key QBO uses for *attribute*."""
    named = attribute.metadata.get("wire")
    if named is not None:
        return str(named)
    name = attribute.name
    if name in _ACRONYMS:
        return _ACRONYMS[name]
    return _WORD.sub(lambda m: m.group(1).upper(), name[:1].upper() + name[1:])


def _without_unset(annotation: Any) -> Any:  # noqa: ANN401 - type forms
    args = [a for a in get_args(annotation) if a is not Unset]
    if not get_args(annotation) or len(args) == len(get_args(annotation)):
        return annotation
    if len(args) == 1:
        return args[0]
    msg = f"model fields hold one type besides Unset, not {annotation!r}"
    raise TypeError(msg)


def _structure_decimal(value: object, _: type) -> Decimal:
    if value.__class__ is int:
        # Exact and finite by nature; skips the str round trip.
        return Decimal(value)
    if isinstance(value, bool):
        msg = "a boolean is not an amount"
        raise TypeError(msg)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            msg = f"not a number: {value!r}"
            raise ValueError(msg) from None
        if not result.is_finite():
            msg = f"not a finite number: {value!r}"
            raise ValueError(msg)
        return result
    msg = f"not a number: {type(value).__name__}"
    raise TypeError(msg)


def _structure_bool(value: object, _: type) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    msg = f"not a boolean: {value!r}"
    raise TypeError(msg)


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool):
        msg = "a boolean is not an integer"
        raise TypeError(msg)
    if isinstance(value, int):
        return value
    if isinstance(value, str | Decimal | float) and Decimal(str(value)) == int(
        Decimal(str(value))
    ):
        return int(Decimal(str(value)))
    msg = f"not an integer: {value!r}"
    raise TypeError(msg)


def _structure_str(value: object, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        # SyncToken and ids are strings on the wire; some tools send numbers.
        return str(value)
    msg = f"not a string: {value!r}"
    raise TypeError(msg)


def _structure_date(value: object, _: type) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    msg = f"not a date: {value!r}"
    raise TypeError(msg)


def _structure_datetime(value: object, _: type) -> dt.datetime:
    if value.__class__ is str:
        return _parse_time(value)
    if isinstance(value, str):
        return _parse_time(str(value))
    if not isinstance(value, dt.datetime):
        msg = f"not a datetime: {value!r}"
        raise TypeError(msg)
    return _in_utc(value)


@functools.lru_cache(maxsize=1024)
def _parse_time(text: str) -> dt.datetime:
    # Times repeat (CreateTime is LastUpdatedTime until an object changes;
    # imports stamp many objects in one second), and datetimes are
    # immutable, so a small cache saves most of the parsing.
    try:
        # QBO writes plain ISO 8601; the stdlib parses it ten times
        # faster than dateutil, which stays for the odd forms.
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = dateparser.isoparse(text)
    return _in_utc(value)


def _in_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"QBO times carry an offset; got a naive one: {value!r}"
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


class _NoExtra(dict[str, Any]):
    """
    An empty dict that refuses changes: the ``extra`` of read models.

    A dict still, so JSON encoders, ``copy`` and ``deepcopy`` take it.
    """

    __slots__ = ()

    def _refuse(self, *_: object, **__: object) -> None:
        msg = "the extra keys of a read model are read-only"
        raise TypeError(msg)

    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __copy__(self) -> _NoExtra:
        return self

    def __deepcopy__(self, memo: object) -> _NoExtra:
        return self

    def __reduce__(self) -> tuple[type[_NoExtra], tuple[()]]:
        return (_NoExtra, ())


NO_EXTRA: Final[Mapping[str, Any]] = _NoExtra()
"""The shared ``extra`` of every model read without unknown keys."""

# References repeat across a company's objects (the same currency, tax
# code, items, terms, customers); equal ones share one instance.
_INTERNED: Final = frozenset({Ref})
_INTERN_LIMIT: Final = 4096

# Values of exactly these classes are what their hooks above return
# unchanged, so structuring passes them through without a call.
_KEPT_AS_IS: Final = frozenset({str, bool, int, Decimal, dt.date})
# Values of exactly these classes unstructure to themselves.
PLAIN: Final = frozenset(
    {str, bool, int, float, Decimal, dt.date, dt.datetime}
)


def _is_model(cls: object) -> bool:
    return isinstance(cls, type) and issubclass(cls, _Wire)


_WIRE_FIELDS: dict[type[_Wire], tuple[tuple[str, str], ...]] = {}


def wire_fields(cls: type[_Wire]) -> tuple[tuple[str, str], ...]:
    """Return ``(attribute, JSON key)`` of *cls*'s fields, ``extra`` aside."""
    fields = _WIRE_FIELDS.get(cls)
    if fields is None:
        attrs.resolve_types(cls)
        fields = _WIRE_FIELDS[cls] = tuple(
            (a.name, wire_name(a))
            for a in attrs.fields(cls)
            if a.name != "extra"
        )
    return fields


_READERS: dict[
    type[_Wire], tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
] = {}


def field_reader(
    cls: type[_Wire],
) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """
    Return *cls*'s JSON keys and a reader of its values in that order.

    The reader's tuple ends with ``extra`` (one past the keys), so
    ``zip(keys, reader(model))`` pairs the fields alone.
    """
    reader = _READERS.get(cls)
    if reader is None:
        fields = wire_fields(cls)
        reader = _READERS[cls] = (
            tuple(wire for _, wire in fields),
            # One C call reads every attribute ("extra" too: a tuple always).
            operator.attrgetter(*(name for name, _ in fields), "extra"),
        )
    return reader


_Spec: TypeAlias = tuple[int, type | None, Callable[[Any, Any], Any], Any]
_REQUIRED: Final = object()
"""Stands for a required field no key filled."""


def _builder(cls: type[_Wire]) -> Callable[[list[Any]], _Wire] | None:
    """
    Return a fast constructor of *cls* from its values in field order.

    attrs' ``__init__`` of a frozen slotted class stores every field (34
    on a customer) through a call to ``object.__setattr__``: a third of
    the cost of reading a row. The builder assigns them directly on an
    instance of a private subclass that adds no slots and allows stores,
    then gives the instance its real class (Python allows that between
    classes of one layout): the same frozen object in about a quarter of
    the time. It only knows plain defaults, so a class with a validator,
    converter, setattr hook, default other than UNSET (besides ``extra``'s
    factory) or ``__attrs_post_init__`` gets ``None`` and is built by
    ``__init__``.
    """
    fields = attrs.fields(cls)
    plain = all(
        a.init
        and a.alias == a.name
        and a.validator is None
        and a.converter is None
        and a.on_setattr is None
        and (
            a.name == "extra"
            or a.default is attrs.NOTHING
            or a.default is UNSET
        )
        for a in fields
    )
    hooks = ("__attrs_pre_init__", "__attrs_post_init__")
    if not plain or any(hasattr(cls, hook) for hook in hooks):
        return None
    unfrozen = type(
        f"_Unfrozen{cls.__name__}",
        (cls,),
        {
            "__slots__": (),
            "__module__": __name__,
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
    lines = ["def build(values):", "    obj = new(unfrozen)"]
    lines += [f"    obj.{a.name} = values[{i}]" for i, a in enumerate(fields)]
    lines += ["    obj.__class__ = cls", "    return obj"]
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "unfrozen": unfrozen,
        "cls": cls,
    }
    # Generated like attrs' own __init__: names are the class's fields.
    code = compile("\n".join(lines), f"<build {cls.__qualname__}>", "exec")
    exec(code, namespace)  # noqa: S102
    build: Callable[[list[Any]], _Wire] = namespace["build"]
    return build


def _finisher(
    cls: type[_Wire], template: list[Any]
) -> Callable[[list[Any]], _Wire]:
    """Return what makes *cls* from its values in field order."""
    names = [a.name for a in attrs.fields(cls)]
    required = [i for i, value in enumerate(template) if value is _REQUIRED]
    build = _builder(cls)
    if build is not None and not required:
        return build

    def finish(values: list[Any]) -> _Wire:
        if build is not None and all(
            values[i] is not _REQUIRED for i in required
        ):
            return build(values)
        # attrs' __init__ words the error of a missing required field.
        kwargs: dict[str, Any] = {
            name: value
            for name, value in zip(names, values, strict=True)
            if value is not _REQUIRED
        }
        return cls(**kwargs)

    return finish


def _model_structure(
    converter: cattrs.Converter, cls: type[_Wire]
) -> Callable[[Any, type], _Wire]:
    attrs.resolve_types(cls)
    fields = attrs.fields(cls)
    names = [a.name for a in fields]
    position = {name: i for i, name in enumerate(names)}
    at_extra = position["extra"]
    template = [
        _REQUIRED if a.default is attrs.NOTHING else a.default for a in fields
    ]
    finish = _finisher(cls, template)
    annotations = {a.name: _without_unset(a.type) for a in fields}
    # Filled on first use: models nest recursively (a group line holds
    # lines), so their hooks cannot all be looked up while this one is made.
    specs: dict[str, _Spec] = {}

    def prepare() -> None:
        for name, wire in wire_fields(cls):
            annotation = annotations[name]
            hook = converter.get_structure_hook(annotation)
            kept = annotation if annotation in _KEPT_AS_IS else None
            specs[wire] = (position[name], kept, hook, annotation)

    def structure(data: object, _: type) -> _Wire:
        if data.__class__ is not dict and not isinstance(data, Mapping):
            msg = f"{cls.__name__} needs a JSON object, got {data!r}"
            raise TypeError(msg)
        if not specs:
            prepare()
        extra: dict[str, Any] | None = None
        values = template.copy()
        spec_of = specs.get
        for key, value in data.items():
            spec = spec_of(key)
            if spec is None or value is None:
                if extra is None:
                    extra = {}
                extra[key] = value
                continue
            at, kept, hook, annotation = spec
            values[at] = (
                value if value.__class__ is kept else hook(value, annotation)
            )
        values[at_extra] = NO_EXTRA if extra is None else extra
        return finish(values)

    if cls in _INTERNED:
        return _interning(cls, structure)
    return structure


def _interning(
    cls: type[_Wire], build: Callable[[Any, type], _Wire]
) -> Callable[[Any, type], _Wire]:
    """
    Wrap *build* to hand out one instance per distinct all-string object.

    Models are immutable and one without unknown keys holds the read-only
    :data:`NO_EXTRA`, so equal references can share an instance.
    """
    cache: dict[tuple[tuple[str, Any], ...], _Wire] = {}

    def structure(data: object, _: type) -> _Wire:
        if data.__class__ is not dict:
            return build(data, cls)
        items = tuple(data.items())
        try:
            hit = cache.get(items)
        except TypeError:  # an unhashable value: no sharing
            return build(data, cls)
        if hit is not None:
            return hit
        built = build(data, cls)
        # Strings only: 1 == True == Decimal(1) would mix up other types.
        if built.extra is NO_EXTRA and all(
            value.__class__ is str for _, value in items
        ):
            if len(cache) >= _INTERN_LIMIT:
                cache.clear()
            cache[items] = built
        return built

    return structure


def _unstructurer(
    converter: cattrs.Converter,
) -> Callable[[object], object]:
    """
    Return ``converter.unstructure`` with its hooks looked up once a class.

    The converter is complete once made, so a class's hook never changes;
    the lookup was the dearest part of unstructuring a line.
    """
    hooks: dict[type, Callable[[Any], Any]] = {}

    def unstructure(value: object) -> object:
        cls = value.__class__
        if cls in PLAIN:
            return value
        hook = hooks.get(cls)
        if hook is None:
            hook = hooks[cls] = converter.get_unstructure_hook(cls)
        return hook(value)

    return unstructure


def _model_unstructure(
    converter: cattrs.Converter, cls: type[_Wire]
) -> Callable[[_Wire], dict[str, Any]]:
    wires, read = field_reader(cls)
    unstructure_value = _unstructurer(converter)

    def unstructure(obj: _Wire) -> dict[str, Any]:
        values = read(obj)
        extra = values[-1]
        out: dict[str, Any] = {}
        for wire, value in zip(wires, values):  # noqa: B905 - extra is last
            if value is UNSET:
                continue
            out[wire] = (
                value if value.__class__ in PLAIN else unstructure_value(value)
            )
        for key, value in extra.items():
            out.setdefault(key, value)
        return out

    return unstructure


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(dt.datetime, _structure_datetime)
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_structure_hook_factory(
        _is_model, lambda cls: _model_structure(converter, cls)
    )
    converter.register_unstructure_hook_factory(
        _is_model, lambda cls: _model_unstructure(converter, cls)
    )
    # Tuples stay tuples: Record fields are immutable; JSON encodes both.
    unstructure_value = _unstructurer(converter)
    converter.register_unstructure_hook(
        tuple, lambda value: tuple([unstructure_value(v) for v in value])
    )
    for scalar in (Decimal, dt.date, dt.datetime):
        converter.register_unstructure_hook(scalar, lambda value: value)
    return converter


CONVERTER = _make_converter()
"""The converter between models and QBO's JSON shapes (Decimals, dates and
datetimes stay Python objects; the JSON encoder writes them)."""


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """
    Build a model from QBO's JSON shape.

    >>> from hsqbo.qbo import Customer, structure
    >>> customer = structure({"Id": "1", "DisplayName": "Ada", "Foo": 1},
    ...                      Customer)
    >>> customer.display_name, customer.extra
    ('Ada', {'Foo': 1})

    .. versionadded:: 0.1.0
    """
    return CONVERTER.structure(data, cls)


def unstructure(model: _Wire) -> dict[str, Any]:
    """
    Return *model* in QBO's JSON shape, unknown keys included.

    >>> from hsqbo.qbo import Customer, unstructure
    >>> unstructure(Customer(display_name="Ada", extra={"Foo": 1}))
    {'DisplayName': 'Ada', 'Foo': 1}

    .. versionadded:: 0.1.0
    """
    result: dict[str, Any] = CONVERTER.unstructure(model)
    return result


for _cls in (
    Ref,
    MemoRef,
    EmailAddress,
    PhoneNumber,
    WebAddress,
    PhysicalAddress,
    MetaData,
    CustomField,
    LinkedTxn,
    SalesItemLineDetail,
    DiscountLineDetail,
    SubTotalLineDetail,
    DescriptionLineDetail,
    GroupLineDetail,
    Line,
    PaymentLine,
    Entity,
    Customer,
    Item,
    Invoice,
    Payment,
):
    attrs.resolve_types(_cls, globals(), locals())
