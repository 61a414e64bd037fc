"""The Firestore adapter: the only module that imports ``google.cloud.firestore``.

It maps the :class:`~checkround.storage.ports.DocumentStore` port onto the Firestore client.
Locally ``FIRESTORE_EMULATOR_HOST`` points the same client at the emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore

from .ports import Contention, Doc, Transaction, Where

T = TypeVar("T")


class _FirestoreTransaction:
    def __init__(self, client: firestore.Client, tx: firestore.Transaction) -> None:
        self._client = client
        self._tx = tx

    def get(self, path: str) -> Doc | None:
        snap = self._client.document(path).get(transaction=self._tx)
        return snap.to_dict() if snap.exists else None

    def get_many(self, paths: list[str]) -> list[Doc | None]:
        refs = [self._client.document(path) for path in paths]
        found = {snap.reference.path: snap for snap in self._client.get_all(refs, transaction=self._tx)}
        return [found[ref.path].to_dict() if found[ref.path].exists else None for ref in refs]

    def create(self, path: str, data: Doc) -> None:
        self._tx.create(self._client.document(path), data)

    def set(self, path: str, data: Doc) -> None:
        self._tx.set(self._client.document(path), data)

    def update(self, path: str, data: Doc) -> None:
        self._tx.update(self._client.document(path), data)


class FirestoreStore:
    def __init__(self, client: firestore.Client) -> None:
        self._client = client

    def get(self, path: str) -> Doc | None:
        snap = self._client.document(path).get()
        return snap.to_dict() if snap.exists else None

    def create(self, path: str, data: Doc) -> bool:
        try:
            self._client.document(path).create(data)
        except gexc.AlreadyExists:
            return False
        return True

    def set(self, path: str, data: Doc) -> None:
        self._client.document(path).set(data)

    def update(self, path: str, data: Doc) -> None:
        self._client.document(path).update(data)

    def delete(self, path: str) -> None:
        self._client.document(path).delete()

    def list(
        self,
        collection: str,
        where: list[Where] | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Doc]]:
        query: Any = self._client.collection(collection)
        for condition in where or []:
            query = query.where(filter=firestore.FieldFilter(condition.field, condition.op, condition.value))
        if order_by:
            query = query.order_by(order_by)
        if limit is not None:
            query = query.limit(limit)
        for snap in query.stream():
            yield snap.id, snap.to_dict() or {}

    def transaction(self, fn: Callable[[Transaction], T]) -> T:
        @firestore.transactional
        def run(tx: firestore.Transaction) -> T:
            return fn(_FirestoreTransaction(self._client, tx))

        try:
            result: T = run(self._client.transaction(max_attempts=20))
        except gexc.Aborted as exc:
            raise Contention(str(exc)) from exc
        except ValueError as exc:
            # The client's way of saying it ran out of attempts on contention.
            if "Failed to commit transaction" not in str(exc):
                raise
            raise Contention(str(exc)) from exc
        return result


@lru_cache(maxsize=8)
def store_for(project: str) -> FirestoreStore:
    """One client per project and process: Cloud Functions reuse it across invocations."""
    return FirestoreStore(firestore.Client(project=project))
