"""The sync summary names each failed record once, with its error once."""

from __future__ import annotations

from hsqbo import Side
from hsqbo._cli._running import _problem_line
from hsqbo._report import Outcome, RecordOutcome


def _outcome(code: str | None, message: str) -> RecordOutcome:
    return RecordOutcome(
        object="contacts",
        kind="create",
        outcome=Outcome.FAILED,
        side=Side.HUBSPOT,
        type="contacts",
        id="684",
        code=code,
        message=message,
        op_id="create-1",
    )


def test_an_api_error_code_is_not_repeated() -> None:
    """A message that already carries its code is shown as it is."""
    line = _problem_line(
        _outcome("6240", "qbo 200 6240: Duplicate Name Exists Error")
    )
    assert line == (
        "failed: contacts: hubspot contacts 684: "
        "qbo 200 6240: Duplicate Name Exists Error"
    )
    assert line.count("6240") == 1


def test_a_planner_code_leads_its_message() -> None:
    """A planner error's code comes first, then its words."""
    line = _outcome("DUPLICATE_DISPLAY_NAME", "the name 'Acme' is taken")
    assert _problem_line(line).endswith(
        "684: DUPLICATE_DISPLAY_NAME: the name 'Acme' is taken"
    )
    assert _problem_line(_outcome(None, "gone")).endswith("684: gone")
