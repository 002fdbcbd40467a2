"""The fake's HTTP envelope: headers, times, requestid, realms, call log."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from hsqbo.testing import FakeQuickBooks, VirtualClock


def test_responses_carry_intuit_tid_and_json(http: httpx.Client) -> None:
    """Every answer has an intuit_tid header and a JSON content type."""
    first = http.get("/customer/1")
    second = http.get("/query", params={"query": "select * from Customer"})
    assert first.headers["intuit_tid"]
    assert first.headers["intuit_tid"] != second.headers["intuit_tid"]
    assert second.headers["content-type"].startswith("application/json")


def test_fault_envelope(http: httpx.Client) -> None:
    """Errors are Fault envelopes with string codes."""
    body = http.get("/customer/9").json()
    assert set(body) == {"Fault", "time"}
    assert body["Fault"]["type"] == "ValidationFault"
    assert isinstance(body["Fault"]["Error"][0]["code"], str)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (
            dt.datetime(2026, 1, 15, 20, 0, tzinfo=dt.UTC),
            "2026-01-15T12:00:00-08:00",
        ),
        (
            dt.datetime(2026, 7, 15, 20, 0, tzinfo=dt.UTC),
            "2026-07-15T13:00:00-07:00",
        ),
        # The DST switches of 2026: 8 March 10:00 UTC and 1 November 09:00 UTC.
        (
            dt.datetime(2026, 3, 8, 9, 59, 59, tzinfo=dt.UTC),
            "2026-03-08T01:59:59-08:00",
        ),
        (
            dt.datetime(2026, 3, 8, 10, 0, tzinfo=dt.UTC),
            "2026-03-08T03:00:00-07:00",
        ),
        (
            dt.datetime(2026, 11, 1, 8, 59, 59, tzinfo=dt.UTC),
            "2026-11-01T01:59:59-07:00",
        ),
        (
            dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC),
            "2026-11-01T01:00:00-08:00",
        ),
    ],
)
def test_metadata_times_are_pacific_with_the_right_offset(
    moment: dt.datetime, expected: str
) -> None:
    """MetaData times are Pacific with the offset of that instant."""
    fake = FakeQuickBooks(clock=VirtualClock(moment))
    customer = fake.add_customer("Bakery")
    assert customer["MetaData"]["CreateTime"] == expected
    parsed = dt.datetime.fromisoformat(customer["MetaData"]["CreateTime"])
    assert parsed == moment


def test_requestid_replays_the_first_response(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A repeated requestid replays the response; the write applies once."""
    body = {"DisplayName": "Bakery"}
    first = http.post("/customer", params={"requestid": "op-1"}, json=body)
    again = http.post("/customer", params={"requestid": "op-1"}, json=body)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(fake.customers()) == 1
    other = http.post(
        "/customer",
        params={"requestid": "op-2"},
        json={"DisplayName": "Bakery"},
    )
    assert other.json()["Fault"]["Error"][0]["code"] == "6240"


def test_requestid_replays_a_failure_too(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A replayed requestid gets the original fault, too."""
    holder = fake.add_customer("Bakery")
    first = http.post(
        "/customer",
        params={"requestid": "op-1"},
        json={"DisplayName": "Bakery"},
    )
    fake.update("Customer", holder["Id"], {"DisplayName": "Renamed"})
    again = http.post(
        "/customer",
        params={"requestid": "op-1"},
        json={"DisplayName": "Bakery"},
    )
    assert again.json() == first.json()
    assert len(fake.customers()) == 1


def test_requestid_longer_than_50_is_refused(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """A requestid over 50 characters is a 6000 business validation error."""
    response = http.post(
        "/customer",
        params={"requestid": "x" * 51},
        json={"DisplayName": "Bakery"},
    )
    assert response.json()["Fault"]["Error"][0]["code"] == "6000"
    assert fake.customers() == []


def test_minorversion_is_accepted_and_logged(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Any minorversion is accepted; the call log records the parameters."""
    http.get(
        "/query",
        params={"query": "select * from Customer", "minorversion": "70"},
    )
    call = fake.calls[-1]
    assert call.params["minorversion"] == "70"
    assert call.resource == "query"
    assert call.query == "select * from Customer"
    assert call.status == 200


def test_other_realm_is_403(fake: FakeQuickBooks) -> None:
    """A realm the token is not for gets 403 with fault 3100."""
    with httpx.Client(
        transport=fake.transport(), headers={"Authorization": "Bearer t"}
    ) as http:
        response = http.get(
            "https://quickbooks.api.intuit.com/v3/company/123/customer/1"
        )
    assert response.status_code == 403
    assert response.json()["Fault"]["Error"][0]["code"] == "3100"


def test_unknown_resource_is_unsupported(http: httpx.Client) -> None:
    """A path QBO does not serve answers Unsupported Operation (code 500)."""
    response = http.get("/widget/1")
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["code"] == "500"


def test_non_json_body_is_2010(http: httpx.Client) -> None:
    """A write whose body is not JSON is refused with 2010."""
    response = http.post(
        "/customer",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.json()["Fault"]["Error"][0]["code"] == "2010"


def test_company_info_and_preferences(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """GET companyinfo/<realm> and preferences answer their objects."""
    info = http.get(f"/companyinfo/{fake.realm_id}").json()["CompanyInfo"]
    assert info["CompanyName"] == "Sandbox Company_US_1"
    preferences = http.get("/preferences").json()["Preferences"]
    assert preferences["CurrencyPrefs"]["HomeCurrency"] == {"value": "USD"}
    update = http.post(
        "/preferences",
        json={
            "SyncToken": preferences["SyncToken"],
            "SalesFormsPrefs": {"CustomTxnNumbers": True},
        },
    )
    assert (
        update.json()["Preferences"]["SalesFormsPrefs"]["CustomTxnNumbers"]
        is True
    )
    stale = http.post(
        "/preferences",
        json={
            "SyncToken": preferences["SyncToken"],
            "SalesFormsPrefs": {"AllowDeposit": False},
        },
    )
    assert stale.json()["Fault"]["Error"][0]["code"] == "5010"


def test_invoice_pdf(http: httpx.Client, fake: FakeQuickBooks) -> None:
    """GET invoice/<id>/pdf answers a PDF document."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("W", unit_price=1)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 1)])
    response = http.get(
        f"/invoice/{invoice['Id']}/pdf", headers={"Accept": "application/pdf"}
    )
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_call_log_counts_per_path_and_resource(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """fake.calls counts requests by resource, method and path."""
    fake.add_customer("Bakery")
    http.get("/customer/1")
    http.get("/customer/1")
    http.post("/query", content="select * from Customer")
    assert len(fake.calls) == 3
    assert fake.calls.count("customer") == 2
    assert fake.calls.count("query", method="POST") == 1
    assert fake.calls.count(method="GET") == 2
    assert fake.calls.per_path() == {
        f"/v3/company/{fake.realm_id}/customer/1": 2,
        f"/v3/company/{fake.realm_id}/query": 1,
    }
    fake.calls.clear()
    assert len(fake.calls) == 0


def test_seeding_is_not_logged(fake: FakeQuickBooks) -> None:
    """Seeding and inspection from Python make no calls."""
    fake.add_customer("Bakery")
    fake.customers()
    assert len(fake.calls) == 0


def test_fake_user_edit_shows_up_over_http(
    http: httpx.Client, fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """fake.update acts as a QBO user: new SyncToken and LastUpdatedTime."""
    customer = fake.add_customer("Bakery")
    clock.advance(90)
    fake.update("Customer", customer["Id"], {"Notes": "edited"})
    read = http.get(f"/customer/{customer['Id']}").json()["Customer"]
    assert read["Notes"] == "edited"
    assert read["SyncToken"] == "1"
    assert read["MetaData"]["LastUpdatedTime"] == "2026-02-10T10:01:30-08:00"


def test_repr_shows_realm_only(fake: FakeQuickBooks) -> None:
    """The fake's repr names the realm and no token."""
    access, refresh = fake.issue_tokens()
    text = repr(fake) + repr(fake.calls) + repr(fake._authority)
    assert fake.realm_id in repr(fake)
    assert access not in text
    assert refresh not in text
