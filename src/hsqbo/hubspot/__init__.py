"""
The HubSpot CRM connector: typed, lazy, rate-limited and retrying.

:class:`HubSpotClient` and :class:`AsyncHubSpotClient` share one sans-I/O
core; pick the one that fits your program.
"""

from __future__ import annotations

from hsqbo.hubspot._associations import AssociationTypes
from hsqbo.hubspot._auth import (
    OAuthApp,
    OAuthToken,
    PrivateAppToken,
    TokenRefreshCallback,
)
from hsqbo.hubspot._client import (
    DEFAULT_BASE_URL,
    AsyncHubSpotClient,
    HubSpotClient,
)
from hsqbo.hubspot._codecs import (
    PropertyType,
    decode_datetime,
    decode_value,
    encode_value,
)
from hsqbo.hubspot._errors import error_from_body
from hsqbo.hubspot._limits import RateLimits
from hsqbo.hubspot._models import (
    Association,
    AssociationCategory,
    AssociationSpec,
    BatchOutcome,
    BatchResult,
    HubSpotObject,
    NewObject,
    NewProperty,
    PropertyDefinition,
    PropertyGroup,
    PropertyOption,
)
from hsqbo.hubspot._records import property_types, to_record
from hsqbo.hubspot._search import (
    SearchLimits,
    Sort,
    SortDirection,
    compile_filter_groups,
)


__all__ = [
    "DEFAULT_BASE_URL",
    "Association",
    "AssociationCategory",
    "AssociationSpec",
    "AssociationTypes",
    "AsyncHubSpotClient",
    "BatchOutcome",
    "BatchResult",
    "HubSpotClient",
    "HubSpotObject",
    "NewObject",
    "NewProperty",
    "OAuthApp",
    "OAuthToken",
    "PrivateAppToken",
    "PropertyDefinition",
    "PropertyGroup",
    "PropertyOption",
    "PropertyType",
    "RateLimits",
    "SearchLimits",
    "Sort",
    "SortDirection",
    "TokenRefreshCallback",
    "compile_filter_groups",
    "decode_datetime",
    "decode_value",
    "encode_value",
    "error_from_body",
    "property_types",
    "to_record",
]
