"""The one place where configuration is read: environment variables with defaults.

Every variable is documented in docs/operations.md (Configuration); nothing else in the
package reads ``os.environ``, except the admin CLI, whose ``--url`` and ``--token`` options
fall back to ``CHECKROUND_URL`` and ``CHECKROUND_TOKEN`` the way click options do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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


# Secrets that have a value for local development, so that `make run` needs no setup; a cloud
# instance must never start with one of them (anyone can read it here). Each entry: the
# variable, its local default, and the functions that use it (the others may run without it;
# infra/iam.tf grants the secret to exactly these, and tests/unit/test_infra.py checks that).
SECRETS_WITH_LOCAL_DEFAULTS: dict[str, tuple[str, frozenset[str]]] = {
    "CHECKROUND_TOKEN_PEPPER": (
        "local-development-pepper",
        frozenset({"admin_api", "unit_api", "web_form", "admin_console", "close_due_rounds", "on_outbox_created"}),
    ),
    # Derives the secret of each link a message carries from the message's id, so that the
    # link is never stored in clear and a retried message carries the same link.
    "CHECKROUND_NOTIFY_KEY": ("local-development-notify-key", frozenset({"close_due_rounds", "on_outbox_created"})),
}

# Secrets without a local default: the functions that use them may run without (no SMTP login
# locally). infra/ grants each to exactly these functions.
OPTIONAL_SECRETS: dict[str, frozenset[str]] = {
    "CHECKROUND_SMTP_PASSWORD": frozenset({"close_due_rounds", "on_outbox_created"}),
}


# Where the local stack's webhook receivers listen (tests, a developer's gateway on localhost).
LOCAL_WEBHOOK_NETWORKS = ("127.0.0.0/8", "::1/128")


class UnsafeConfiguration(RuntimeError):
    """A cloud instance was about to start with a secret anyone can read in this repository."""


def _secret(env: Mapping[str, str], name: str) -> str:
    return env.get(name) or SECRETS_WITH_LOCAL_DEFAULTS[name][0]


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
    # The OAuth client of the console's "Sign in with Google" (Google Identity Services); its
    # ID tokens carry it as their audience, so it is one of id_token_audiences when set.
    google_client_id: str | None
    # "json" (one Cloud Logging entry per line) or "text"; json by default on Cloud Run.
    log_format: str
    # Running on the platform: Cloud Run sets K_SERVICE (2nd-gen functions run there; the
    # container contract documents it). FUNCTION_TARGET names the entry point this instance
    # serves; it says nothing about where, since functions-framework sets it locally too.
    cloud: bool
    function_target: str | None
    # Secrets (by variable) left unset or at their local default.
    local_secrets: frozenset[str]
    # Outgoing messages (checkround.notify): the SMTP server, the sender's address, how fast
    # each channel may send from one instance, and how long a claimed message stays claimed.
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    # PEM file of the CAs the SMTP server's certificate is checked against (None: the system's).
    smtp_ca_file: str | None
    smtp_user: str | None
    smtp_password: str | None
    smtp_timeout: float
    mail_from: str
    notify_key: str
    smtp_per_second: float
    webhook_per_second: float
    notify_lease_seconds: int
    # The networks besides the public internet a webhook may be sent to (checkround.notify.egress):
    # the local stack's own receivers on the loopback interface, and nothing in the cloud, where
    # the function's network holds the metadata server and the project's private addresses.
    webhook_private_networks: tuple[str, ...]
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
    cloud = bool(env.get("K_SERVICE"))
    google_client_id = env.get("CHECKROUND_GOOGLE_CLIENT_ID", "").strip() or None
    audiences = _csv(env.get("CHECKROUND_ID_TOKEN_AUDIENCE", "")) or [public_base_url]
    return Settings(
        project=env.get("CHECKROUND_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT") or "checkround-local",
        blob_dir=_path("CHECKROUND_BLOB_DIR", _path("CHECKROUND_LOCAL_DIR", _ROOT / ".local") / "blobs"),
        gcs_bucket=env.get("CHECKROUND_GCS_BUCKET") or None,
        token_pepper=_secret(env, "CHECKROUND_TOKEN_PEPPER"),
        public_base_url=public_base_url,
        max_body_bytes=int(env.get("CHECKROUND_MAX_BODY_BYTES", str(1024 * 1024))),
        max_form_fields=int(env.get("CHECKROUND_MAX_FORM_FIELDS", "500")),
        templates_dir=_path("CHECKROUND_TEMPLATES_DIR", _ROOT / "templates"),
        schemas_dir=_path("CHECKROUND_SCHEMAS_DIR", _ROOT / "schemas"),
        summary_lease_seconds=int(env.get("CHECKROUND_SUMMARY_LEASE_SECONDS", "600")),
        admin_emails=frozenset(_csv(env.get("CHECKROUND_ADMIN_EMAILS", ""), lower=True)),
        id_token_audiences=tuple(audiences + ([google_client_id] if google_client_id else [])),
        google_client_id=google_client_id,
        # Structured logs in the cloud, readable text on a developer's terminal.
        log_format=env.get("CHECKROUND_LOG_FORMAT") or ("json" if cloud else "text"),
        cloud=cloud,
        function_target=env.get("FUNCTION_TARGET") or None,
        local_secrets=frozenset(
            name for name, (default, _) in SECRETS_WITH_LOCAL_DEFAULTS.items() if _secret(env, name) == default
        ),
        smtp_host=env.get("CHECKROUND_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env.get("CHECKROUND_SMTP_PORT", "8025")),
        smtp_starttls=env.get("CHECKROUND_SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
        smtp_ca_file=env.get("CHECKROUND_SMTP_CA_FILE") or None,
        smtp_user=env.get("CHECKROUND_SMTP_USER") or None,
        smtp_password=env.get("CHECKROUND_SMTP_PASSWORD") or None,
        smtp_timeout=float(env.get("CHECKROUND_SMTP_TIMEOUT", "20")),
        mail_from=env.get("CHECKROUND_MAIL_FROM", "Checkround <checkround@localhost.localdomain>"),
        notify_key=_secret(env, "CHECKROUND_NOTIFY_KEY"),
        smtp_per_second=float(env.get("CHECKROUND_SMTP_PER_SECOND", "20")),
        webhook_per_second=float(env.get("CHECKROUND_WEBHOOK_PER_SECOND", "20")),
        notify_lease_seconds=int(env.get("CHECKROUND_NOTIFY_LEASE_SECONDS", "120")),
        webhook_private_networks=() if cloud else LOCAL_WEBHOOK_NETWORKS,
        port=int(port),
        emulator_port=int(env.get("CHECKROUND_EMULATOR_PORT", "8089")),
        local_dir=_path("CHECKROUND_LOCAL_DIR", _ROOT / ".local"),
    )


def refuse_local_secrets_in_cloud(config: Settings) -> None:
    """Stop a cloud instance from starting with a secret at its local default.

    Called once per instance when ``main.py`` is imported, so the platform reports a failed
    start (and this message in the function's log) instead of serving requests. An instance
    whose entry point is known needs only the secrets that entry point uses; one on Cloud Run
    without ``FUNCTION_TARGET`` needs them all.
    """
    if not config.cloud:
        return
    missing = sorted(
        name
        for name in config.local_secrets
        if config.function_target is None or config.function_target in SECRETS_WITH_LOCAL_DEFAULTS[name][1]
    )
    if missing:
        raise UnsafeConfiguration(
            f"refusing to start {config.function_target or 'this instance'} in the cloud: "
            f"{', '.join(missing)} is unset or left at its local development default, which anyone "
            "can read in the source. Give the function its secrets from Secret Manager, as infra/ does."
        )
