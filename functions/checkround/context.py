"""What a service needs from the outside world, passed explicitly (no globals in services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .config import Settings
from .storage.ports import BlobStore, Clock, DocumentStore, IdTokenVerifier


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    store: DocumentStore
    blobs: BlobStore
    clock: Clock
    settings: Settings
    # Verifies Google ID tokens for admin sign-in; None where no admin e-mail is configured.
    id_tokens: IdTokenVerifier | None = None
