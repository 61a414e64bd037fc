"""Firestore read-write transactions that begin with their first read.

The Python client opens every transaction with its own ``BeginTransaction`` round trip before
the first read. Firestore's API also lets the first read carry ``new_transaction`` and answer
with the transaction's id (what the Java and Node.js clients do), so a transaction that reads
once and commits costs two round trips instead of three: a submission then costs the database
what a bare one-document transactional write costs.

Writes are encoded straight into raw protobuf messages by ``firestore_codec`` (what it does
not handle, such as ``SERVER_TIMESTAMP``, by the client's own encoders) and committed with the
transaction's id.

This reaches into the client's generated API (``_firestore_api``) and its encoders; the client
version is pinned in requirements.txt and every transaction of the integration suite runs here.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import grpc
from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.types import firestore as api

from . import firestore_codec
from .ports import CommitUnanswered, Contention, Doc

T = TypeVar("T")

# Contention on the emulator (pessimistic locks) and in the cloud both surface as ABORTED.
MAX_ATTEMPTS = 20

# Each call's own limit; the generated client's wrappers (which set one) are bypassed below.
RPC_TIMEOUT_SECONDS = 30.0


def _stub(client: firestore.Client, name: str) -> Any:
    """The gRPC method itself: the generated wrappers add retry, timeout and logging layers
    costing about 0.3 ms a call, and this module does its own retrying."""
    return getattr(client._firestore_api.transport, name)


@contextlib.contextmanager
def _api_errors() -> Iterator[None]:
    """gRPC's errors as the client library's exceptions (ABORTED → ``Aborted``, ...)."""
    try:
        yield
    except grpc.RpcError as exc:
        raise gexc.from_grpc_error(exc) from exc  # type: ignore[no-untyped-call]


# The client's encoders, for what ``firestore_codec`` leaves to them (sentinels, field paths).
_CLIENT_WRITES: dict[str, Callable[[str, Doc], list[Any]]] = {
    "create": _helpers.pbs_for_create,
    "set": _helpers.pbs_for_set_no_merge,
    "update": lambda name, data: _helpers.pbs_for_update(name, data, None),
}
_BatchGetPb: Any = api.BatchGetDocumentsRequest.pb()
_CommitPb: Any = api.CommitRequest.pb()


@functools.lru_cache(maxsize=256)
def _field_path(name: str) -> str:
    """A top-level field name as a Firestore field path (quoted unless it is a simple name)."""
    return FieldPath(name).to_api_repr()


def _unary(client: firestore.Client, name: str, request: Any) -> Any:
    with _api_errors():
        return _stub(client, name)(request, metadata=client._rpc_metadata, timeout=RPC_TIMEOUT_SECONDS)


class InlineTransaction:
    """One attempt of a transaction; implements the ``Transaction`` port."""

    def __init__(self, client: firestore.Client, retry_id: bytes | None) -> None:
        self._client = client
        self._retry_id = retry_id
        self.id: bytes | None = None
        self._writes: list[Any] = []  # raw ``Write`` messages, in order
        self.committing = False

    # -- reads ------------------------------------------------------------------------------

    def get(self, path: str) -> Doc | None:
        return self.get_many([path])[0]

    def get_many(self, paths: list[str], fields: list[str] | None = None) -> list[Doc | None]:
        """One BatchGetDocuments; the first read of the attempt begins the transaction."""
        if self._writes:
            raise RuntimeError("Firestore transactions must read before they write")
        names = [self._name(path) for path in paths]
        request = _BatchGetPb(database=self._client._database_string, documents=names)
        if fields is not None:
            # Only what the caller reads travels and is decoded (a round's roster can be long).
            request.mask.field_paths.extend(_field_path(name) for name in fields)
        if self.id is None:
            request.new_transaction.read_write.retry_transaction = self._retry_id or b""
        else:
            request.transaction = self.id
        found: dict[str, Doc | None] = {}
        with _api_errors():
            for wrapped in _stub(self._client, "batch_get_documents")(
                api.BatchGetDocumentsRequest.wrap(request),
                metadata=self._client._rpc_metadata,
                timeout=RPC_TIMEOUT_SECONDS,
            ):
                response = wrapped._pb
                if response.transaction:
                    self.id = response.transaction
                kind = response.WhichOneof("result")
                if kind == "found":
                    found[response.found.name] = firestore_codec.decode_fields(response.found.fields, self._client)
                elif kind == "missing":
                    found[response.missing] = None
        return [found.get(name) for name in names]

    def _name(self, path: str) -> str:
        # A document path has an even number of non-empty segments (collection/id/...); the
        # client's document() refused others before a call, so this does too.
        segments = path.split("/")
        if len(segments) % 2 or not all(segments):
            raise ValueError(f"not a document path: {path!r}")
        return f"{self._client._database_string}/documents/{path}"

    # -- writes -----------------------------------------------------------------------------

    def create(self, path: str, data: Doc) -> None:
        self._write(path, data, "create")

    def set(self, path: str, data: Doc) -> None:
        self._write(path, data, "set")

    def update(self, path: str, data: Doc) -> None:
        self._write(path, data, "update")

    def _write(self, path: str, data: Doc, kind: str) -> None:
        name = self._name(path)
        try:
            self._writes.append(firestore_codec.write_pb(name, data, kind))
        except firestore_codec.Unsupported:
            self._writes.extend(write._pb for write in _CLIENT_WRITES[kind](name, data))

    # -- end --------------------------------------------------------------------------------

    def commit(self) -> None:
        self.committing = True
        if self.id is None and not self._writes:
            return
        # Without a read there is no transaction id: an atomic batch of writes is all a
        # transaction would be. Unlike the client's WriteBatch.commit(), it is not retried on
        # UNAVAILABLE: such a commit may have happened, and run_transaction says so
        # (CommitUnanswered) rather than send the writes twice.
        request = _CommitPb(database=self._client._database_string, writes=self._writes, transaction=self.id or b"")
        _unary(self._client, "commit", api.CommitRequest.wrap(request))

    def rollback(self, even_after_commit: bool = False) -> None:
        """Release the transaction's locks; best effort, the server also expires them.

        After a commit the database refused, there is nothing to release; after one it did not
        answer, there may be (then a rollback of a commit that did happen fails harmlessly)."""
        if self.id is None or (self.committing and not even_after_commit):
            return
        request = api.RollbackRequest(database=self._client._database_string, transaction=self.id)
        with contextlib.suppress(gexc.GoogleAPICallError):
            _unary(self._client, "rollback", request)


# Errors the generated client would have retried on a read; nothing is written before the
# commit, so the whole attempt is simply run again.
_TRANSIENT = (gexc.ServiceUnavailable, gexc.DeadlineExceeded, gexc.ResourceExhausted, gexc.InternalServerError)


def run_transaction(client: firestore.Client, fn: Callable[[InlineTransaction], T]) -> T:
    """Run ``fn`` in a read-write transaction, again on contention, at most ``MAX_ATTEMPTS`` times.

    Raises :class:`Contention` when the attempts run out, and when the database did not answer
    a commit (then the commit may or may not have happened: the caller's client retries, with
    its idempotency key where the operation has one)."""
    retry_id: bytes | None = None
    last: Exception | None = None
    for attempt in range(MAX_ATTEMPTS):
        tx = InlineTransaction(client, retry_id)
        try:
            result = fn(tx)
            tx.commit()
            return result
        except gexc.Aborted as exc:
            # Retrying with the aborted id keeps the transaction's place in the lock queue.
            last, retry_id = exc, tx.id or retry_id
            tx.rollback()
        except _TRANSIENT as exc:
            if tx.committing:
                tx.rollback(even_after_commit=True)
                raise CommitUnanswered(f"the database did not answer the commit: {exc}") from exc
            last = exc
            tx.rollback()
            time.sleep(min(0.05 * 2**attempt, 1.0))
        except BaseException:
            tx.rollback()
            raise
    raise Contention(f"gave up after {MAX_ATTEMPTS} attempts: {last}") from last
