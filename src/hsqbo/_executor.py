"""
The executor: applies a :class:`~hsqbo.Plan` through the connectors.

It writes in dependency levels (an invoice's contact before the
association that needs it), each level in the largest batches the APIs
take (HubSpot 100, QBO 30), and commits the results of every batch to the
state store before the next one starts. Every write is idempotent or
guarded:

* QBO batches carry a ``requestid`` derived from their operations' stable
  ids, so a retried (or resumed, identical) batch is answered from QBO's
  memory instead of applied twice;
* HubSpot creates are upserts by the unique property :data:`SOURCE_PROPERTY`
  holding the source record's QBO id, so a create sent twice finds the
  first one;
* every update carries the version it was planned against: QBO refuses a
  stale ``SyncToken`` (5010) and HubSpot records are re-read before they
  are written; a changed record is reported stale, never overwritten;
* operations of a saved plan whose preconditions no longer hold (a source
  linked since, a partner created since) are skipped and reported.

One failed record never stops the others: each operation gets its own
:class:`~hsqbo._state.OperationResult`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

import attrs
from dateutil import parser as dateparser

from hsqbo._clock import Clock
from hsqbo._config import SyncConfig
from hsqbo._errors import (
    ApiError,
    ConfigError,
    RateLimitError,
    ServerError,
    StaleObjectError,
    TransportError,
)
from hsqbo._operations import (
    Associate,
    Conflict,
    Create,
    ErrorCode,
    Link,
    Operation,
    Rebase,
    RecordError,
    Ref,
    Remap,
    Skip,
    Update,
)
from hsqbo._plan import Plan
from hsqbo._record import FieldValue, Side
from hsqbo._report import Outcome, RecordOutcome
from hsqbo._state import OperationResult, StateStore, Status, SyncState
from hsqbo._unset import UNSET
from hsqbo.hubspot import (
    AssociationSpec,
    AssociationTypes,
    BatchResult,
    HubSpotClient,
    NewProperty,
    PropertyType,
)
from hsqbo.hubspot._models import Association
from hsqbo.qbo import BatchItem, QuickBooksClient, from_fields, select
from hsqbo.qbo._models import ENTITY_TYPES, Entity


__all__ = [
    "HUBSPOT_BATCH",
    "QBO_BATCH",
    "SOURCE_PROPERTY",
    "Applied",
    "Executor",
    "Progress",
]

HUBSPOT_BATCH: Final = 100
"""Inputs per HubSpot batch request."""
QBO_BATCH: Final = 30
"""Items per QBO batch request."""
SOURCE_PROPERTY: Final = "hsqbo_qbo_id"
"""The unique HubSpot property holding the QBO id a record was made from."""

#: Error codes that say "try again later": an operation failing with one
#: keeps the read cursors of its object where they were.
TRANSIENT: Final = "TRANSIENT"
MISSING_DEPENDENCY: Final = ErrorCode.MISSING_DEPENDENCY.value
STALE_CODE: Final = "STALE"

INTENT_PREFIX: Final = "intent:"
"""Cursor keys of QBO creates sent but not yet committed."""
UNIQUE_NAMES: Mapping[str, str] = {"Customer": "DisplayName", "Item": "Name"}
"""The QBO field that names a record uniquely, per entity."""
_RECOVERY_SLACK = dt.timedelta(minutes=15)

Progress = Callable[[int, int], object]
_Input = tuple[str, Mapping[str, FieldValue]]
"""Called after each committed batch with (operations done, total)."""

_ASSOCIATION_TYPES: Mapping[tuple[str, str], AssociationSpec] = {
    ("invoices", "contacts"): AssociationTypes.INVOICE_TO_CONTACT,
    ("invoices", "companies"): AssociationTypes.INVOICE_TO_COMPANY,
    ("invoices", "deals"): AssociationTypes.INVOICE_TO_DEAL,
    ("invoices", "line_items"): AssociationTypes.INVOICE_TO_LINE_ITEM,
    ("line_items", "invoices"): AssociationTypes.LINE_ITEM_TO_INVOICE,
    ("line_items", "deals"): AssociationTypes.LINE_ITEM_TO_DEAL,
    ("deals", "contacts"): AssociationTypes.DEAL_TO_CONTACT,
    ("contacts", "companies"): AssociationTypes.CONTACT_TO_COMPANY,
    ("notes", "deals"): AssociationTypes.NOTE_TO_DEAL,
}

_SOURCE_DEFINITION = NewProperty(
    name=SOURCE_PROPERTY,
    label="QuickBooks Online id (hsqbo)",
    type=PropertyType.STRING,
    field_type="text",
    group_name="",
    description=(
        "The id of the QuickBooks Online record this record was synced "
        "from. Written by hsqbo so that a repeated write updates instead "
        "of creating a twin."
    ),
    has_unique_value=True,
)


@attrs.frozen(kw_only=True)
class Applied:
    """One operation's outcome, for the report."""

    object: str
    outcome: Outcome
    problem: RecordOutcome | None = None
    transient: bool = False


def _problem(
    op: Operation | RecordError,
    outcome: Outcome,
    code: str | None,
    message: str,
) -> RecordOutcome:
    side: Side | None
    if isinstance(op, Create):
        side = op.side if op.source is None else op.source.side
        type_ = op.type if op.source is None else op.source.type
        record_id = op.op_id if op.source is None else op.source.id
    elif isinstance(op, Update | Skip | RecordError):
        side, type_, record_id = op.side, op.type, op.id
    elif isinstance(op, Associate):
        side, type_ = Side.HUBSPOT, op.from_type
        record_id = (
            op.from_id if isinstance(op.from_id, str) else op.from_id.op_id
        )
    elif isinstance(op, Link | Rebase | Conflict):
        side, type_, record_id = Side.HUBSPOT, "", op.hubspot_id
    else:
        side, type_, record_id = None, "", ""
    return RecordOutcome(
        object=op.object,
        kind=op.kind,
        outcome=outcome,
        side=side,
        type=type_,
        id=record_id,
        code=code,
        message=message,
        op_id=op.op_id,
    )


def _error_code(error: BaseException) -> tuple[str, bool]:
    """Return the code to record for *error* and whether it is transient."""
    if isinstance(error, RateLimitError | ServerError | TransportError):
        return TRANSIENT, True
    if isinstance(error, ApiError):
        code = error.code if isinstance(error.code, str) and error.code else ""
        return code or str(error.status_code or "API_ERROR"), False
    if isinstance(error, ConfigError):
        return ErrorCode.MISSING_REQUIRED.value, False
    # A batch item QBO did not answer, or an unexpected failure: retry.
    return TRANSIENT, True


def request_id(prefix: str, ops: Sequence[Operation], salt: str = "") -> str:
    """
    Derive a QBO ``requestid`` from the operations of one batch.

    The same operations give the same id, so a retried or resumed batch is
    answered from QBO's memory instead of applied twice. 36 characters at
    most (QBO's limit for batches).

    >>> a = Update(object="c", side=Side.QBO, type="Customer", id="1",
    ...            changes={"GivenName": ("A", "B")}, expected_version="0")
    >>> request_id("u", [a]) == request_id("u", [a])
    True
    >>> len(request_id("u", [a]))
    35
    >>> request_id("u", [a], "refused once") == request_id("u", [a])
    False
    """
    text = "\n".join(sorted(op.op_id for op in ops)) + "\n" + salt
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{prefix}{digest[: 35 - len(prefix)]}"


def _chunks(items: Sequence[Operation], size: int) -> list[list[Operation]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class Executor:
    """
    Apply one plan, batch by batch, committing each batch's results.

    Args:
        config: The configuration the plan was made with.
        hubspot: The HubSpot client to write with.
        qbo: The QBO client to write with.
        store: Where results are committed.
        clock: The time stamps of results.
    """

    def __init__(
        self,
        config: SyncConfig,
        *,
        hubspot: HubSpotClient,
        qbo: QuickBooksClient,
        store: StateStore,
        clock: Clock,
    ) -> None:
        self._config = config
        self._hubspot = hubspot
        self._qbo = qbo
        self._store = store
        self._clock = clock
        self._source_property_ready: set[str] = set()
        self._computed: dict[str, frozenset[str]] = {}
        self._created: dict[str, str] = {}
        self._applied: list[Applied] = []
        self._done = 0
        self._total = 0
        self._progress: Progress | None = None
        self._parents: set[str] = set()
        self._held: list[OperationResult] = []
        self._retry: set[str] = set()
        self._level_state = SyncState()
        self._intents: dict[str, tuple[str, str]] = {}
        #: Object syncs with a create left uncommitted because something
        #: built on it failed for a passing reason.
        self.incomplete: set[str] = set()

    # -- driving ----------

    def apply(
        self, plan: Plan, *, progress: Progress | None = None
    ) -> list[Applied]:
        """Apply *plan*; return one :class:`Applied` per operation."""
        self._progress = progress
        state = self._store.load(self._config)
        ops = list(plan.operations)
        self._total = len(ops) + len(plan.errors)
        first: list[OperationResult] = []
        writes: list[Operation] = []
        now = self._clock.now()
        for error in plan.errors:
            first.append(OperationResult(operation=error, at=now))
            self._note(error, Outcome.ERROR, error.code.value, error.message)
        for op in ops:
            if isinstance(op, Create | Update | Associate):
                writes.append(op)
            elif isinstance(op, Link):
                first.append(self._link(op, state, now))
            else:
                first.append(OperationResult(operation=op, at=now))
                self._note_report(op)
        self._commit(first)
        children: dict[str, list[str]] = defaultdict(list)
        for op in writes:
            for ref in op.refs:
                children[ref.op_id].append(op.op_id)
        self._parents = set(children)
        for level in _levels(writes):
            self._apply_level(level)
        held, self._held = self._held, []
        self._parents = set()
        # A parent whose dependents did not all get through (for a passing
        # reason) stays uncommitted: the next run redoes it and them.
        done = []
        for result in held:
            if _incomplete(result.operation.op_id, children, self._retry):
                self.incomplete.add(result.operation.object)
            else:
                done.append(result)
        self._commit(done, counted=True)
        return self._applied

    def _commit(
        self, results: list[OperationResult], *, counted: bool = False
    ) -> None:
        # A create that later operations of the plan build on (an invoice
        # and its line items and associations) is committed only once they
        # are done: killed in between, the next run creates it again — an
        # upsert that finds the same record — and then its dependents.
        # Committed at once, the record would be linked and its dependents
        # never planned again.
        keep: list[OperationResult] = []
        for result in results:
            if result.ok and result.operation.op_id in self._parents:
                self._held.append(result)
            else:
                keep.append(result)
        cleared: dict[str, dict[str, str]] = defaultdict(dict)
        for result in keep:
            intent = self._intents.pop(result.operation.op_id, None)
            if intent is not None:
                cleared[intent[0]][intent[1]] = ""
        if keep:
            self._store.commit(keep, cursors=cleared)
        if not counted:
            self._done += len(results)
        if self._progress is not None and results:
            self._progress(self._done, self._total)

    def _note(
        self,
        op: Operation | RecordError,
        outcome: Outcome,
        code: str | None = None,
        message: str = "",
        *,
        transient: bool = False,
    ) -> None:
        problem = (
            _problem(op, outcome, code, message)
            if outcome in {Outcome.ERROR, Outcome.FAILED, Outcome.STALE}
            else None
        )
        self._applied.append(
            Applied(
                object=op.object,
                outcome=outcome,
                problem=problem,
                transient=transient,
            )
        )

    def _note_report(self, op: Operation) -> None:
        if isinstance(op, Skip):
            self._note(op, Outcome.SKIPPED)
        elif isinstance(op, Conflict):
            self._note(op, Outcome.CONFLICT)
        elif isinstance(op, Rebase | Remap):
            self._note(op, Outcome.RECORDED)

    def _fail(
        self,
        op: Operation,
        code: str,
        message: str,
        *,
        outcome: Outcome = Outcome.FAILED,
        transient: bool = False,
    ) -> OperationResult:
        if transient:
            self._retry.add(op.op_id)
        self._note(op, outcome, code, message, transient=transient)
        return OperationResult(
            operation=op,
            at=self._clock.now(),
            error_code=code,
            error_message=message,
        )

    def _ok(
        self,
        op: Operation,
        outcome: Outcome,
        *,
        new_id: str | None = None,
        version: str | None = None,
        updated_at: dt.datetime | None = None,
    ) -> OperationResult:
        if new_id is not None:
            self._created[op.op_id] = new_id
        self._note(op, outcome)
        return OperationResult(
            operation=op,
            at=self._clock.now(),
            id=new_id,
            version=version,
            updated_at=updated_at,
        )

    # -- links ----------

    def _link(
        self, op: Link, state: SyncState, now: dt.datetime
    ) -> OperationResult:
        ostate = state.object(op.object)
        by_h = ostate.link_for(Side.HUBSPOT, op.hubspot_id)
        by_q = ostate.link_for(Side.QBO, op.qbo_id)
        if (by_h is not None and by_h.qbo_id != op.qbo_id) or (
            by_q is not None and by_q.hubspot_id != op.hubspot_id
        ):
            return self._fail(
                op,
                STALE_CODE,
                "one of the records was linked to another since the plan "
                "was made",
                outcome=Outcome.STALE,
            )
        self._note(op, Outcome.LINKED)
        return OperationResult(operation=op, at=now)

    # -- levels ----------

    def _apply_level(self, ops: list[Operation]) -> None:
        groups: dict[tuple[int, str, Side, str], list[Operation]] = (
            defaultdict(list)
        )
        state = self._store.load(self._config)
        self._level_state = state
        for op in ops:
            refused = self._precondition(op, state)
            if refused is not None:
                self._commit([refused])
            elif isinstance(op, Create):
                groups[(0, "create", op.side, op.type)].append(op)
            elif isinstance(op, Update):
                groups[(1, "update", op.side, op.type)].append(op)
            elif isinstance(op, Associate):
                groups[(2, "associate", Side.HUBSPOT, op.from_type)].append(op)
        for key in sorted(groups, key=lambda k: (k[0], k[2].value, k[3])):
            _, kind, side, type_ = key
            members = groups[key]
            if kind == "associate":
                self._associations(members)
                continue
            write = self._writers[(kind, side)]
            size = QBO_BATCH if side is Side.QBO else HUBSPOT_BATCH
            for chunk in _chunks(members, size):
                self._commit(write(type_, chunk))

    @property
    def _writers(
        self,
    ) -> Mapping[
        tuple[str, Side],
        Callable[[str, list[Operation]], list[OperationResult]],
    ]:
        return {
            ("create", Side.QBO): self._qbo_creates,
            ("create", Side.HUBSPOT): self._hubspot_creates,
            ("update", Side.QBO): self._qbo_updates,
            ("update", Side.HUBSPOT): self._hubspot_updates,
        }

    def _precondition(
        self, op: Operation, state: SyncState
    ) -> OperationResult | None:
        """Refuse an operation whose dependencies or source moved on."""
        blocked = [r for r in op.refs if r.op_id not in self._created]
        if blocked:
            return self._fail(
                op,
                MISSING_DEPENDENCY,
                "a record it needs was not created in this run "
                f"({', '.join(r.op_id for r in blocked)})",
                # Blocked by a passing failure: passing too.
                transient=any(r.op_id in self._retry for r in blocked),
            )
        if isinstance(op, Create) and op.link and op.source is not None:
            link = state.object(op.object).link_for(
                op.source.side, op.source.id
            )
            if link is not None:
                return self._fail(
                    op,
                    STALE_CODE,
                    "the source record was linked since the plan was made",
                    outcome=Outcome.STALE,
                )
        return None

    # -- QBO ----------

    def _qbo_class(self, type_: str) -> type[Entity]:
        cls = ENTITY_TYPES.get(type_)
        if cls is None:
            msg = f"hsqbo cannot write QBO {type_} records"
            raise ConfigError([msg])
        return cls

    def _qbo_batch(
        self,
        prefix: str,
        items: list[tuple[Operation, BatchItem]],
        results: list[OperationResult],
        outcome: Outcome,
    ) -> list[OperationResult]:
        if not items:
            return results
        sent = [op for op, _ in items]
        answers = self._qbo.batch(
            [item for _, item in items],
            request_id=request_id(prefix, sent, self._attempts(sent)),
        )
        for (op, _), answer in zip(items, answers, strict=True):
            if answer.error is not None:
                if isinstance(answer.error, StaleObjectError):
                    results.append(
                        self._fail(
                            op,
                            STALE_CODE,
                            "changed in QBO since the plan was made "
                            "(SyncToken); not overwritten, planned again "
                            "next run",
                            outcome=Outcome.STALE,
                        )
                    )
                    continue
                code, transient = _error_code(answer.error)
                results.append(
                    self._fail(
                        op, code, str(answer.error), transient=transient
                    )
                )
                continue
            new_id, version, updated_at = _identity(answer.entity)
            results.append(
                self._ok(
                    op,
                    outcome,
                    new_id=new_id if isinstance(op, Create) else None,
                    version=version,
                    updated_at=updated_at,
                )
            )
        return results

    def _attempts(self, ops: Sequence[Operation]) -> str:
        """
        Name the earlier refused attempts of *ops*, to salt the requestid.

        QBO answers a repeated ``requestid`` from memory: right for a batch
        resent after a crash or a lost answer, wrong for a write retried
        after QBO refused it (the refusal would be replayed for ever). A
        refusal recorded in the store changes the id; a passing failure or
        a crash does not.
        """
        marks = []
        for op in ops:
            key = _record_key(op)
            if key is None:
                continue
            row = self._level_state.object(op.object).records.get(key)
            if (
                row is not None
                and row.status is Status.ERROR
                and row.code not in (None, TRANSIENT)
            ):
                marks.append(f"{op.op_id}@{row.at.isoformat()}")
        return "\n".join(sorted(marks))

    def _qbo_creates(
        self, type_: str, ops: list[Operation]
    ) -> list[OperationResult]:
        results: list[OperationResult] = []
        items: list[tuple[Operation, BatchItem]] = []
        for op in ops:
            assert isinstance(op, Create)  # noqa: S101 - grouped by kind
            try:
                cls = self._qbo_class(type_)
                fields = self._resolved_fields(op)
                entity = from_fields(cls, fields)
            except (ConfigError, TypeError, ValueError) as exc:
                results.append(
                    self._fail(op, ErrorCode.INVALID_VALUE.value, str(exc))
                )
                continue
            items.append((op, BatchItem.create(entity)))
        self._write_intents(type_, [op for op, _ in items])
        return self._qbo_batch("c", items, results, Outcome.CREATED)

    def _write_intents(self, type_: str, ops: list[Operation]) -> None:
        """
        Note, before sending, the QBO records these creates will make.

        A run killed after QBO applied the batch but before its results
        were committed leaves a record the next plan cannot tell from a
        stranger's when it has no e-mail or SKU to match on; the note lets
        :func:`recover` link it instead (found by its unique name).
        """
        path = UNIQUE_NAMES.get(type_)
        if path is None:
            return
        cursors: dict[str, dict[str, str]] = defaultdict(dict)
        at = self._clock.now().isoformat()
        for op in ops:
            if not isinstance(op, Create) or op.source is None or not op.link:
                continue
            name = op.fields.get(path)
            if not isinstance(name, str) or not name:
                continue
            key = f"{INTENT_PREFIX}{op.op_id}"
            cursors[op.object][key] = json.dumps(
                {
                    "hubspot_id": op.source.id,
                    "type": type_,
                    "path": path,
                    "name": name,
                    "at": at,
                }
            )
            self._intents[op.op_id] = (op.object, key)
        if cursors:
            self._store.commit([], cursors=cursors)

    def _qbo_updates(
        self, type_: str, ops: list[Operation]
    ) -> list[OperationResult]:
        results: list[OperationResult] = []
        items: list[tuple[Operation, BatchItem]] = []
        for op in ops:
            assert isinstance(op, Update)  # noqa: S101 - grouped by kind
            if op.expected_version is None:
                results.append(
                    self._fail(
                        op,
                        STALE_CODE,
                        "no SyncToken was planned against; planned again",
                        outcome=Outcome.STALE,
                    )
                )
                continue
            try:
                cls = self._qbo_class(type_)
                entity = from_fields(
                    cls, {path: new for path, (_, new) in op.changes.items()}
                )
            except (ConfigError, TypeError, ValueError) as exc:
                results.append(
                    self._fail(op, ErrorCode.INVALID_VALUE.value, str(exc))
                )
                continue
            entity = attrs.evolve(
                entity, id=op.id, sync_token=op.expected_version
            )
            items.append((op, BatchItem.update(entity)))
        return self._qbo_batch("u", items, results, Outcome.UPDATED)

    # -- HubSpot ----------

    def _resolved_fields(self, op: Create) -> dict[str, FieldValue]:
        fields = dict(op.fields)
        for name, ref in op.references.items():
            fields[name] = self._created[ref.op_id]
        return fields

    def _ensure_source_property(self, type_: str) -> None:
        if type_ in self._source_property_ready:
            return
        known = {p.name: p for p in self._hubspot.list_properties(type_)}
        # HubSpot computes these (a line item's amount); sending them fails
        # the whole batch.
        self._computed[type_] = frozenset(
            name
            for name, p in known.items()
            if p.read_only_value or p.calculated
        )
        found = known.get(SOURCE_PROPERTY)
        if found is None:
            # HubSpot wants a group; the object's first (its "information"
            # group) is where a user would look for it.
            groups = self._hubspot.list_property_groups(type_)
            group = groups[0].name if groups else ""
            self._hubspot.create_property(
                type_, attrs.evolve(_SOURCE_DEFINITION, group_name=group)
            )
        elif not found.has_unique_value:
            msg = (
                f"HubSpot {type_} property {SOURCE_PROPERTY!r} exists but "
                "does not hold unique values; hsqbo needs it unique to make "
                "creates idempotent"
            )
            raise ConfigError([msg])
        self._source_property_ready.add(type_)

    def _hubspot_creates(
        self, type_: str, ops: list[Operation]
    ) -> list[OperationResult]:
        try:
            self._ensure_source_property(type_)
        except (ApiError, TransportError, ConfigError) as exc:
            code, transient = _error_code(exc)
            return [
                self._fail(op, code, str(exc), transient=transient)
                for op in ops
            ]
        inputs: list[tuple[str, Mapping[str, FieldValue]]] = []
        sent: list[Operation] = []
        for op in ops:
            assert isinstance(op, Create)  # noqa: S101 - grouped by kind
            key = op.op_id if op.source is None else op.source.id
            computed = self._computed.get(type_, frozenset())
            fields = {
                k: v
                for k, v in self._resolved_fields(op).items()
                if k not in computed
            }
            fields[SOURCE_PROPERTY] = key
            inputs.append((key, fields))
            sent.append(op)
        return self._hubspot_write(
            lambda chunk: self._hubspot.batch_upsert(
                type_, SOURCE_PROPERTY, chunk
            ),
            list(zip(sent, inputs, strict=True)),
            Outcome.CREATED,
        )

    def _hubspot_write(
        self,
        send: Callable[[list[_Input]], BatchResult],
        pairs: list[tuple[Operation, _Input]],
        outcome: Outcome,
    ) -> list[OperationResult]:
        """Send one HubSpot batch; split it if one input spoils it."""
        try:
            batch = send([payload for _, payload in pairs])
        except (ApiError, TransportError) as exc:
            code, transient = _error_code(exc)
            if not transient and len(pairs) > 1:
                # HubSpot refuses a whole batch for one bad input: halve
                # it until the bad one stands alone and the rest go in.
                mid = len(pairs) // 2
                return self._hubspot_write(
                    send, pairs[:mid], outcome
                ) + self._hubspot_write(send, pairs[mid:], outcome)
            return [
                self._fail(op, code, str(exc), transient=transient)
                for op, _ in pairs
            ]
        results: list[OperationResult] = []
        outcomes = {o.index: o for o in batch.outcomes}
        for index, (op, _) in enumerate(pairs):
            found = outcomes.get(index)
            if found is None or found.object is None:
                error = None if found is None else found.error
                code, transient = (
                    _error_code(error)
                    if error is not None
                    else (TRANSIENT, True)
                )
                results.append(
                    self._fail(
                        op,
                        code,
                        str(error) if error else "HubSpot did not answer",
                        transient=transient,
                    )
                )
                continue
            results.append(
                self._ok(
                    op,
                    outcome,
                    new_id=found.object.id if isinstance(op, Create) else None,
                    updated_at=found.object.updated_at,
                )
            )
        return results

    def _hubspot_updates(
        self, type_: str, ops: list[Operation]
    ) -> list[OperationResult]:
        results: list[OperationResult] = []
        updates = [op for op in ops if isinstance(op, Update)]
        try:
            current = self._hubspot.batch_read(
                type_,
                [op.id for op in updates],
                properties=["hs_lastmodifieddate"],
            )
        except (ApiError, TransportError) as exc:
            code, transient = _error_code(exc)
            return [
                self._fail(op, code, str(exc), transient=transient)
                for op in updates
            ]
        seen = {
            o.object.id: o.object.updated_at
            for o in current.outcomes
            if o.object is not None
        }
        fresh: list[Update] = []
        for op in updates:
            found = seen.get(op.id)
            if found is None:
                results.append(
                    self._fail(
                        op,
                        "NOT_FOUND",
                        f"HubSpot {type_} {op.id} no longer exists",
                    )
                )
            elif op.expected_version is not None and _changed(
                found, op.expected_version
            ):
                # No expected version means the planner wrote the update
                # from the other side alone (invoice line items mirror QBO
                # lines one way and are never read back): nothing to guard.
                results.append(
                    self._fail(
                        op,
                        STALE_CODE,
                        "changed in HubSpot since the plan was made; not "
                        "overwritten, planned again next run",
                        outcome=Outcome.STALE,
                    )
                )
            else:
                fresh.append(op)
        if not fresh:
            return results
        results.extend(
            self._hubspot_write(
                lambda chunk: self._hubspot.batch_update(type_, chunk),
                [
                    (
                        op,
                        (
                            op.id,
                            {k: new for k, (_, new) in op.changes.items()},
                        ),
                    )
                    for op in fresh
                ],
                Outcome.UPDATED,
            )
        )
        return results

    def _target(self, target: str | Ref) -> str:
        return (
            self._created[target.op_id] if isinstance(target, Ref) else target
        )

    def _associations(self, ops: list[Operation]) -> None:
        by_pair: dict[tuple[str, str], list[Associate]] = defaultdict(list)
        for op in ops:
            assert isinstance(op, Associate)  # noqa: S101 - grouped by kind
            by_pair[(op.from_type, op.to_type)].append(op)
        for (from_type, to_type), members in sorted(by_pair.items()):
            spec = _ASSOCIATION_TYPES.get((from_type, to_type))
            types = () if spec is None else (spec,)
            for start in range(0, len(members), HUBSPOT_BATCH):
                chunk = members[start : start + HUBSPOT_BATCH]
                links = [
                    (
                        self._target(op.from_id),
                        Association(to_id=self._target(op.to_id), types=types),
                    )
                    for op in chunk
                ]
                try:
                    self._hubspot.associate_many(from_type, to_type, links)
                except (ApiError, TransportError):
                    self._commit(self._associate_one_by_one(chunk, types))
                    continue
                self._commit(
                    [self._ok(op, Outcome.ASSOCIATED) for op in chunk]
                )

    def _associate_one_by_one(
        self, ops: Iterable[Associate], types: tuple[AssociationSpec, ...]
    ) -> list[OperationResult]:
        """Isolate the association a failed batch stumbled on."""
        results = []
        for op in ops:
            try:
                self._hubspot.associate(
                    op.from_type,
                    self._target(op.from_id),
                    op.to_type,
                    self._target(op.to_id),
                    *types,
                )
            except (ApiError, TransportError) as exc:
                code, transient = _error_code(exc)
                results.append(
                    self._fail(op, code, str(exc), transient=transient)
                )
            else:
                results.append(self._ok(op, Outcome.ASSOCIATED))
        return results


def _identity(
    entity: Entity | None,
) -> tuple[str | None, str | None, dt.datetime | None]:
    """The id, SyncToken and last update time QBO answered with."""
    if entity is None:
        return None, None, None
    new_id = entity.id if isinstance(entity.id, str) else None
    version = entity.sync_token if isinstance(entity.sync_token, str) else None
    meta = entity.meta_data
    stamp = None if meta is UNSET else getattr(meta, "last_updated_time", None)
    return (
        new_id,
        version,
        stamp if isinstance(stamp, dt.datetime) else None,
    )


def _changed(found: dt.datetime, expected: str) -> bool:
    try:
        planned = dateparser.isoparse(expected)
    except ValueError:
        return True
    if planned.tzinfo is None:
        planned = planned.replace(tzinfo=dt.UTC)
    return found != planned


def _record_key(op: Operation) -> tuple[Side, str, str] | None:
    """The sync-records key of the record an operation writes for."""
    if isinstance(op, Create):
        if op.source is None:
            return None
        return (op.source.side, op.source.type, op.source.id)
    if isinstance(op, Update):
        return (op.side, op.type, op.id)
    return None


def _incomplete(
    op_id: str, children: Mapping[str, list[str]], retry: set[str]
) -> bool:
    """Whether *op_id* or anything built on it failed for a passing reason."""
    pending = [op_id]
    seen: set[str] = set()
    while pending:
        current = pending.pop()
        if current in retry:
            return True
        if current not in seen:
            seen.add(current)
            pending.extend(children.get(current, ()))
    return False


def _levels(ops: list[Operation]) -> list[list[Operation]]:
    """Split writes into dependency levels, keeping the plan's order."""
    depth: dict[str, int] = {}
    levels: list[list[Operation]] = []
    by_id = {op.op_id: op for op in ops}

    def level(op: Operation) -> int:
        known = depth.get(op.op_id)
        if known is not None:
            return known
        found = 0
        for ref in op.refs:
            parent = by_id.get(ref.op_id)
            found = max(found, 1 + (level(parent) if parent else 0))
        depth[op.op_id] = found
        return found

    for op in ops:
        n = level(op)
        while len(levels) <= n:
            levels.append([])
        levels[n].append(op)
    return levels


def recover(
    config: SyncConfig,
    *,
    store: StateStore,
    qbo: QuickBooksClient,
    clock: Clock,
) -> int:
    """
    Settle the QBO creates an interrupted run sent but did not commit.

    For each noted create whose source is still unlinked, look the record
    up by its unique name: one made since the note is linked to its source;
    none means the create never happened. Either way the note is cleared.

    Returns:
        How many records were linked.
    """
    state = store.load(config)
    linked = 0
    for obj in config.objects:
        ostate = state.object(obj.name)
        for key, value in sorted(ostate.cursors.items()):
            if not key.startswith(INTENT_PREFIX) or not value:
                continue
            results: list[OperationResult] = []
            note = json.loads(value)
            hubspot_id = str(note["hubspot_id"])
            if ostate.link_for(Side.HUBSPOT, hubspot_id) is None:
                found = _made_since(qbo, note)
                if found is not None:
                    link = Link(
                        object=obj.name,
                        hubspot_id=hubspot_id,
                        qbo_id=found,
                        reason=(
                            f"created in QBO by an interrupted run "
                            f"({note['path']} {note['name']!r})"
                        ),
                    )
                    results.append(
                        OperationResult(operation=link, at=clock.now())
                    )
                    linked += 1
            store.commit(results, cursors={obj.name: {key: ""}})
    return linked


def _made_since(qbo: QuickBooksClient, note: Mapping[str, str]) -> str | None:
    """The id of the one record named in *note* made since it was written."""
    cls = ENTITY_TYPES[note["type"]]
    since = dateparser.isoparse(note["at"]) - _RECOVERY_SLACK
    query = select(cls).where(note["path"], "=", note["name"])
    made = []
    for entity in qbo.query(query.with_inactive()):
        meta = entity.meta_data
        created = None if meta is UNSET else meta.create_time
        if (
            isinstance(entity.id, str)
            and isinstance(created, dt.datetime)
            and created >= since
        ):
            made.append(entity.id)
    return made[0] if len(made) == 1 else None


def transient_objects(applied: Iterable[Applied]) -> set[str]:
    """The object syncs with an operation that failed for a passing reason."""
    return {a.object for a in applied if a.transient}
