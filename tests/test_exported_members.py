"""The public namespaces export exactly their public names, sorted."""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import types

import pytest

import hsqbo


def _public_namespaces() -> list[str]:
    return ["hsqbo"] + [
        f"hsqbo.{info.name}"
        for info in pkgutil.iter_modules(hsqbo.__path__)
        if not info.name.startswith("_")
    ]


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    if name.isupper():
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


def test_public_namespaces_are_found() -> None:
    """The namespace discovery sees hsqbo and hsqbo.testing at least."""
    found = _public_namespaces()
    assert "hsqbo" in found
    assert "hsqbo.testing" in found


@pytest.mark.parametrize("name", _public_namespaces())
def test_all_is_sorted_and_complete(name: str) -> None:
    """__all__ is sorted, importable, and lists every public attribute."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_key)
    for member in exported:
        assert hasattr(module, member), f"{name}.{member} is not importable"
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and not isinstance(value, types.ModuleType)
        and attr != "annotations"
    }
    assert public <= set(exported), f"{name} exports too little"


def test_version_is_served_from_metadata() -> None:
    """hsqbo.__version__ comes from the installed distribution."""
    assert hsqbo.__version__ == importlib.metadata.version("hsqbo")


# design.md §4: the names users and the acceptance tests import.
_CONTRACT = {
    "hsqbo": (
        "Associate Conflict ConflictPolicy Create Direction DisplayNameRule "
        "FieldMap Filter FilterGroup HsqboError Link MemoryStore ObjectSync "
        "Operator Plan Record RecordError SQLiteStore Side Skip StateStore "
        "Sync SyncConfig Update plan"
    ),
    "hsqbo.hubspot": "AsyncHubSpotClient HubSpotClient",
    "hsqbo.qbo": "AsyncQuickBooksClient OAuth2Token QuickBooksClient",
    "hsqbo.testing": "FakeHubSpot FakeQuickBooks",
}


@pytest.mark.parametrize(("name", "members"), sorted(_CONTRACT.items()))
def test_design_contract_names_are_exported(name: str, members: str) -> None:
    """Every public name of design §4 is in its namespace's __all__."""
    module = importlib.import_module(name)
    missing = sorted(set(members.split()) - set(module.__all__))
    assert not missing, f"{name} lacks {missing}"
