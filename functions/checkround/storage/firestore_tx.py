"""Firestore read-write transactions that begin with their first read, and their retries.

The first read of an attempt is a ``BatchGetDocuments`` that carries ``new_transaction`` and
answers with the transaction's id; later reads join it and the writes go in its ``Commit``.
A transaction that reads once and commits therefore costs two round trips (the high-level
client's costs three: it opens each with a ``BeginTransaction`` of its own).

Contention, and why this module arbitrates between the process's own transactions:
Firestore (pessimistic mode) locks what a transaction reads and resolves a conflict between
two transactions by age: the older one goes on, the younger is aborted and retried, keeping its
age with ``retry_transaction``. The emulator does not: two transactions that both read a
document and then both write it wait for each other's read lock until the emulator's lock
timeout (about 2 s) aborts the first waiter, or both when they committed at the same moment,
and it ignores ``retry_transaction``. Retried at once, such a pair met again in the same way;
20 attempts of 2 s each were the 40-second failures of the contention tests. So:

- every retry first ends the attempt (rollback: no lock is kept while waiting), then waits a
  jittered, exponentially growing delay (:class:`RetryPolicy`), a bounded number of times;
- the transactions of this process resolve their conflicts before they reach the database
  (:class:`Arbiter`): at commit, one that writes a document a younger live transaction has
  read rolls that one back first ("wounds" it), and one that writes a document an older or
  already committing transaction has read steps back, waits for it to end and runs again. Two
  transactions of one process on one document then take a few round trips, not a lock timeout,
  on the emulator as in the cloud. Between processes the database decides, as above.

Calls go through the generated client's public methods with ``retry=None``: retrying is this
module's, because what may be sent again depends on the call (see :func:`run_transaction`).
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.types import common
from google.cloud.firestore_v1.types import firestore as api

from . import firestore_values as values
from .ports import AlreadyExists, CommitUnanswered, Contention, Doc, NotFound

T = TypeVar("T")

# Each call's own limit: a call that hangs longer is an unanswered call.
RPC_TIMEOUT_SECONDS = 30.0

# Errors that pass: a read that met one is run again (it wrote nothing); a commit that met one
# may or may not have happened, so it is only sent again where that cannot apply it twice.
TRANSIENT = (gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.ResourceExhausted, gexc.InternalServerError)

_CommitRequest: Any = api.CommitRequest.pb()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and after how long an attempt runs again: "full jitter" exponential backoff
    (a random delay between 0 and ``base · 2^(retry-1)``, at most ``cap``), at most
    ``max_attempts`` attempts and no new attempt after ``budget`` seconds. ``random`` and
    ``sleep`` are injectable so that tests can check the policy without waiting."""

    max_attempts: int = 12
    base: float = 0.02
    cap: float = 1.0
    budget: float = 25.0
    random: Callable[[], float] = random.random
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 for the first retry)."""
        return self.random() * min(self.cap, self.base * 2.0 ** (retry - 1))


DEFAULT_POLICY = RetryPolicy()


class Wounded(Exception):
    """This attempt was rolled back by an older transaction of the process (see Arbiter)."""


class StepBack(Exception):
    """This attempt must end and wait for the given transactions before it runs again."""

    def __init__(self, others: list[Attempt]) -> None:
        super().__init__("conflicting transactions of this process go first")
        self.others = others


_ages = itertools.count()


@dataclass(eq=False)
class Attempt:
    """What the arbiter knows of one attempt: its transaction's age, what it read, its state."""

    age: int
    reads: set[str] = field(default_factory=set)
    committing: bool = False
    wounded: bool = False
    wounded_by: list[Attempt] = field(default_factory=list)
    rolled_back: bool = False
    id: bytes | None = None
    done: threading.Event = field(default_factory=threading.Event)


class Arbiter:
    """Wound-wait between the live transactions of this process (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[Attempt] = set()

    def enter(self, attempt: Attempt) -> None:
        with self._lock:
            self._live.add(attempt)

    def read(self, attempt: Attempt, names: Iterable[str], tx_id: bytes | None) -> None:
        with self._lock:
            attempt.reads.update(names)
            attempt.id = tx_id
            if attempt.wounded:
                raise Wounded()

    def claim_rollback(self, attempt: Attempt) -> bool:
        """True once per attempt: its rollback is sent by whoever claims it first (its own
        thread, or the older transaction that wounded it), never twice."""
        with self._lock:
            first, attempt.rolled_back = not attempt.rolled_back, True
            return first

    def leave(self, attempt: Attempt) -> None:
        with self._lock:
            self._live.discard(attempt)
        attempt.done.set()

    def commit(self, attempt: Attempt, writes: set[str]) -> list[Attempt]:
        """Mark ``attempt`` committing; returns the younger attempts it wounded (to roll back),
        or raises :class:`StepBack` or :class:`Wounded`."""
        with self._lock:
            if attempt.wounded:
                raise Wounded()
            conflicts = [other for other in self._live if other is not attempt and other.reads & writes]
            first = [other for other in conflicts if other.committing or other.age < attempt.age]
            if first:
                raise StepBack(first)
            for other in conflicts:
                other.wounded = True
                other.wounded_by.append(attempt)
            attempt.committing = True
            return conflicts


class Calls(Protocol):
    """What transactions need of the adapter (``FirestoreStore``): its calls of the API."""

    database: str
    arbiter: Arbiter

    def name(self, path: str) -> str: ...

    def batch_get(
        self, request: api.BatchGetDocumentsRequest, tx: InlineTransaction | None = None
    ) -> dict[str, Doc | None]: ...

    def commit(self, request: api.CommitRequest, resend: bool, policy: RetryPolicy) -> None: ...

    def rollback(self, tx_id: bytes) -> None: ...


class InlineTransaction:
    """One attempt of a transaction; implements the ``Transaction`` port."""

    def __init__(self, store: Calls, attempt: Attempt, retry_id: bytes | None) -> None:
        self._store = store
        self.attempt = attempt
        self._retry_id = retry_id
        self.id: bytes | None = None
        self._writes: list[Any] = []  # ``Write`` messages, in order
        self._written: set[str] = set()
        self.committing = False

    # -- reads ------------------------------------------------------------------------------

    def get(self, path: str) -> Doc | None:
        return self.get_many([path])[0]

    def get_many(self, paths: list[str], fields: list[str] | None = None) -> list[Doc | None]:
        """One BatchGetDocuments; the first read of the attempt begins the transaction."""
        if self._writes:
            raise RuntimeError("Firestore transactions must read before they write")
        names = [self._store.name(path) for path in paths]
        request = api.BatchGetDocumentsRequest(database=self._store.database, documents=names)
        if fields is not None:
            # Only what the caller reads travels and is decoded (a round's roster can be long).
            request.mask = common.DocumentMask(field_paths=[values.field_path(name) for name in fields])
        if self.id is None:
            request.new_transaction = common.TransactionOptions(
                read_write=common.TransactionOptions.ReadWrite(retry_transaction=self._retry_id or b"")
            )
        else:
            request.transaction = self.id
        found = self._store.batch_get(request, self)
        self._store.arbiter.read(self.attempt, names, self.id)
        return [found.get(name) for name in names]

    def began(self, tx_id: bytes) -> None:
        self.id = tx_id

    # -- writes -----------------------------------------------------------------------------

    def create(self, path: str, data: Doc) -> None:
        self._write(path, data, "create")

    def set(self, path: str, data: Doc) -> None:
        self._write(path, data, "set")

    def update(self, path: str, data: Doc) -> None:
        self._write(path, data, "update")

    def delete(self, path: str) -> None:
        name = self._store.name(path)
        self._writes.append(values.delete_message(name))
        self._written.add(name)

    def _write(self, path: str, data: Doc, kind: str) -> None:
        name = self._store.name(path)
        self._writes.append(values.write_message(name, data, kind))
        self._written.add(name)

    # -- end --------------------------------------------------------------------------------

    def commit(self, policy: RetryPolicy) -> None:
        wounded = self._store.arbiter.commit(self.attempt, self._written)
        for other in wounded:
            if other.id is not None and self._store.arbiter.claim_rollback(other):
                self._store.rollback(other.id)
        self.committing = True
        if self.id is None and not self._writes:
            return
        request = api.CommitRequest.wrap(
            _CommitRequest(database=self._store.database, writes=self._writes, transaction=self.id or b"")
        )
        self._store.commit(request, resend=self.id is not None, policy=policy)

    def rollback(self) -> None:
        """End a failed attempt and release its locks (best effort: the database also expires
        them). After a refused commit there is nothing left to release, but a commit can also
        fail before it reaches the database; after an unanswered one, a rollback fails if the
        commit happened and otherwise makes sure it never will."""
        if self.id is not None and self._store.arbiter.claim_rollback(self.attempt):
            self._store.rollback(self.id)


def run_transaction(store: Calls, fn: Callable[[InlineTransaction], T], policy: RetryPolicy = DEFAULT_POLICY) -> T:
    """Run ``fn`` in a read-write transaction; again, after a backoff, when the database aborts
    it for contention or a read fails transiently, at most ``policy.max_attempts`` times.

    A commit the database did not answer is sent again as it was, with the same transaction
    id, which commits at most once; one without a transaction (a batch of writes, no reads) is
    not. When its outcome stays unknown, :class:`CommitUnanswered` says so: the caller's client
    retries, with its idempotency key where the operation has one. :class:`Contention` when the
    attempts run out."""
    retry_id: bytes | None = None
    age = next(_ages)
    started = policy.clock()
    last: Exception | None = None
    failures = 0  # attempts the database ended (aborted, or a read not answered)
    for _ in range(policy.max_attempts * 10):
        attempt = Attempt(age)
        store.arbiter.enter(attempt)
        tx = InlineTransaction(store, attempt, retry_id)
        wait_for: list[Attempt] = []
        done = False
        try:
            result = fn(tx)
            tx.commit(policy)
            done = True
            return result
        except StepBack as exc:
            last, wait_for = exc, exc.others
        except (Wounded, gexc.GoogleAPICallError) as exc:
            last = exc
            if attempt.wounded and not tx.committing:
                # An older transaction of this process rolled this one back (whatever error
                # its calls then met): it waits for that one to end, then runs again.
                wait_for = attempt.wounded_by
            elif isinstance(exc, gexc.Aborted):
                failures += 1
            elif isinstance(exc, TRANSIENT):
                if tx.committing:
                    raise CommitUnanswered(f"the database did not answer the commit: {exc}") from exc
                failures += 1
            else:
                mapped = _port_error(exc) if isinstance(exc, gexc.GoogleAPICallError) else exc
                if mapped is exc:
                    raise
                raise mapped from exc
        finally:
            # End the attempt before any wait: no lock is held while it waits.
            if not done:
                tx.rollback()
            store.arbiter.leave(attempt)
        # Retrying with the ended attempt's id keeps the transaction's place (its age) in the
        # cloud's queue; the emulator ignores it.
        retry_id = tx.id or retry_id
        if failures >= policy.max_attempts or policy.clock() - started > policy.budget:
            break
        if wait_for:
            # Another transaction of this process goes first: wait for its end, not a guess.
            for other in wait_for:
                other.done.wait(RPC_TIMEOUT_SECONDS)
        else:
            policy.sleep(policy.delay(failures))
    raise Contention(f"gave up after {failures} aborted attempts ({policy.clock() - started:.1f} s): {last}") from last


def _port_error(exc: gexc.GoogleAPICallError) -> Exception:
    """The port's error for a refused write precondition, else the error itself."""
    if isinstance(exc, gexc.NotFound):
        return NotFound(str(exc.message))
    if isinstance(exc, gexc.AlreadyExists):
        return AlreadyExists(str(exc.message))
    return exc
