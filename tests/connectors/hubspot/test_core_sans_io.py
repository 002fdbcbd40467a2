import httpx

from hsqbo.hubspot import NewObject
from hsqbo.hubspot._call import Call, CallKind, Emit
from hsqbo.hubspot._core import Core
from hsqbo.hubspot._paths import Paths


def _page(ids, after=None):
    body = {
        "results": [
            {
                "id": i,
                "properties": {},
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z",
            }
            for i in ids
        ]
    }
    if after:
        body["paging"] = {"next": {"after": after}}
    return httpx.Response(200, json=body)


def test_list_flow_is_driven_by_hand_without_io():
    """The core's list flow yields calls and emits pages; no I/O involved."""
    flow = Core(paths=Paths("v3")).list(
        "products",
        properties=["name"],
        associations=(),
        archived=False,
        page_size=2,
    )
    first = next(flow)
    assert isinstance(first, Call)
    assert first.path == "/crm/v3/objects/products"
    assert first.params == (("properties", "name"), ("limit", "2"))
    assert first.kind is CallKind.READ
    emitted = flow.send(_page(["1", "2"], after="2"))
    assert isinstance(emitted, Emit)
    assert [o.id for o in emitted.items] == ["1", "2"]
    second = flow.send(None)
    assert ("after", "2") in second.params
    last = flow.send(_page(["3"]))
    assert [o.id for o in last.items] == ["3"]
    try:
        flow.send(None)
    except StopIteration:
        pass
    else:
        raise AssertionError("the flow should end after the last page")


def test_create_calls_are_not_blindly_retryable():
    """Plain creates are the only calls marked not retryable."""
    core = Core(paths=Paths("2026-03"))
    create = next(core.create("contacts", NewObject(properties={})))
    upsert = next(core.batch_upsert("contacts", "qbo_id", [("1", {})]))
    assert not create.retryable
    assert upsert.retryable
    assert upsert.kind is CallKind.WRITE
