"""An in-memory DocumentStore for unit tests of the services (never used by integration tests).

Transactions are serialised with one lock, which is the strongest isolation Firestore gives.
"""

from __future__ import annotations

import copy
import operator
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .ports import Doc, Where

T = TypeVar("T")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, options: value in options,
}


class _MemoryTransaction:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._writes: list[tuple[str, str, Doc]] = []

    def get(self, path: str) -> Doc | None:
        if self._writes:
            raise RuntimeError("Firestore transactions must read before they write")
        return self._store._read(path)

    def get_many(self, paths: list[str], fields: list[str] | None = None) -> list[Doc | None]:
        docs = [self.get(path) for path in paths]
        if fields is None:
            return docs
        return [None if doc is None else {k: v for k, v in doc.items() if k in fields} for doc in docs]

    def create(self, path: str, data: Doc) -> None:
        self._writes.append(("create", path, data))

    def set(self, path: str, data: Doc) -> None:
        self._writes.append(("set", path, data))

    def update(self, path: str, data: Doc) -> None:
        self._writes.append(("update", path, data))


def _sort_key(row: tuple[str, Doc], order_by: str | None) -> Any:
    return row[1].get(order_by) if order_by else row[0]


class MemoryStore:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self._lock = threading.RLock()

    def _read(self, path: str) -> Doc | None:
        doc = self.docs.get(path)
        return copy.deepcopy(doc) if doc is not None else None

    def get(self, path: str) -> Doc | None:
        with self._lock:
            return self._read(path)

    def create(self, path: str, data: Doc) -> bool:
        with self._lock:
            if path in self.docs:
                return False
            self.docs[path] = copy.deepcopy(data)
            return True

    def set(self, path: str, data: Doc) -> None:
        with self._lock:
            self.docs[path] = copy.deepcopy(data)

    def update(self, path: str, data: Doc) -> None:
        with self._lock:
            if path not in self.docs:
                raise KeyError(path)
            self.docs[path].update(copy.deepcopy(data))

    def delete(self, path: str) -> None:
        with self._lock:
            self.docs.pop(path, None)

    def list(
        self,
        collection: str,
        where: list[Where] | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Doc]]:
        depth = collection.count("/") + 1
        with self._lock:
            rows = [
                (path.rsplit("/", 1)[1], copy.deepcopy(doc))
                for path, doc in self.docs.items()
                if path.startswith(collection + "/") and path.count("/") == depth
            ]
        for cond in where or []:
            rows = [r for r in rows if cond.field in r[1] and _OPS[cond.op](r[1][cond.field], cond.value)]
        rows.sort(key=lambda row: _sort_key(row, order_by))
        yield from rows[:limit] if limit is not None else rows

    def transaction(self, fn: Callable[[Any], T]) -> T:
        with self._lock:
            tx = _MemoryTransaction(self)
            result = fn(tx)
            for kind, path, data in tx._writes:
                if kind == "create" and path in self.docs:
                    raise RuntimeError(f"create: {path} already exists")
                if kind == "update":
                    self.docs[path].update(copy.deepcopy(data))
                else:
                    self.docs[path] = copy.deepcopy(data)
            return result
