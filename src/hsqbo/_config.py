"""Object syncs and the sync configuration."""

from __future__ import annotations

import datetime as dt
import enum
import os
import pathlib
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from hsqbo import _defaults, _toml
from hsqbo._deals import DealRule
from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._filters import (
    FilterGroup,
    FilterVerdict,
    canonical_value,
    evaluate,
)
from hsqbo._mapping import FieldMap
from hsqbo._record import Direction, FieldValue, Record, Side
from hsqbo._unset import UNSET, Unset
from hsqbo._validation import config_problems, object_problems


__all__ = ["ConflictPolicy", "DisplayNameRule", "ObjectSync", "SyncConfig"]


class ConflictPolicy(enum.Enum):
    """
    Who wins when a field changed on both sides since the last sync.

    .. versionadded:: 0.1.0
    """

    MOST_RECENT = "most_recent"
    """The side whose record changed last wins."""
    HUBSPOT_WINS = "hubspot_wins"
    """HubSpot's value wins."""
    QBO_WINS = "qbo_wins"
    """QBO's value wins."""
    MANUAL = "manual"
    """Neither: the field is held and reported for a person to decide."""


ON_DUPLICATE = ("error", "suffix", "link")


def _check_on_duplicate(
    instance: DisplayNameRule, attribute: attrs.Attribute[str], value: object
) -> None:
    del instance, attribute
    if value not in ON_DUPLICATE:
        raise ConfigError(
            [
                ConfigProblem(
                    "on_duplicate",
                    f"unknown strategy {value!r}; valid: "
                    + ", ".join(ON_DUPLICATE),
                )
            ]
        )


@attrs.frozen(kw_only=True)
class DisplayNameRule:
    """
    How a QBO customer's ``DisplayName`` is made from a HubSpot contact.

    Args:
        from_company: Use the name of the contact's primary company; when
            off, or when there is no company, use first + last name.
        on_duplicate: What to do when the name is taken in QBO: ``"error"``
            (the seed's behaviour: the record fails with
            ``DUPLICATE_DISPLAY_NAME``), ``"suffix"`` (append a
            distinguishing suffix) or ``"link"`` (link the contact to the
            company's existing billing customer).

    .. versionadded:: 0.1.0
    """

    from_company: bool = True
    on_duplicate: Literal["error", "suffix", "link"] = attrs.field(
        default="error", validator=_check_on_duplicate
    )


def _aware_utc(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ConfigError(
            [
                ConfigProblem(
                    "setup_at",
                    f"expected a datetime, got {type(value).__name__}",
                )
            ]
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ConfigError(
            [
                ConfigProblem(
                    "setup_at",
                    "naive datetime: give it a time zone, e.g. "
                    "datetime(..., tzinfo=datetime.UTC)",
                )
            ]
        )
    return value.astimezone(dt.UTC)


def _freeze_defaults(value: Mapping[str, object]) -> dict[str, FieldValue]:
    problems: list[ConfigProblem] = []
    result: dict[str, FieldValue] = {}
    for key, item in value.items():
        try:
            result[key] = canonical_value(item)
        except ValueError as exc:
            problems.append(ConfigProblem(f"[{key!r}]", str(exc)))
    if problems:
        raise ConfigError(problems)
    return result


def _check_deal(
    instance: ObjectSync,
    attribute: attrs.Attribute[DealRule | Unset],
    value: object,
) -> None:
    del instance, attribute
    if value is not UNSET and not isinstance(value, DealRule):
        raise ConfigError(
            [
                ConfigProblem(
                    "deal",
                    f"expected a DealRule, got {type(value).__name__}",
                )
            ]
        )


def _to_fields(fields: Iterable[FieldMap]) -> tuple[FieldMap, ...]:
    return tuple(fields)


def _to_groups(groups: Iterable[FilterGroup]) -> tuple[FilterGroup, ...]:
    return tuple(groups)


@attrs.frozen
class ObjectSync:
    """
    One object pair kept in sync.

    Args:
        name: The sync's name, unique in the config (``"contacts"``).
        hubspot: The HubSpot object type (``contacts``, ``products``,
            ``invoices``).
        qbo: The QBO entity (``Customer``, ``Item``, ``Invoice``).
        direction: Which way records flow.
        fields: The mapped fields.
        filters_to_qbo: Which HubSpot records go to QBO (evaluated on
            HubSpot records, so HubSpot property names).
        filters_to_hubspot: Which QBO records go to HubSpot (evaluated on QBO
            records, so QBO field paths).
        match: First-sync match keys, tried in order.
        conflicts: Who wins a field changed on both sides.
        display_name: How customer display names are made (contacts only).
        enabled: Off: the object produces no operations.
        qbo_defaults: Fields set on QBO records that hsqbo creates (an item
            needs ``Type`` and ``IncomeAccountRef.value``).
        hubspot_defaults: Properties set on HubSpot records hsqbo creates.
        deal: How QBO invoices are tied to HubSpot deals (invoice syncs
            only): the association, the deal properties that follow the
            latest invoice and the payment notes. Unset: no deal is touched.

    Raises:
        ConfigError: Any field, filter or setting is invalid; every problem
            is listed with its path.

    .. versionadded:: 0.1.0
    """

    name: str
    hubspot: str
    qbo: str
    direction: Direction = attrs.field(converter=Direction)
    fields: tuple[FieldMap, ...] = attrs.field(converter=_to_fields)
    filters_to_qbo: tuple[FilterGroup, ...] = attrs.field(
        default=(), converter=_to_groups
    )
    filters_to_hubspot: tuple[FilterGroup, ...] = attrs.field(
        default=(), converter=_to_groups
    )
    match: tuple[FieldMap, ...] = attrs.field(
        default=(), converter=_to_fields, kw_only=True
    )
    conflicts: ConflictPolicy = attrs.field(
        default=ConflictPolicy.MOST_RECENT,
        converter=ConflictPolicy,
        kw_only=True,
    )
    display_name: DisplayNameRule = attrs.field(
        factory=DisplayNameRule, kw_only=True
    )
    enabled: bool = attrs.field(default=True, kw_only=True)
    qbo_defaults: Mapping[str, FieldValue] = attrs.field(
        factory=dict, kw_only=True, converter=_freeze_defaults
    )
    hubspot_defaults: Mapping[str, FieldValue] = attrs.field(
        factory=dict, kw_only=True, converter=_freeze_defaults
    )
    deal: DealRule | Unset = attrs.field(
        default=UNSET, kw_only=True, validator=_check_deal
    )

    def __attrs_post_init__(self) -> None:
        problems = object_problems(self)
        if problems:
            raise ConfigError(problems)

    def evaluate_filters(self, record: Record) -> FilterVerdict:
        """
        Tell whether *record* passes the filters of its direction, and why not.

        HubSpot records are checked against ``filters_to_qbo``, QBO records
        against ``filters_to_hubspot``.

        >>> when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> contacts = SyncConfig.recommended(when).object("contacts")
        >>> fields = {"createdate": when}
        >>> r = Record(Side.HUBSPOT, "contacts", "1", fields, when)
        >>> verdict = contacts.evaluate_filters(r)
        >>> verdict.passed, verdict.failures[0].filter.describe()
        (False, 'createdate GT 2026-01-01T00:00:00+00:00')

        .. versionadded:: 0.1.0
        """
        groups = (
            self.filters_to_qbo
            if record.side is Side.HUBSPOT
            else self.filters_to_hubspot
        )
        return evaluate(groups, record)

    @property
    def writes_to_qbo(self) -> bool:
        """Tell whether this sync may write QBO records."""
        return self.direction is not Direction.QBO_TO_HUBSPOT

    @property
    def writes_to_hubspot(self) -> bool:
        """Tell whether this sync may write HubSpot records."""
        return self.direction is not Direction.HUBSPOT_TO_QBO


def _to_objects(objects: Iterable[ObjectSync]) -> tuple[ObjectSync, ...]:
    return tuple(objects)


@attrs.frozen
class SyncConfig:
    """
    Everything hsqbo syncs, and when the sync was set up.

    Args:
        objects: The object syncs, with unique names.
        setup_at: When the sync was set up (aware; kept in UTC).

    Raises:
        ConfigError: The objects are inconsistent (duplicate names) or
            *setup_at* is naive.

    >>> import datetime as dt
    >>> config = SyncConfig.recommended(
    ...     dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC))
    >>> [o.name for o in config.objects]
    ['contacts', 'products', 'invoices']
    >>> SyncConfig.from_toml(config.to_toml()) == config
    True

    .. versionadded:: 0.1.0
    """

    objects: tuple[ObjectSync, ...] = attrs.field(converter=_to_objects)
    setup_at: dt.datetime = attrs.field(converter=_aware_utc)

    def __attrs_post_init__(self) -> None:
        problems = config_problems(self)
        if problems:
            raise ConfigError(problems)

    @classmethod
    def recommended(cls, setup_at: dt.datetime) -> SyncConfig:
        """
        Build the recommended configuration of HubSpot's QuickBooks app.

        * ``contacts`` ⇄ ``Customer``, two-way: every QBO customer goes to
          HubSpot; HubSpot contacts created after *setup_at* go to QBO.
        * ``products`` ← ``Item``, one-way QBO → HubSpot, no filter.
        * ``invoices`` ← ``Invoice``, one-way QBO → HubSpot, created after
          noon of the set-up date in *setup_at*'s time zone.

        Args:
            setup_at: When the sync is set up; must be timezone-aware.

        Raises:
            ConfigError: *setup_at* is naive.
        """
        _aware_utc(setup_at)
        return cls(
            (
                ObjectSync(
                    "contacts",
                    "contacts",
                    "Customer",
                    Direction.TWO_WAY,
                    _defaults.CONTACT_FIELDS,
                    _defaults.contact_filters_to_qbo(
                        setup_at.astimezone(dt.UTC)
                    ),
                    (),
                    match=_defaults.CONTACT_MATCH,
                ),
                ObjectSync(
                    "products",
                    "products",
                    "Item",
                    Direction.QBO_TO_HUBSPOT,
                    _defaults.PRODUCT_FIELDS,
                    match=_defaults.PRODUCT_MATCH,
                ),
                ObjectSync(
                    "invoices",
                    "invoices",
                    "Invoice",
                    Direction.QBO_TO_HUBSPOT,
                    _defaults.INVOICE_FIELDS,
                    (),
                    _defaults.invoice_filters_to_hubspot(setup_at),
                ),
            ),
            setup_at,
        )

    def object(self, name: str) -> ObjectSync:
        """
        Return the object sync called *name*.

        Raises:
            KeyError: No object sync has that name (the message lists them).
        """
        for candidate in self.objects:
            if candidate.name == name:
                return candidate
        known = ", ".join(repr(o.name) for o in self.objects) or "none"
        msg = f"no object sync named {name!r} (configured: {known})"
        raise KeyError(msg)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SyncConfig:
        """
        Load a configuration from plain data (as :meth:`to_dict` makes).

        Raises:
            ConfigError: Every invalid key or value, each with its path.
        """
        return _config_io.structure_config(data)

    def to_dict(self) -> dict[str, Any]:
        """
        Dump the configuration as plain, JSON-compatible data.

        Values equal to their default are left out.

        Raises:
            ConfigError: A field map uses a Python callable as transform
                (callables cannot be serialised); each one is named.
        """
        return _config_io.unstructure_config(self)

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> SyncConfig:
        """
        Load a configuration from TOML text or a TOML file's path.

        A :class:`str` is TOML text; pass a :class:`pathlib.Path` (or any
        path-like object) to read a file.

        Raises:
            ConfigError: The TOML does not parse, or any key or value is
                invalid.
        """
        text = (
            pathlib.Path(source).read_text(encoding="utf-8")
            if isinstance(source, os.PathLike)
            else source
        )
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                [ConfigProblem("", f"invalid TOML: {exc}")]
            ) from None
        return cls.from_dict(data)

    def to_toml(self) -> str:
        """
        Dump the configuration as TOML text.

        Raises:
            ConfigError: A field map uses a Python callable as transform.
        """
        return _toml.dumps(self.to_dict())


# The (un)structuring code needs the classes above; importing it here also
# registers its hooks on the shared converter whenever configs exist.
from hsqbo import _config_io  # noqa: E402
