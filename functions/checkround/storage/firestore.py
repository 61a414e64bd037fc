"""The Firestore adapter (with ``firestore_tx`` and ``firestore_client``, the only modules that
import ``google.cloud.firestore``).

It maps the :class:`~checkround.storage.ports.DocumentStore` port onto the Firestore client;
transactions run in ``firestore_tx``. Locally ``FIRESTORE_EMULATOR_HOST`` points the same
client at the emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore

from .firestore_client import Client
from .firestore_tx import run_transaction
from .ports import Doc, Transaction, Where

T = TypeVar("T")


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
        return run_transaction(self._client, fn)


@lru_cache(maxsize=8)
def store_for(project: str) -> FirestoreStore:
    """One client per project and process: Cloud Functions reuse it across invocations."""
    return FirestoreStore(Client(project=project))
