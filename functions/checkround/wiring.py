"""The composition root: builds the services' :class:`Context` from configuration, once per
process (Cloud Functions keep globals warm between invocations)."""

from __future__ import annotations

from functools import lru_cache

from .config import settings
from .context import Context, SystemClock
from .storage.ports import BlobStore, IdTokenVerifier


@lru_cache(maxsize=1)
def context() -> Context:
    from .storage.firestore import store_for

    config = settings()
    blobs: BlobStore
    if config.gcs_bucket:
        from .storage.blobs import GcsBlobStore

        blobs = GcsBlobStore(config.gcs_bucket)
    else:
        from .storage.blobs import LocalBlobStore

        blobs = LocalBlobStore(config.blob_dir)
    id_tokens: IdTokenVerifier | None = None
    if config.admin_emails:
        # Only when someone may sign in with Google: otherwise google-auth is never loaded.
        from .storage.google_identity import GoogleIdTokenVerifier

        id_tokens = GoogleIdTokenVerifier(config.id_token_audiences)
    return Context(
        store=store_for(config.project), blobs=blobs, clock=SystemClock(), settings=config, id_tokens=id_tokens
    )


def reset() -> None:
    """Forget cached configuration and clients (tests switch projects between cases)."""
    settings.cache_clear()
    context.cache_clear()
