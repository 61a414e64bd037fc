"""The organisation's notification settings: who the admins' messages go to
(``notify/settings``), and its webhook endpoints (``webhooks/{id}``), each with the secret its
requests are signed with (Standard Webhooks: shown once when the endpoint is made, then only
used to sign)."""

from __future__ import annotations

import base64
import secrets
import time
import weakref
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from checkround.context import Context
from checkround.errors import AppError
from checkround.inputs_common import EmailAddress, load
from checkround.storage.ports import Doc

from . import egress
from .outbox import KINDS

SETTINGS_PATH = "notify/settings"
WEBHOOKS = "webhooks"
MAX_WEBHOOKS = 10
WEBHOOK_NOUN = {"vi": "webhook", "en": "Webhook"}


class RecipientsInput(Schema):
    class Meta:
        unknown = RAISE

    admin_emails = fields.List(EmailAddress(), required=True, validate=validate.Length(max=50))


class WebhookInput(Schema):
    """A webhook endpoint: its URL (https in the cloud), and the kinds of message it receives
    (every kind when left out)."""

    class Meta:
        unknown = RAISE

    url = fields.String(required=True, validate=validate.Length(min=8, max=2000))
    kinds = fields.List(fields.String(validate=validate.OneOf(KINDS)), validate=validate.Length(min=1))
    description = fields.String(validate=validate.Length(max=200))

    @validates("url")
    def _url(self, value: str, **kwargs: Any) -> None:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (a port that is not a number raises here)
        except ValueError:
            raise ValidationError("Not a URL.") from None
        allowed = ("https",) if self.context_cloud else ("https", "http")
        if parts.scheme not in allowed or not parts.hostname:
            raise ValidationError(
                "The URL must be an https:// address." if self.context_cloud else "Not an http(s) URL."
            )
        if parts.username or parts.password:
            raise ValidationError("Put no credentials in the URL; the requests are signed instead.")
        # A name is checked again each time a message is sent (it may resolve elsewhere by then);
        # an address is refused here already.
        address = egress.literal(parts.hostname)
        if address is not None and not egress.allowed_address(address, self.context_networks):
            raise ValidationError("The URL must name a public address, not an internal one.")

    def __init__(self, cloud: bool = False, private_networks: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # In the cloud a message (and the link it may carry) never leaves in clear.
        self.context_cloud = cloud
        self.context_networks = egress.networks(private_networks)


def get_recipients(ctx: Context) -> Doc:
    doc = ctx.store.get(SETTINGS_PATH) or {}
    return {"admin_emails": list(doc.get("admin_emails") or [])}


def put_recipients(ctx: Context, body: Any) -> Doc:
    data = load(RecipientsInput(), body, "notifications")
    emails = list(dict.fromkeys(data["admin_emails"]))  # in order, each once
    ctx.store.set(SETTINGS_PATH, {"admin_emails": emails, "updated_at": ctx.clock.now()})
    return {"admin_emails": emails}


def new_webhook_secret() -> str:
    """``whsec_`` and 24 random bytes in base64: the Standard Webhooks secret format."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def create_webhook(ctx: Context, body: Any) -> Doc:
    data = load(WebhookInput(ctx.settings.cloud, ctx.settings.webhook_private_networks), body, "webhook")
    if sum(1 for _ in ctx.store.list(WEBHOOKS)) >= MAX_WEBHOOKS:
        raise AppError(
            "invalid_state",
            detail={"vi": f"tối đa {MAX_WEBHOOKS} địa chỉ webhook", "en": f"at most {MAX_WEBHOOKS} webhook endpoints"},
        )
    webhook_id = f"wh-{secrets.token_hex(6)}"
    secret = new_webhook_secret()
    doc = {
        "id": webhook_id,
        "url": data["url"],
        "kinds": data.get("kinds"),
        "description": data.get("description"),
        "secret": secret,
        "created_at": ctx.clock.now(),
    }
    ctx.store.create(f"{WEBHOOKS}/{webhook_id}", doc)
    return {**_public(doc), "secret": secret}


def _public(doc: Doc) -> Doc:
    return {key: doc.get(key) for key in ("id", "url", "kinds", "description", "created_at")}


def list_webhooks(ctx: Context) -> list[Doc]:
    return [_public(doc) for _, doc in ctx.store.list(WEBHOOKS)]


def delete_webhook(ctx: Context, webhook_id: str) -> Doc:
    if ctx.store.get(f"{WEBHOOKS}/{webhook_id}") is None:
        raise AppError("not_found", what=WEBHOOK_NOUN)
    ctx.store.delete(f"{WEBHOOKS}/{webhook_id}")
    return {"deleted": webhook_id}


def webhooks_for(ctx: Context, kind: str) -> list[Doc]:
    """The endpoints that receive ``kind``, with their secrets (for the dispatcher only)."""
    return [doc for _, doc in ctx.store.list(WEBHOOKS) if not doc.get("kinds") or kind in doc["kinds"]]


def webhook(ctx: Context, webhook_id: str) -> Doc | None:
    return ctx.store.get(f"{WEBHOOKS}/{webhook_id}")


# -- the organisation's own templates -------------------------------------------------------

TEMPLATES = "message_templates"
MAX_TEMPLATE_CHARS = 20_000


class TemplateInput(Schema):
    """An organisation's own plain-text and HTML parts of one kind of message (Jinja2, run in
    the sandbox with the message's values only)."""

    class Meta:
        unknown = RAISE

    txt = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEMPLATE_CHARS))
    html = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEMPLATE_CHARS))


def sample_params(kind: str) -> Doc:
    """Values like a real message's, for checking a template before it is stored."""
    return {
        "round": "Kiểm tra 6 tháng",
        "unit": "Đoàn TN Công an tỉnh",
        "name": "Nguyễn Văn An",
        "deadline": "20/06/2019 17:00",
        "closes": "19/06/2019 17:00",
        "link": "https://example.org/web_form/r/kt?t=sample",
        "again": False,
        "grace": kind == "reminder",
        "comments": [{"label": "Mục 1", "text": "Bổ sung số liệu."}],
        "message": "Xin bổ sung.",
        "revision": 2,
        "reported": 6,
        "total": 7,
        "since": "12/06/2019 08:00",
        "submissions": [{"at": "12/06/2019 08:30", "unit": "Đoàn TN Công an tỉnh", "late": False}],
        "subject": {"round": "Kiểm tra 6 tháng", "unit": "Đoàn TN Công an tỉnh", "deadline": "20/06/2019", "count": 1},
    }


def put_template(ctx: Context, kind: str, body: Any) -> Doc:
    from .compose import TemplateRefused, check_template  # Jinja2: only here and when sending

    if kind not in KINDS:
        raise AppError("not_found", what={"vi": "loại thư", "en": "Message kind"})
    data = load(TemplateInput(), body, "message_template")
    try:
        check_template(ctx.settings.templates_dir, kind, data, sample_params(kind))
    except TemplateRefused as exc:
        raise AppError("validation_failed", fields={"template": [str(exc)]}, subject="message_template") from None
    doc = {"kind": kind, **data, "updated_at": ctx.clock.now()}
    ctx.store.set(f"{TEMPLATES}/{kind}", doc)
    _OVERRIDES.get(ctx.store, {}).pop(kind, None)  # this process sends with it at once
    return doc


def delete_template(ctx: Context, kind: str) -> Doc:
    if kind in KINDS:
        ctx.store.delete(f"{TEMPLATES}/{kind}")
        _OVERRIDES.get(ctx.store, {}).pop(kind, None)
    return {"kind": kind, "template": "shipped"}


_OVERRIDES: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, dict[str, str] | None]]] = weakref.WeakKeyDictionary()
# A replaced template reaches the messages of a warm dispatcher within this long.
_OVERRIDES_SECONDS = 30.0


def template_overrides(ctx: Context, kind: str) -> dict[str, str] | None:
    """The organisation's own templates of ``kind``, read at most every few seconds per
    process: a round's opening sends many messages of one kind."""
    cache = _OVERRIDES.setdefault(ctx.store, {})
    hit = cache.get(kind)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    doc = ctx.store.get(f"{TEMPLATES}/{kind}")
    found = {"txt": doc["txt"], "html": doc["html"]} if doc else None
    cache[kind] = (time.monotonic() + _OVERRIDES_SECONDS, found)
    return found
