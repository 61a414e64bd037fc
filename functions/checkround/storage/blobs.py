"""Blob stores for rendered PDFs: a local folder by default, a GCS bucket when configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        # Names are built by the services from ids, but a path must never leave the root.
        if self.root.resolve() not in path.parents:
            raise ValueError(f"blob name escapes the store: {name!r}")
        return path

    def put(self, name: str, data: bytes, content_type: str) -> str:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a PDF
        return str(path)

    def get(self, name: str) -> bytes | None:
        path = self._path(name)
        return path.read_bytes() if path.exists() else None


class GcsBlobStore:
    def __init__(self, bucket: str) -> None:
        from google.cloud import storage  # type: ignore[attr-defined]  # untyped; loaded only with a bucket

        self._bucket: Any = storage.Client().bucket(bucket)
        self.bucket_name = bucket

    def put(self, name: str, data: bytes, content_type: str) -> str:
        self._bucket.blob(name).upload_from_string(data, content_type=content_type)
        return f"gs://{self.bucket_name}/{name}"

    def get(self, name: str) -> bytes | None:
        blob = self._bucket.blob(name)
        if not blob.exists():
            return None
        data: bytes = blob.download_as_bytes()
        return data
