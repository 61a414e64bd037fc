"""The Firestore adapter: the :class:`~checkround.storage.ports.DocumentStore` port on the
generated Firestore client (``firestore_client``), documents converted by ``firestore_values``,
transactions in ``firestore_tx``. These four modules are the only ones that import
``google.cloud.firestore_v1``. Locally ``FIRESTORE_EMULATOR_HOST`` points the client at the
emulator.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.services.firestore import FirestoreClient
from google.cloud.firestore_v1.types import document, query
from google.cloud.firestore_v1.types import firestore as api

from . import firestore_values as values
from .firestore_client import api_client
from .firestore_tx import DEFAULT_POLICY, RPC_TIMEOUT_SECONDS, TRANSIENT, Arbiter, InlineTransaction, RetryPolicy
from .firestore_tx import run_transaction as _run
from .ports import CommitUnanswered, Doc, NotFound, Transaction, Where

T = TypeVar("T")

_Op = query.StructuredQuery.FieldFilter.Operator
_OPS = {
    "==": _Op.EQUAL,
    "<": _Op.LESS_THAN,
    "<=": _Op.LESS_THAN_OR_EQUAL,
    ">": _Op.GREATER_THAN,
    ">=": _Op.GREATER_THAN_OR_EQUAL,
    "in": _Op.IN,
}
_Query = query.StructuredQuery


class FirestoreStore:
    def __init__(self, client: FirestoreClient, project: str, database: str = "(default)") -> None:
        self.client = client
        self.database = f"projects/{project}/databases/{database}"
        self.arbiter = Arbiter()
        self.policy = DEFAULT_POLICY

    # -- the calls --------------------------------------------------------------------------

    def name(self, path: str) -> str:
        """The resource name of the document at ``path`` (``collection/id/...``); anything that
        names no document is refused before a call."""
        segments = path.split("/")
        if len(segments) % 2 or not all(segments):
            raise ValueError(f"not a document path: {path!r}")
        return f"{self.database}/documents/{path}"

    def batch_get(
        self, request: api.BatchGetDocumentsRequest, tx: InlineTransaction | None = None
    ) -> dict[str, Doc | None]:
        """Documents by resource name (``None`` when missing). In a transaction the call is
        not retried here (its first read begins the transaction), outside it is, as the
        generated client does by default."""
        found: dict[str, Doc | None] = {}
        options: dict[str, Any] = {"retry": None} if tx is not None else {}
        for response in self.client.batch_get_documents(request=request, timeout=RPC_TIMEOUT_SECONDS, **options):
            message = api.BatchGetDocumentsResponse.pb(response)
            if message.transaction and tx is not None:
                tx.began(message.transaction)
            kind = message.WhichOneof("result")
            if kind == "found":
                found[message.found.name] = values.decode_fields(message.found.fields)
            elif kind == "missing":
                found[message.missing] = None
        return found

    def commit(self, request: api.CommitRequest, resend: bool, policy: RetryPolicy) -> None:
        """One Commit; when it goes unanswered and ``resend`` says sending the same request
        again cannot apply it twice, sent again (after a backoff) a few times."""
        try:
            self.client.commit(request=request, retry=None, timeout=RPC_TIMEOUT_SECONDS)
            return
        except TRANSIENT:
            if not resend:
                raise
            unanswered = True
        for retry in range(1, 4):
            policy.sleep(policy.delay(retry))
            try:
                self.client.commit(request=request, retry=None, timeout=RPC_TIMEOUT_SECONDS)
                return
            except TRANSIENT:
                continue
            except gexc.GoogleAPICallError as exc:
                # Refused after an unanswered try: the first may have been applied or not.
                raise CommitUnanswered(f"the database did not answer the commit: {exc}") from exc
        assert unanswered
        raise gexc.ServiceUnavailable("the database did not answer the commit")  # type: ignore[no-untyped-call]

    def rollback(self, tx_id: bytes) -> None:
        """Best effort: the database also expires an abandoned transaction's locks."""
        request = api.RollbackRequest(database=self.database, transaction=tx_id)
        with contextlib.suppress(gexc.GoogleAPICallError):
            self.client.rollback(request=request, retry=None, timeout=RPC_TIMEOUT_SECONDS)

    def _write(self, write: Any, resend: bool) -> None:
        request = api.CommitRequest(database=self.database, writes=[write])
        try:
            self.commit(request, resend=resend, policy=self.policy)
        except gexc.NotFound as exc:
            raise NotFound(str(exc.message)) from exc
        except TRANSIENT as exc:
            raise CommitUnanswered(f"the database did not answer the commit: {exc}") from exc

    # -- the port ---------------------------------------------------------------------------

    def get(self, path: str) -> Doc | None:
        name = self.name(path)
        return self.batch_get(api.BatchGetDocumentsRequest(database=self.database, documents=[name])).get(name)

    def create(self, path: str, data: Doc) -> bool:
        # Not sent again when unanswered: a second try would find the first's document.
        try:
            self._write(values.write_message(self.name(path), data, "create"), resend=False)
        except gexc.AlreadyExists:
            return False
        return True

    def set(self, path: str, data: Doc) -> None:
        self._write(values.write_message(self.name(path), data, "set"), resend=True)

    def update(self, path: str, data: Doc) -> None:
        self._write(values.write_message(self.name(path), data, "update"), resend=True)

    def delete(self, path: str) -> None:
        self._write(values.delete_message(self.name(path)), resend=True)

    def list(
        self,
        collection: str,
        where: list[Where] | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Doc]]:
        parent, _, collection_id = collection.rpartition("/")
        parent_name = f"{self.database}/documents" + (f"/{parent}" if parent else "")
        structured = _Query(from_=[_Query.CollectionSelector(collection_id=collection_id)])
        filters = [
            _Query.Filter(
                field_filter=_Query.FieldFilter(
                    field=_Query.FieldReference(field_path=values.field_path(condition.field)),
                    op=_OPS[condition.op],
                    value=document.Value.wrap(values.value(condition.value)),
                )
            )
            for condition in where or []
        ]
        if len(filters) == 1:
            structured.where = filters[0]
        elif filters:
            structured.where = _Query.Filter(
                composite_filter=_Query.CompositeFilter(op=_Query.CompositeFilter.Operator.AND, filters=filters)
            )
        if order_by:
            structured.order_by = [_Query.Order(field=_Query.FieldReference(field_path=values.field_path(order_by)))]
        if limit is not None:
            structured.limit = limit
        request = api.RunQueryRequest(parent=parent_name, structured_query=structured)
        for response in self.client.run_query(request=request, timeout=RPC_TIMEOUT_SECONDS):
            message = api.RunQueryResponse.pb(response)
            if message.HasField("document"):
                yield message.document.name.rsplit("/", 1)[1], values.decode_fields(message.document.fields)

    def transaction(self, fn: Callable[[Transaction], T]) -> T:
        return _run(self, fn, self.policy)


@lru_cache(maxsize=8)
def store_for(project: str) -> FirestoreStore:
    """One client per project and process: Cloud Functions reuse it across invocations."""
    return FirestoreStore(api_client(), project)
