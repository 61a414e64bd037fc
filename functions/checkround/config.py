"""The one place where configuration is read: environment variables with defaults.

Every variable is documented in the README's configuration table; nothing else in the
package reads ``os.environ``, except the admin CLI, whose ``--url`` and ``--token`` options
fall back to ``CHECKROUND_URL`` and ``CHECKROUND_TOKEN`` the way click options do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def _find_root() -> Path:
    """The repository root locally (functions/checkround/..), the archive root in the cloud bundle."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2], here.parents[1]):
        if (candidate / "templates").is_dir():
            return candidate
    return here.parents[2]


_ROOT = _find_root()


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


def _csv(value: str, lower: bool = False) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    return [item.lower() for item in items] if lower else items


@dataclass(frozen=True)
class Settings:
    project: str
    blob_dir: Path
    gcs_bucket: str | None
    token_pepper: str
    public_base_url: str
    max_body_bytes: int
    max_form_fields: int
    templates_dir: Path
    schemas_dir: Path
    summary_lease_seconds: int
    # Admin sign-in with Google ID tokens: the allowlist (lower-cased e-mails; empty: ID tokens
    # are refused without being looked at) and the audiences a token may be issued for.
    admin_emails: frozenset[str]
    id_token_audiences: tuple[str, ...]
    # "json" (one Cloud Logging entry per line) or "text"; json by default on Cloud Run.
    log_format: str
    # The local stack only (devstack): where it listens and keeps its data.
    port: int
    emulator_port: int
    local_dir: Path


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Read the environment once per process (functions are long-lived between calls)."""
    env = os.environ
    port = env.get("CHECKROUND_PORT", "8088")
    public_base_url = env.get("CHECKROUND_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/")
    return Settings(
        project=env.get("CHECKROUND_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT") or "checkround-local",
        blob_dir=_path("CHECKROUND_BLOB_DIR", _path("CHECKROUND_LOCAL_DIR", _ROOT / ".local") / "blobs"),
        gcs_bucket=env.get("CHECKROUND_GCS_BUCKET") or None,
        token_pepper=env.get("CHECKROUND_TOKEN_PEPPER", "local-development-pepper"),
        public_base_url=public_base_url,
        max_body_bytes=int(env.get("CHECKROUND_MAX_BODY_BYTES", str(1024 * 1024))),
        max_form_fields=int(env.get("CHECKROUND_MAX_FORM_FIELDS", "500")),
        templates_dir=_path("CHECKROUND_TEMPLATES_DIR", _ROOT / "templates"),
        schemas_dir=_path("CHECKROUND_SCHEMAS_DIR", _ROOT / "schemas"),
        summary_lease_seconds=int(env.get("CHECKROUND_SUMMARY_LEASE_SECONDS", "600")),
        admin_emails=frozenset(_csv(env.get("CHECKROUND_ADMIN_EMAILS", ""), lower=True)),
        id_token_audiences=tuple(_csv(env.get("CHECKROUND_ID_TOKEN_AUDIENCE", "")) or [public_base_url]),
        # K_SERVICE is set by Cloud Run (2nd-gen functions run there): structured logs in the
        # cloud, readable text on a developer's terminal.
        log_format=env.get("CHECKROUND_LOG_FORMAT") or ("json" if env.get("K_SERVICE") else "text"),
        port=int(port),
        emulator_port=int(env.get("CHECKROUND_EMULATOR_PORT", "8089")),
        local_dir=_path("CHECKROUND_LOCAL_DIR", _ROOT / ".local"),
    )
