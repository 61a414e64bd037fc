"""Ports (typing.Protocol) between the services and the outside world.

Services see documents as plain dicts addressed by slash-separated paths
(``rounds/r1/entries/u1``). The Firestore adapter and the in-memory fake implement the same
protocol, so services are tested without a database and run unchanged on the emulator and in
the cloud.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

Doc = dict[str, Any]


class Contention(Exception):
    """A transaction kept colliding with others and gave up: the caller may simply retry."""


class CommitUnanswered(Contention):
    """The database did not answer a commit, which may or may not have happened: the caller
    may retry, and an idempotent request (one with its key) is then stored once."""


class NotFound(LookupError):
    """An update of a document that does not exist (the whole commit is refused)."""


class AlreadyExists(Exception):
    """A create, in a transaction, of a document that exists (the whole commit is refused)."""


@dataclass(frozen=True)
class Where:
    """A query filter; ``op`` is one of ``==``, ``<``, ``<=``, ``>``, ``>=``, ``in``."""

    field: str
    op: str
    value: Any


class Transaction(Protocol):
    """Reads must come before writes (Firestore's rule); the function may run more than once."""

    def get(self, path: str) -> Doc | None: ...

    def get_many(self, paths: list[str], fields: list[str] | None = None) -> list[Doc | None]:
        """Several documents in one round trip, in the order asked; with ``fields``, only those
        top-level fields of each (a document without any of them reads as ``{}``, not ``None``)."""

    def create(self, path: str, data: Doc) -> None:
        """Write a document that the transaction has read as absent."""

    def set(self, path: str, data: Doc) -> None: ...

    def update(self, path: str, data: Doc) -> None: ...

    def delete(self, path: str) -> None:
        """Remove a document with the transaction's other writes (absent already: no error)."""


class DocumentStore(Protocol):
    def get(self, path: str) -> Doc | None: ...

    def create(self, path: str, data: Doc) -> bool:
        """Create unless it exists; True if this call created it."""

    def set(self, path: str, data: Doc) -> None: ...

    def update(self, path: str, data: Doc) -> None: ...

    def delete(self, path: str) -> None: ...

    def list(
        self,
        collection: str,
        where: list[Where] | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Doc]]:
        """Stream ``(document id, data)`` of a collection, filtered and ordered."""

    def transaction(self, fn: Callable[[Transaction], T]) -> T:
        """Run ``fn`` atomically, retrying on contention; ``fn`` must have no other side effects."""


class BlobStore(Protocol):
    def put(self, name: str, data: bytes, content_type: str) -> str:
        """Store bytes under ``name``; return a location string for humans (path or gs:// URL)."""

    def get(self, name: str) -> bytes | None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class InvalidIdToken(Exception):
    """An identity token that could not be verified (signature, expiry, audience, issuer...)."""


class IdTokenVerifier(Protocol):
    def verify(self, token: str) -> Doc:
        """The claims of a token whose signature, expiry, audience and issuer all check out.

        Raises :class:`InvalidIdToken` for anything else; deciding *who* may act on those
        claims (the admin allowlist) is the caller's business, not the verifier's.
        """
