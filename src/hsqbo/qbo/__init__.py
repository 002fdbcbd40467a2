"""
QuickBooks Online: a typed client, OAuth 2, queries, CDC and batches.

Start with :class:`QuickBooksClient` (or :class:`AsyncQuickBooksClient`)
and see the how-to "Connect to QuickBooks Online".
"""

from __future__ import annotations

from hsqbo.qbo._batch import BatchItem, BatchOperation, BatchResult
from hsqbo.qbo._cdc import ChangeSet, ChangeWindowError, DeletedEntity
from hsqbo.qbo._client import (
    AsyncQuickBooksClient,
    QuickBooksClient,
    exchange_code,
    exchange_code_async,
)
from hsqbo.qbo._core import (
    DEFAULT_MINOR_VERSION,
    DEFAULT_RETRY,
    PRODUCTION_URL,
    SANDBOX_URL,
)
from hsqbo.qbo._limits import QuickBooksLimits
from hsqbo.qbo._models import (
    Customer,
    CustomField,
    DescriptionLineDetail,
    DiscountLineDetail,
    EmailAddress,
    Entity,
    GroupLineDetail,
    Invoice,
    Item,
    Line,
    LinkedTxn,
    MemoRef,
    MetaData,
    Payment,
    PaymentLine,
    PhoneNumber,
    PhysicalAddress,
    Ref,
    SalesItemLineDetail,
    SubTotalLineDetail,
    WebAddress,
    structure,
    unstructure,
)
from hsqbo.qbo._oauth import ACCOUNTING_SCOPE, OAuth2App, OAuth2Token
from hsqbo.qbo._preferences import SalesFormCustomField
from hsqbo.qbo._query import Condition, Query, QueryOperator, escape, select
from hsqbo.qbo._records import from_fields, to_fields, to_record


__all__ = [
    "ACCOUNTING_SCOPE",
    "DEFAULT_MINOR_VERSION",
    "DEFAULT_RETRY",
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "AsyncQuickBooksClient",
    "BatchItem",
    "BatchOperation",
    "BatchResult",
    "ChangeSet",
    "ChangeWindowError",
    "Condition",
    "CustomField",
    "Customer",
    "DeletedEntity",
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
    "OAuth2App",
    "OAuth2Token",
    "Payment",
    "PaymentLine",
    "PhoneNumber",
    "PhysicalAddress",
    "Query",
    "QueryOperator",
    "QuickBooksClient",
    "QuickBooksLimits",
    "Ref",
    "SalesFormCustomField",
    "SalesItemLineDetail",
    "SubTotalLineDetail",
    "WebAddress",
    "escape",
    "exchange_code",
    "exchange_code_async",
    "from_fields",
    "select",
    "structure",
    "to_fields",
    "to_record",
    "unstructure",
]
