"""The notification parts that need no server: when a reminder is due, the retry delays, the
sandboxed templates, the links derived from message ids, and the expansion of a request into
messages in transactions that Firestore would take (at most 500 writes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkround.forms import service as forms
from checkround.notify import expand as expansion
from checkround.notify.compose import TemplateRefused, check_template, compose
from checkround.notify.dispatch import retry_delay
from checkround.notify.outbox import KEEP, outbox_path
from checkround.notify.schedule import due_reminder
from checkround.notify.settings import sample_params
from checkround.rounds import service as rounds
from tests.support import T0, memory_context, small_form

TEMPLATES = memory_context.__globals__["settings"]().templates_dir


def round_doc(**extra):
    return {
        "closes_at": T0 + timedelta(days=5),
        "grace_minutes": 60,
        "opened_at": T0,
        "reminders_before_minutes": [4320, 1440],
        **extra,
    }


@pytest.mark.parametrize(
    ("moment", "stage"),
    [
        (T0 + timedelta(days=1), None),  # four days before: nothing yet
        (T0 + timedelta(days=2, minutes=1), "4320"),  # three days before
        (T0 + timedelta(days=4, minutes=1), "1440"),  # one day before: the latest offset passed
        (T0 + timedelta(days=5, minutes=5), "grace"),
        (T0 + timedelta(days=5, minutes=61), None),  # past the grace: the round closes
    ],
)
def test_the_reminder_due_at_each_moment(moment, stage):
    assert due_reminder(round_doc(), moment) == stage


def test_an_offset_that_passed_before_the_round_opened_is_skipped():
    opened_late = round_doc(opened_at=T0 + timedelta(days=3))  # two days before the deadline
    assert due_reminder(opened_late, T0 + timedelta(days=3, minutes=1)) is None
    assert due_reminder(opened_late, T0 + timedelta(days=4, minutes=1)) == "1440"
    assert due_reminder(round_doc(grace_minutes=0), T0 + timedelta(days=5, minutes=1)) is None


def test_retries_wait_longer_each_time_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(30) == timedelta(hours=1)


def test_the_html_part_escapes_values_and_the_text_part_keeps_them():
    params = {**sample_params("returned"), "unit": "<b>Đoàn & Hội</b>", "language": "vi"}
    composed = compose(TEMPLATES, "returned", "vi", params)
    assert "&lt;b&gt;Đoàn &amp; Hội&lt;/b&gt;" in composed.html
    assert "<b>Đoàn & Hội</b>" in composed.text
    english = compose(TEMPLATES, "returned", "en", params)
    assert "was returned for changes" in english.text
    assert composed.subject == "[Kiểm tra 6 tháng] Báo cáo của Đoàn TN Công an tỉnh được trả lại"


@pytest.mark.parametrize(
    "source",
    [
        "{{ t.__class__.__mro__ }}",
        "{{ lipsum.__globals__['os'] }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{{ config }}",  # a name it is not given
        "{% for x in range(10) %}{% endfor %}",  # no range(): no loop the data does not bound
        "{{ 'x' * 100000000 }}",  # nothing large built by repetition
        "{{ [1] * 20000 }}",
        "{{ 9 ** 999999 }}",
        "{{ t('no_such_text') }}",
        "{% if %}",
    ],
)
def test_an_organisations_template_that_reaches_beyond_its_values_is_refused(source):
    with pytest.raises(TemplateRefused):
        check_template(TEMPLATES, "link", {"txt": source, "html": "<p>{{ link }}</p>"}, sample_params("link"))


def test_an_organisations_html_template_is_autoescaped_too():
    params = {**sample_params("link"), "name": "<script>x</script>"}
    composed = compose(TEMPLATES, "link", "vi", params, {"txt": "{{ name }}", "html": "<p>{{ name }}</p>"})
    assert composed.html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    assert composed.text == "<script>x</script>"


def test_a_message_link_is_derived_from_its_id_and_only_its_hash_is_stored():
    first = expansion.link_secret("key", "link.r1.abc.u1.0.email")
    assert first == expansion.link_secret("key", "link.r1.abc.u1.0.email")  # a retry sends the same link
    assert first != expansion.link_secret("key", "link.r1.abc.u1.1.email")
    assert first != expansion.link_secret("other-key", "link.r1.abc.u1.0.email")
    assert len(first) == 43
    assert first.replace("-", "").replace("_", "").isalnum()


class CountingTransactions:
    """Wraps a memory store's transactions and records each one's number of writes."""

    def __init__(self, store):
        self.store = store
        self.writes: list[int] = []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def transaction(self, fn):
        def counted(tx):
            result = fn(tx)
            self.writes.append(len(tx.writes))
            return result

        return self.store.transaction(counted)


def test_a_large_round_expands_in_transactions_firestore_takes_and_only_once(tmp_path):
    ctx = memory_context(tmp_path)
    form = small_form()
    forms.create_form(ctx, form)
    forms.publish_version(ctx, form["id"])
    unit_ids = [f"u{n:04d}" for n in range(400)]
    for unit_id in unit_ids:
        contacts = [{"name": "A", "email": f"a@{unit_id}.example.org"}, {"name": "B", "phone": "0912345678"}]
        rounds.put_unit(ctx, unit_id, {"name": unit_id, "contacts": contacts})
    body = {
        "id": "r1",
        "title": {"vi": "Đợt"},
        "form_id": form["id"],
        "unit_ids": unit_ids,
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + timedelta(days=7)).isoformat(),
    }
    rounds.create_round(ctx, body)
    rounds.open_round(ctx, "r1")
    (request_id,) = [key for key, doc in ctx.store.list("outbox") if doc["type"] == "request"]
    counted = CountingTransactions(ctx.store)
    ctx = type(ctx)(store=counted, blobs=ctx.blobs, clock=ctx.clock, settings=ctx.settings)
    assert expansion.expand(ctx, request_id) == "400 messages"  # e-mail only: no webhook endpoint
    assert len(counted.writes) > 1
    assert max(counted.writes) <= expansion.MAX_WRITES
    messages = {key: doc for key, doc in ctx.store.list("outbox") if doc["type"] == "message"}
    assert len(messages) == 400
    assert ctx.store.get(outbox_path(request_id))["state"] == "done"
    assert expansion.expand(ctx, request_id) == "done already"
    # Each message's link token exists, belongs to its unit and is listed in its links document.
    some_id, some = next(iter(messages.items()))
    token = ctx.store.get(some["link_token"])
    assert (token["unit_id"], token["message_id"], token["kind"]) == (some["unit_id"], some_id, "link")
    assert {"link": some["link_token"]} in ctx.store.get(f"rounds/r1/links/{some['unit_id']}")["live"]
    # Firestore's TTL policy deletes outbox documents after KEEP (infra/firestore.tf).
    assert some["expire_at"] == some["created_at"] + KEEP
    assert ctx.store.get(outbox_path(request_id))["expire_at"] == T0 + KEEP


@pytest.mark.parametrize(
    ("url", "cloud", "error"),
    [
        ("http://[", False, "Not a URL."),
        ("https://gateway.example.vn:port/", False, "Not a URL."),
        ("ftp://gateway.example.vn/hook", False, "Not an http(s) URL."),
        ("http://gateway.example.vn/hook", True, "The URL must be an https:// address."),
        (
            "https://user:pw@gateway.example.vn/hook",
            True,
            "Put no credentials in the URL; the requests are signed instead.",
        ),
        ("http://127.0.0.1:9000/hook", False, None),
        ("https://gateway.example.vn/hook", True, None),
    ],
)
def test_webhook_urls(url, cloud, error):
    from marshmallow import ValidationError

    from checkround.config import LOCAL_WEBHOOK_NETWORKS
    from checkround.notify.settings import WebhookInput

    schema = WebhookInput(cloud, () if cloud else LOCAL_WEBHOOK_NETWORKS)
    if error is None:
        assert schema.load({"url": url}) == {"url": url}
        return
    with pytest.raises(ValidationError) as caught:
        schema.load({"url": url})
    assert caught.value.messages == {"url": [error]}


def test_an_organisations_template_may_still_repeat_a_little_and_loop_over_its_values():
    params = sample_params("returned")
    source = "{{ '-' * 20 }}\n{% for c in comments %}{{ c.label }}: {{ c.text }}{% endfor %}"
    composed = compose(TEMPLATES, "returned", "vi", params, {"txt": source, "html": "<p>{{ 2 * 3 }}</p>"})
    assert composed.text == "-" * 20 + "\nMục 1: Bổ sung số liệu."
    assert composed.html == "<p>6</p>"


def test_a_message_that_keeps_failing_is_given_up_after_a_day(tmp_path):
    """Against a port nobody listens on: retried with growing delays, then failed for good."""
    import dataclasses

    from checkround.devstack.emulator import free_port
    from checkround.notify import dispatch

    ctx = memory_context(tmp_path)
    ctx = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, smtp_port=free_port(), smtp_per_second=0))
    doc = {
        "type": "message",
        "kind": "summary",
        "round_id": "r1",
        "unit_id": None,
        "channel": "email",
        "to": "admin@example.org",
        "language": "vi",
        "recipient": {"email": "admin@example.org"},
        "params": {**sample_params("summary")},
        "state": "pending",
        "attempts": 0,
        "created_at": T0,
        "due_at": T0,
    }
    ctx.store.set("outbox/m1", doc)
    assert dispatch.dispatch(ctx, "m1") == "retry"
    first = ctx.store.get("outbox/m1")
    assert first["due_at"] == T0 + timedelta(seconds=30)
    assert "ConnectionRefusedError" in first["error"]
    ctx.clock.advance(minutes=1)
    assert dispatch.dispatch(ctx, "m1") == "retry"
    assert ctx.store.get("outbox/m1")["due_at"] == ctx.clock.now() + timedelta(minutes=1)
    ctx.clock.advance(days=1)
    assert dispatch.dispatch(ctx, "m1") == "failed"
    last = ctx.store.get("outbox/m1")
    assert last["error"].startswith("gave up after a day")
    assert last["permanent"] is False
    assert last["due_at"] is None
    assert dispatch.dispatch(ctx, "m1") == "failed already"


def test_the_sweep_stops_taking_up_documents_when_its_time_is_up(tmp_path, monkeypatch):
    from checkround.notify import dispatch

    ctx = memory_context(tmp_path)
    for n in range(3):
        ctx.store.set(f"outbox/m{n}", {"type": "message", "state": "pending", "due_at": T0})
    handled = []
    ticks = iter([0.0, 1.0, 2.0, 99.0, 99.0])  # the third document is taken up after the budget
    monkeypatch.setattr(dispatch.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(dispatch, "handle", lambda _ctx, doc_id: handled.append(doc_id) or "sent")
    assert dispatch.sweep(ctx, seconds=10) == {"sent": 2}
    assert handled == ["m0", "m1"]
