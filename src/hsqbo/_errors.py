"""
The exceptions hsqbo raises, all under one root.

Every error hsqbo raises on purpose is an :class:`HsqboError`. The families
split by cause, so callers catch what they can act on::

    HsqboError
    ├── ConfigError (ValueError)        a config, mapping or filter is wrong
    │   └── CustomFieldNotEligibleError a QBO custom field fails B12's rules
    ├── PlanError (ValueError)          a saved plan cannot be read
    ├── StoreError                      the state store cannot do its job
    │   └── StoreLockedError            another process holds the store
    ├── TransportError                  no answer: connection, timeout
    ├── WebhookError (ValueError)       a webhook delivery is not acceptable
    │   ├── InvalidSignatureError       the signature does not match
    │   ├── StaleWebhookError           the timestamp is outside the window
    │   ├── ReplayedWebhookError        the event was delivered before
    │   └── MalformedWebhookError       the body is not a known event shape
    └── ApiError                        the provider answered with an error
        ├── AuthenticationError         401, QBO 3200: bad or expired token
        ├── PermissionDeniedError       403, QBO 3100: scope or role missing
        ├── NotFoundError               404, QBO 610: no such object
        ├── ConflictError               409: the object changed or exists
        │   ├── StaleObjectError        QBO 5010: SyncToken is out of date
        │   └── DuplicateError          QBO 6240, HubSpot unique value
        ├── RateLimitError              429, QBO 3001: slow down
        ├── ValidationError             400: the request is invalid
        │   └── QueryError              QBO 4000: the query does not parse
        └── ServerError                 5xx: the provider failed

Provider data lives on attributes (:attr:`ApiError.status_code`,
:attr:`ApiError.code`, :attr:`ApiError.request_id`, :attr:`ApiError.errors`);
tokens and secrets never do, and never appear in a message.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


__all__ = [
    "ApiError",
    "AuthenticationError",
    "ConfigError",
    "ConfigProblem",
    "ConflictError",
    "CustomFieldNotEligibleError",
    "DuplicateError",
    "HsqboError",
    "InvalidSignatureError",
    "MalformedWebhookError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlanError",
    "ProviderErrorDetail",
    "QueryError",
    "RateLimitError",
    "ReplayedWebhookError",
    "ServerError",
    "StaleObjectError",
    "StaleWebhookError",
    "StoreError",
    "StoreLockedError",
    "TransportError",
    "ValidationError",
    "WebhookError",
]


class HsqboError(Exception):
    """
    Root of every exception hsqbo raises on purpose.

    .. versionadded:: 0.1.0
    """


@attrs.frozen
class ConfigProblem:
    """
    One problem found in a configuration, with where it is.

    .. versionadded:: 0.1.0
    """

    path: str
    """Where the problem is, e.g. ``objects[0].fields[3].transform``."""
    message: str
    """What is wrong and, where possible, what to do."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(HsqboError, ValueError):
    """
    A configuration, mapping or filter is invalid.

    It lists *all* problems found, not only the first, each with its path.

    .. versionadded:: 0.1.0
    """

    problems: tuple[ConfigProblem, ...]
    """Every problem found, in the order of the configuration."""

    def __init__(self, problems: Sequence[ConfigProblem | str]) -> None:
        self.problems = tuple(
            p if isinstance(p, ConfigProblem) else ConfigProblem("", p)
            for p in problems
        )
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        body = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid configuration ({head}):\n{body}")


class CustomFieldNotEligibleError(ConfigError):
    """
    A QBO invoice custom field cannot be mapped (B12).

    Each failed rule is one problem.

    .. versionadded:: 0.1.0
    """


class PlanError(HsqboError, ValueError):
    """
    A saved plan cannot be read or does not fit the configuration.

    .. versionadded:: 0.1.0
    """


class StoreError(HsqboError):
    """
    The state store cannot read or write its state.

    .. versionadded:: 0.1.0
    """


class StoreLockedError(StoreError):
    """
    Another process is running a sync on the same state store.

    .. versionadded:: 0.1.0
    """


class TransportError(HsqboError):
    """
    The provider could not be reached or did not answer in time.

    The underlying :class:`httpx.TransportError` is the ``__cause__``.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, message: str, *, provider: str, method: str = "", url: str = ""
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.method = method
        self.url = url


class WebhookError(HsqboError, ValueError):
    """
    A webhook delivery was refused; nothing from it is synced.

    Answer the sender with a 4xx (401 for a bad signature); a
    :class:`ReplayedWebhookError` may be answered with 200, since the event
    was handled the first time.

    .. versionadded:: 0.1.0
    """

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(message)
        #: ``"hubspot"`` or ``"qbo"``.
        self.provider = provider


class InvalidSignatureError(WebhookError):
    """
    The signature is missing or does not match the body.

    .. versionadded:: 0.1.0
    """


class StaleWebhookError(WebhookError):
    """
    The delivery's timestamp is outside the accepted window.

    .. versionadded:: 0.1.0
    """


class ReplayedWebhookError(WebhookError):
    """
    An event of the delivery was accepted before.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, message: str, *, provider: str, event_ids: tuple[str, ...]
    ) -> None:
        super().__init__(message, provider=provider)
        #: The ids of the events seen before.
        self.event_ids = event_ids


class MalformedWebhookError(WebhookError):
    """
    The body is not JSON, or not an event shape hsqbo knows.

    .. versionadded:: 0.1.0
    """


@attrs.frozen(kw_only=True)
class ProviderErrorDetail:
    """
    One error item as the provider reported it.

    .. versionadded:: 0.1.0
    """

    code: str | None = None
    """The provider's code: QBO ``"6240"``, HubSpot ``"INVALID_EMAIL"``."""
    message: str = ""
    """The provider's short message."""
    detail: str = ""
    """The provider's longer explanation, when it gives one."""
    field: str | None = None
    """The field or property the item is about, when the provider says."""


class ApiError(HsqboError):
    """
    The provider answered a request with an error.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status_code: int,
        code: str | None = None,
        request_id: str | None = None,
        errors: Sequence[ProviderErrorDetail] = (),
        method: str = "",
        url: str = "",
        retry_after: float | None = None,
        existing_id: str | None = None,
        policy_name: str | None = None,
        category: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: ``"hubspot"`` or ``"qbo"``.
        self.provider = provider
        #: The HTTP status of the response.
        self.status_code = status_code
        #: The provider's main error code (QBO fault code, HubSpot category).
        self.code = code
        #: QBO ``intuit_tid`` or HubSpot ``correlationId``, for support.
        self.request_id = request_id
        #: Every error item of the response, in order.
        self.errors = tuple(errors)
        self.method = method
        self.url = url
        #: Seconds to wait before retrying, when the provider said so.
        self.retry_after = retry_after
        #: For a duplicate: the id of the record that already has the value.
        self.existing_id = existing_id
        #: For a rate limit: the policy hit (``TEN_SECONDLY_ROLLING``).
        self.policy_name = policy_name
        #: HubSpot's ``category`` (e.g. ``VALIDATION_ERROR``), when given.
        self.category = category

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        rid = f" [request id {self.request_id}]" if self.request_id else ""
        code = f" {self.code}" if self.code else ""
        return (
            f"{self.provider} {self.status_code}{code}: "
            f"{self.message}{where}{rid}"
        )


class AuthenticationError(ApiError):
    """
    The credentials are missing, invalid or expired (401, QBO 3200).

    .. versionadded:: 0.1.0
    """


class PermissionDeniedError(ApiError):
    """
    The credentials lack a scope or role for this request (403, QBO 3100).

    .. versionadded:: 0.1.0
    """


class NotFoundError(ApiError):
    """
    The object does not exist (404, QBO 610).

    .. versionadded:: 0.1.0
    """


class ConflictError(ApiError):
    """
    The write conflicts with the object's current state (409).

    .. versionadded:: 0.1.0
    """


class StaleObjectError(ConflictError):
    """
    The object changed since it was read (QBO 5010, stale ``SyncToken``).

    .. versionadded:: 0.1.0
    """


class DuplicateError(ConflictError):
    """
    A value that must be unique is taken (QBO 6240, HubSpot unique property).

    :attr:`ApiError.existing_id` holds the owner's id when the provider says.

    .. versionadded:: 0.1.0
    """


class RateLimitError(ApiError):
    """
    Too many requests (429, QBO 3001); see :attr:`ApiError.retry_after`.

    .. versionadded:: 0.1.0
    """


class ValidationError(ApiError):
    """
    The provider rejected the request's content (400).

    :attr:`ApiError.errors` holds one item per invalid field.

    .. versionadded:: 0.1.0
    """


class QueryError(ValidationError):
    """
    The query could not be parsed (QBO 4000).

    .. versionadded:: 0.1.0
    """


class ServerError(ApiError):
    """
    The provider failed to handle a valid request (5xx).

    .. versionadded:: 0.1.0
    """
