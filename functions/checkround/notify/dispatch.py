"""Sending one message: claim it in a transaction, send it, record the outcome.

The claim (``state: sending``, a claim id and a lease) is what keeps two dispatchers (the
Firestore event and the sweep, or two deliveries of the event) from sending a message twice;
a dispatcher that dies mid-send leaves its claim to expire, and the sweep sends the message
again after the lease. The message keeps its id on every attempt (the e-mail's Message-ID,
the webhook's ``webhook-id``), so that a receiver that got the first attempt after all drops
the second. Transient failures are retried with a growing delay for a day; a permanent one
(a 5xx SMTP reply, a 4xx webhook answer) is recorded and not retried.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import UTC, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from typing import Any

from checkround.config import Settings
from checkround.context import Context
from checkround.rounds.service import form_url
from checkround.storage.ports import Doc, Transaction, Where

from . import settings as org
from .channels import Permanent, SmtpSender, Transient, WebhookSender
from .compose import compose
from .expand import expand, link_secret
from .outbox import OUTBOX, outbox_path

log = logging.getLogger("checkround.notify")

GIVE_UP_AFTER = timedelta(days=1)
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 3600
SWEEP_BATCH = 200
# The sweep stops taking up documents after this long, well inside close_due_rounds' timeout
# (infra: 300 s): with an SMTP server that hangs, each send may wait CHECKROUND_SMTP_TIMEOUT.
SWEEP_SECONDS = 150.0


@cache
def _senders(config: Settings) -> tuple[SmtpSender, WebhookSender]:
    return SmtpSender(config), WebhookSender(config)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min… at most an hour between attempts."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_WAIT_SECONDS))


def handle(ctx: Context, doc_id: str, doc: Doc | None = None) -> str:
    """What the dispatcher does with one outbox document: expand a request, send a message.

    ``doc``: the document as the create event carried it (its type never changes), which
    spares a read; the claim reads it again in its transaction anyway."""
    if doc is None or "type" not in doc:
        doc = ctx.store.get(outbox_path(doc_id))
    if doc is None:
        return "unknown"
    if doc.get("type") == "request":
        return expand(ctx, doc_id)
    return dispatch(ctx, doc_id)


def _claim(ctx: Context, message_id: str, claim_id: str) -> Doc | str:
    def write(tx: Transaction) -> Doc | str:
        doc = tx.get(outbox_path(message_id))
        now = ctx.clock.now()
        if doc is None:
            return "unknown"
        state = str(doc.get("state"))
        if state in ("sent", "failed"):
            return f"{state} already"
        if state in ("sending", "retry") and doc.get("due_at") and doc["due_at"] > now:
            return "not due" if state == "retry" else "claimed elsewhere"
        attempts = int(doc.get("attempts", 0)) + 1
        claim = {
            "state": "sending",
            "claim_id": claim_id,
            "attempts": attempts,
            "due_at": now + timedelta(seconds=ctx.settings.notify_lease_seconds),
            "last_attempt_at": now,
        }
        tx.update(outbox_path(message_id), claim)
        return {**doc, **claim}

    return ctx.store.transaction(write)


def _record(ctx: Context, message_id: str, claim_id: str, outcome: Doc) -> bool:
    def write(tx: Transaction) -> bool:
        doc = tx.get(outbox_path(message_id))
        if doc is None or doc.get("claim_id") != claim_id:
            return False  # our lease expired and another dispatcher took the message over
        tx.update(outbox_path(message_id), outcome)
        return True

    return ctx.store.transaction(write)


def dispatch(ctx: Context, message_id: str) -> str:
    claim_id = secrets.token_hex(8)
    claimed = _claim(ctx, message_id, claim_id)
    if isinstance(claimed, str):
        return claimed
    now = ctx.clock.now()
    try:
        try:
            detail = _send(ctx, message_id, claimed)
        except (Permanent, Transient):
            raise
        except Exception as exc:
            # Anything else (the PDF of an accepted report failing, a bug) is retried like a
            # transient failure and given up after a day, rather than left claimed for ever.
            log.exception("message %s: unexpected failure", message_id)
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
    except Permanent as exc:
        _record(ctx, message_id, claim_id, {"state": "failed", "permanent": True, "error": str(exc), "due_at": None})
        log.warning("message %s refused for good: %s", message_id, exc)
        return "failed"
    except Transient as exc:
        attempts = int(claimed["attempts"])
        if now - claimed["created_at"] >= GIVE_UP_AFTER:
            outcome: Doc = {
                "state": "failed",
                "permanent": False,
                "error": f"gave up after a day: {exc}",
                "due_at": None,
            }
        else:
            outcome = {"state": "retry", "error": str(exc), "due_at": now + retry_delay(attempts)}
        _record(ctx, message_id, claim_id, outcome)
        log.info("message %s not sent (attempt %s): %s", message_id, attempts, exc)
        return str(outcome["state"])
    _record(ctx, message_id, claim_id, {"state": "sent", "sent_at": ctx.clock.now(), "error": None, "due_at": None,
                                        "detail": detail})  # fmt: skip
    return "sent"


def _link(ctx: Context, message_id: str, doc: Doc) -> str | None:
    if not doc.get("link_token"):
        return None
    return form_url(ctx, doc["round_id"], link_secret(ctx.settings.notify_key, message_id))


def _send(ctx: Context, message_id: str, doc: Doc) -> str:
    params = dict(doc.get("params") or {})
    link = _link(ctx, message_id, doc)
    if link is not None:
        params["link"] = link
    if doc["kind"] == "summary":
        params["link"] = f"{ctx.settings.public_base_url}/admin_api/rounds/{doc['round_id']}/summary.pdf"
    overrides = org.template_overrides(ctx, doc["kind"])
    try:
        composed = compose(ctx.settings.templates_dir, doc["kind"], doc.get("language", "vi"), params, overrides)
    except Exception as exc:  # a template that cannot render this message will not later either
        raise Permanent(f"template: {type(exc).__name__}: {exc}") from None
    smtp, webhooks = _senders(ctx.settings)
    if doc["channel"] == "email":
        return smtp.send(_email(ctx, message_id, doc, composed, params))
    hook = org.webhook(ctx, doc["to"])
    if hook is None:
        raise Permanent("the webhook endpoint was deleted")
    body = {
        "type": f"checkround.{doc['kind']}",
        "timestamp": ctx.clock.now().isoformat(),
        "data": {
            "message_id": message_id,
            "round_id": doc["round_id"],
            "unit_id": doc.get("unit_id"),
            "language": doc.get("language"),
            "recipient": doc.get("recipient") or {},
            "subject": composed.subject,
            "text": composed.text,
            "link": params.get("link"),
        },
    }
    return webhooks.send(hook["url"], hook["secret"], message_id, ctx.clock.now().astimezone(UTC), body)


def _email(ctx: Context, message_id: str, doc: Doc, composed: Any, params: Doc) -> EmailMessage:
    mail = EmailMessage()
    sender = ctx.settings.mail_from
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    mail["Message-ID"] = f"<{message_id}@{domain}>"
    mail["From"] = sender
    name = (doc.get("recipient") or {}).get("name")
    mail["To"] = Address(display_name=name or "", addr_spec=doc["to"])
    mail["Subject"] = composed.subject
    mail["Date"] = format_datetime(ctx.clock.now().astimezone(UTC))
    mail["Content-Language"] = doc.get("language", "vi")
    mail.set_content(composed.text)
    mail.add_alternative(composed.html, subtype="html")
    if doc["kind"] == "accepted" and doc.get("unit_id"):
        from checkround.reports.service import unit_pdf  # WeasyPrint: only for this kind

        pdf = unit_pdf(ctx, doc["round_id"], doc["unit_id"])
        mail.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=f"{doc['round_id']}-{doc['unit_id']}.pdf"
        )
    return mail


def sweep(ctx: Context, limit: int = SWEEP_BATCH, seconds: float = SWEEP_SECONDS) -> Doc:
    """Take up what is due: requests not expanded, messages pending, to retry, or whose
    sender's lease has expired. Returns how many of each outcome; what is left waits for the
    next tick."""
    now = ctx.clock.now()
    outcomes: dict[str, int] = {}
    stop_at = time.monotonic() + seconds
    for doc_id, _ in ctx.store.list(OUTBOX, where=[Where("due_at", "<=", now)], limit=limit):
        if time.monotonic() > stop_at:
            break
        try:
            outcome = handle(ctx, doc_id)
        except Exception:
            log.exception("outbox %s failed in the sweep", doc_id)
            outcome = "error"
        key = outcome if not outcome.endswith("messages") else "expanded"
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes
