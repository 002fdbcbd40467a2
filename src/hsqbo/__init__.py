"""
Keep HubSpot CRM and QuickBooks Online in sync.

Every change is planned, explained and reproducible before anything is
written.
"""

from __future__ import annotations

from hsqbo._config import (
    ConflictPolicy,
    DisplayNameRule,
    ObjectSync,
    SyncConfig,
)
from hsqbo._custom_fields import (
    CustomFieldDefinition,
    check_custom_field_eligible,
    check_custom_fields,
)
from hsqbo._deals import DealRule
from hsqbo._defaults import (
    CONTACT_FIELDS,
    CONTACT_MATCH,
    INVOICE_FIELDS,
    PRODUCT_FIELDS,
    PRODUCT_MATCH,
)
from hsqbo._errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    ConfigProblem,
    ConflictError,
    CustomFieldNotEligibleError,
    DuplicateError,
    HsqboError,
    InvalidSignatureError,
    MalformedWebhookError,
    NotFoundError,
    PermissionDeniedError,
    PlanError,
    ProviderErrorDetail,
    QueryError,
    RateLimitError,
    ReplayedWebhookError,
    ServerError,
    StaleObjectError,
    StaleWebhookError,
    StoreError,
    StoreLockedError,
    TransportError,
    ValidationError,
    WebhookError,
)
from hsqbo._filters import (
    Filter,
    FilterFailure,
    FilterGroup,
    FilterVerdict,
    Operator,
)
from hsqbo._mapping import FieldMap, TransformError
from hsqbo._operations import (
    Associate,
    Conflict,
    Create,
    ErrorCode,
    Link,
    Rebase,
    RecordError,
    RecordKey,
    Ref,
    Remap,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._plan import Plan
from hsqbo._planner import plan
from hsqbo._record import Direction, Record, Side
from hsqbo._report import Outcome, RecordOutcome, SyncReport
from hsqbo._retry import RetryPolicy
from hsqbo._sqlite import SQLiteStore
from hsqbo._state import (
    LinkState,
    MemoryStore,
    ObjectState,
    OperationResult,
    RecordStatus,
    StateStore,
    Status,
    SyncState,
)
from hsqbo._store_query import (
    RECORD_COLUMNS,
    RecordQuery,
    RunOutcome,
    RunRecord,
    SyncRecord,
)
from hsqbo._sync import Sync
from hsqbo._unset import UNSET


__all__ = [
    "CONTACT_FIELDS",
    "CONTACT_MATCH",
    "INVOICE_FIELDS",
    "PRODUCT_FIELDS",
    "PRODUCT_MATCH",
    "RECORD_COLUMNS",
    "UNSET",
    "ApiError",
    "Associate",
    "AuthenticationError",
    "ConfigError",
    "ConfigProblem",
    "Conflict",
    "ConflictError",
    "ConflictPolicy",
    "Create",
    "CustomFieldDefinition",
    "CustomFieldNotEligibleError",
    "DealRule",
    "Direction",
    "DisplayNameRule",
    "DuplicateError",
    "ErrorCode",
    "FieldMap",
    "Filter",
    "FilterFailure",
    "FilterGroup",
    "FilterVerdict",
    "HsqboError",
    "InvalidSignatureError",
    "Link",
    "LinkState",
    "MalformedWebhookError",
    "MemoryStore",
    "NotFoundError",
    "ObjectState",
    "ObjectSync",
    "OperationResult",
    "Operator",
    "Outcome",
    "PermissionDeniedError",
    "Plan",
    "PlanError",
    "ProviderErrorDetail",
    "QueryError",
    "RateLimitError",
    "Rebase",
    "Record",
    "RecordError",
    "RecordKey",
    "RecordOutcome",
    "RecordQuery",
    "RecordStatus",
    "Ref",
    "Remap",
    "ReplayedWebhookError",
    "RetryPolicy",
    "RunOutcome",
    "RunRecord",
    "SQLiteStore",
    "ServerError",
    "Side",
    "Skip",
    "SkipReason",
    "StaleObjectError",
    "StaleWebhookError",
    "StateStore",
    "Status",
    "StoreError",
    "StoreLockedError",
    "Sync",
    "SyncConfig",
    "SyncRecord",
    "SyncReport",
    "SyncState",
    "TransformError",
    "TransportError",
    "Update",
    "ValidationError",
    "WebhookError",
    "check_custom_field_eligible",
    "check_custom_fields",
    "plan",
]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - lazy on purpose

        return version("hsqbo")
    msg = f"module 'hsqbo' has no attribute {name!r}"
    raise AttributeError(msg)
