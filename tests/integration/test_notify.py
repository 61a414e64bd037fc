"""Notifications end to end on the real emulator: the outbox written with its cause, expanded
and sent by the dispatcher's entry point (fed the Firestore events Eventarc would deliver), to a
real SMTP server and a webhook receiver on free ports."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import functions_framework
import pytest
from standardwebhooks.webhooks import Webhook

from checkround import wiring
from checkround.notify import channels
from tests.integration.conftest import MAIN
from tests.integration.helpers import create_round, setup_seed_round
from tests.integration.notify_support import (
    CONTACTS,
    Clock,
    Receiver,
    body_json,
    deliver_events,
    link_of,
    outbox,
    secret_of,
    start_mail,
)
from tests.support import seed_answers

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"


@pytest.fixture(scope="module")
def dispatcher():
    return functions_framework.create_app(target="on_outbox_created", source=str(MAIN), signature_type="cloudevent")


@pytest.fixture
def mail(project, tmp_path, monkeypatch):
    server = start_mail(tmp_path / "mail")
    monkeypatch.setenv("CHECKROUND_SMTP_PORT", str(server.port))
    monkeypatch.setenv("CHECKROUND_SMTP_PER_SECOND", "0")  # no rate limit in tests
    wiring.reset()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.stop()


def with_contacts(admin, round_id=ROUND, open_it=True, **extra):
    """The seed form and units, three of them with contacts, and a round of them."""
    setup_seed_round(admin, round_id="seed-only", unit_ids=["ba-che"], open_it=False)
    for unit_id, contacts in CONTACTS.items():
        unit = admin("GET", "/units").json["units"]
        body = next({k: v for k, v in u.items() if k not in ("id", "updated_at")} for u in unit if u["id"] == unit_id)
        assert admin("PUT", f"/units/{unit_id}", {**body, "contacts": contacts}).status_code == 200
    return create_round(admin, round_id, [*CONTACTS, "tien-yen"], open_it=open_it, **extra)


def emails_to(server, address):
    return [m for m in server.messages() if address in str(m["To"])]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_opening_sends_each_contact_a_working_link_of_their_own(project, admin, apps, dispatcher, mail):
    with_contacts(admin)
    deliver_events(dispatcher, project)
    messages = mail.messages()
    # hai-quan's two contacts and cong-an's one have e-mail; ba-che's only a phone, tien-yen none.
    assert sorted(str(m["To"]) for m in messages) == sorted(
        [
            "Nguyễn Văn An <an@haiquan.example.vn>",
            "Trần Thị Bình <binh@haiquan.example.vn>",
            "Lê Văn Cường <cuong@congan.example.vn>",
        ]
    )
    links = {str(m["To"]): link_of(text_of(m)) for m in messages}
    assert len(set(links.values())) == 3  # a link each, not one per unit
    for message in messages:
        assert message["Subject"].startswith("[Kiểm tra")
        assert "Đường dẫn báo cáo" in message["Subject"]
        html = message.get_body(preferencelist=("html",)).get_content()
        assert link_of(text_of(message)).replace("&", "&amp;") in html
        doc_id = str(message["Message-ID"]).strip().strip("<>").rsplit("@", 1)[0]
        assert outbox()[doc_id]["state"] == "sent"
    # Each link opens its own unit's form in the web form.
    for address, unit_name in (("an@", "Hải quan"), ("cuong@", "Công an")):
        link = next(value for key, value in links.items() if address in key)
        assert link.split("?")[0].endswith(f"/web_form/r/{ROUND}")
        web = apps["web_form"].test_client()
        assert web.get(f"/r/{ROUND}", query_string={"t": secret_of(link)}).status_code == 303
        page = web.get(f"/r/{ROUND}")
        assert page.status_code == 200
        assert unit_name in page.get_data(as_text=True)
    # No link is stored in clear: no document of the outbox holds a secret.
    stored = json.dumps([doc for doc in outbox().values()], default=str)
    assert not any(secret_of(link) in stored for link in links.values())
    listed = admin("GET", f"/rounds/{ROUND}/messages", query_string={"unit_id": "hai-quan"}).json
    assert [m["state"] for m in listed["messages"]] == ["sent", "sent"]
    assert listed["pending_requests"] == 0


def test_a_reminder_goes_to_the_units_that_have_not_submitted_at_its_offset_once(
    project, admin, apps, dispatcher, mail, unit_client, monkeypatch
):
    clock = Clock(monkeypatch)
    tokens = with_contacts(admin, closes_in=timedelta(days=5))
    deliver_events(dispatcher, project)
    opening = len(mail.messages())
    submitted = unit_client(tokens["cong-an"])(
        "POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("cong-an")}
    )
    assert submitted.status_code == 201
    closes_at = clock.now + timedelta(days=5)
    scheduler = apps["close_due_rounds"].test_client()

    def tick():
        assert scheduler.post("/").status_code == 200
        deliver_events(dispatcher, project)
        return [(str(m["To"]), str(m["Message-ID"]).strip(), str(m["Subject"])) for m in mail.messages()[opening:]]

    clock.to(closes_at - timedelta(days=3, minutes=1))
    assert tick() == []  # not yet
    clock.to(closes_at - timedelta(days=3) + timedelta(minutes=1))
    first = tick()
    # hai-quan has not submitted: both its contacts; cong-an submitted: nothing.
    assert sorted(to.split("<")[1] for to, _, _ in first) == ["an@haiquan.example.vn>", "binh@haiquan.example.vn>"]
    assert all("Nhắc" in subject for _, _, subject in first)
    clock.move(minutes=5)
    assert tick() == first  # the same stage again: nothing more
    clock.to(closes_at - timedelta(days=1) + timedelta(minutes=1))
    second = tick()[len(first) :]
    assert len(second) == 2
    clock.to(closes_at + timedelta(minutes=1))  # no grace period: the round closes, no grace reminder
    assert tick()[len(first) + len(second) :] == []


def test_the_summary_message_reaches_the_admins(project, admin, apps, dispatcher, mail):
    assert admin("PUT", "/notifications/recipients", {"admin_emails": ["Chanh.VP@TinhDoan.example.vn"]}).json == {
        "admin_emails": ["Chanh.VP@tinhdoan.example.vn"]
    }
    with_contacts(admin)
    deliver_events(dispatcher, project)
    assert admin("POST", f"/rounds/{ROUND}/close").status_code == 200
    from tests.integration.test_events import round_event

    body, headers = round_event(project, ROUND, "open", "closed")
    assert apps["on_round_closed"].test_client().post("/", data=body, headers=headers).status_code == 200
    deliver_events(dispatcher, project)
    summary = emails_to(mail, "Chanh.VP@tinhdoan.example.vn")
    assert len(summary) == 1
    assert "Báo cáo tổng hợp đã sẵn sàng" in summary[0]["Subject"]
    assert f"/admin_api/rounds/{ROUND}/summary.pdf" in text_of(summary[0])
    assert "0/4 đơn vị đã báo cáo" in text_of(summary[0])


def test_webhooks_are_signed_by_the_standard_webhooks_convention(project, admin, dispatcher, mail, receiver):
    made = admin("POST", "/webhooks", {"url": receiver.url, "description": "SMS gateway"})
    assert made.status_code == 201, made.json
    secret = made.json["secret"]
    assert secret.startswith("whsec_")
    assert "secret" not in admin("GET", "/webhooks").json["webhooks"][0]
    with_contacts(admin)
    deliver_events(dispatcher, project)
    # One request per contact (four: ba-che's phone-only contact too), none twice.
    assert len(receiver.requests) == 4
    assert len(set(receiver.ids())) == 4
    for headers, raw in receiver.requests:
        # The convention's reference implementation verifies the request...
        payload = Webhook(secret).verify(raw, headers)
        assert payload["type"] == "checkround.link"
        assert payload["data"]["message_id"] == headers["webhook-id"]
        # ...and so does the specification's recipe, written out.
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + raw
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert f"v1,{expected}" in headers["webhook-signature"].split(" ")
    phone_only = next(body_json(raw) for _, raw in receiver.requests if "ba-che" in body_json(raw)["data"]["unit_id"])
    assert phone_only["data"]["recipient"]["phone"] == "0203 3888 111"
    assert "/web_form/r/" in phone_only["data"]["link"]
    # A tampered body does not verify.
    headers, raw = receiver.requests[0]
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(raw.replace(b"ba-che", b"hai-quan").replace(b"link", b"lynk"), headers)


def test_smtp_down_for_a_while_then_up_every_message_arrives_once(
    project, admin, apps, dispatcher, mail, monkeypatch, tmp_path
):
    clock = Clock(monkeypatch)
    port = mail.port
    mail.stop()
    with_contacts(admin)
    deliver_events(dispatcher, project)
    waiting = outbox("retry")
    assert len(waiting) == 3
    assert all("ConnectionRefusedError" in doc["error"] for doc in waiting.values())
    scheduler = apps["close_due_rounds"].test_client()
    clock.move(minutes=1)
    assert scheduler.post("/").json["outbox"] == {"retry": 3}  # still down: retried later again
    assert all(doc["attempts"] == 2 for doc in outbox("retry").values())
    restarted = start_mail(Path(mail.folder), port=port)
    try:
        clock.move(minutes=2)
        assert scheduler.post("/").json["outbox"] == {"sent": 3}
        clock.move(hours=2)
        assert scheduler.post("/").json["outbox"] == {}
        assert len(restarted.messages()) == 3
        assert restarted.deliveries == 3
    finally:
        restarted.stop()


class Killed(BaseException):
    """The dispatcher's instance dies (not an error it could record)."""


def test_a_dispatcher_killed_mid_send_loses_nothing_and_the_receiver_keeps_one_copy(
    project, admin, apps, dispatcher, mail, monkeypatch
):
    clock = Clock(monkeypatch)
    real_send = channels.SmtpSender.send
    calls = []

    def dies_after_sending(self, message):
        calls.append(message["Message-ID"])
        real_send(self, message)  # the server has it...
        raise Killed  # ...and the instance dies before recording it

    monkeypatch.setattr(channels.SmtpSender, "send", dies_after_sending)
    with_contacts(admin)
    with pytest.raises(Killed):
        deliver_events(dispatcher, project)
    assert len(calls) == 1
    killed = outbox("sending")
    assert len(killed) == 1  # claimed, never recorded
    monkeypatch.setattr(channels.SmtpSender, "send", real_send)
    deliver_events(dispatcher, project)  # the others
    scheduler = apps["close_due_rounds"].test_client()
    assert scheduler.post("/").json["outbox"] == {}  # the claim's lease holds
    clock.move(seconds=wiring.context().settings.notify_lease_seconds + 1)
    assert scheduler.post("/").json["outbox"] == {"sent": 1}
    assert mail.deliveries == 4  # the killed message reached the server twice...
    assert len(mail.messages()) == 3  # ...and is kept once, by its Message-ID
    assert {doc["state"] for doc in outbox(kind="message").values()} == {"sent"}


def test_a_permanent_refusal_is_recorded_and_not_retried(project, admin, apps, dispatcher, mail, monkeypatch):
    clock = Clock(monkeypatch)
    mail.refuse["cuong@congan.example.vn"] = "550 5.1.1 No such mailbox"
    with_contacts(admin)
    deliver_events(dispatcher, project)
    failed = outbox("failed")
    assert len(failed) == 1
    (doc,) = failed.values()
    assert doc["permanent"] is True
    assert "550" in doc["error"]
    clock.move(days=2)
    assert apps["close_due_rounds"].test_client().post("/").json["outbox"] == {}
    assert outbox("failed")[next(iter(failed))]["attempts"] == 1
    listed = admin("GET", f"/rounds/{ROUND}/messages", query_string={"unit_id": "cong-an"}).json["messages"]
    assert [(m["state"], m["permanent"]) for m in listed] == [("failed", True)]


def test_bad_notification_input_is_a_clear_422(project, admin, monkeypatch):
    setup_seed_round(admin, unit_ids=["ba-che"])
    bad_email = admin("PUT", "/units/ba-che", {"name": "Ba Chẽ", "contacts": [{"name": "A", "email": "a@@b.vn"}]})
    assert bad_email.status_code == 422
    assert "email" in bad_email.json["error"]["fields"]["contacts"]["0"]
    sandbox = admin("PUT", "/message-templates/link", {"txt": "{{ t.__class__.__mro__ }}", "html": "<p>{{ link }}</p>"})
    assert sandbox.status_code == 422, sandbox.json
    assert sandbox.json["error"]["message"].startswith("Mẫu thư không dùng được")
    assert "unsafe" in sandbox.json["error"]["fields"]["template"][0]
    globals_ = admin("PUT", "/message-templates/link", {"txt": "{{ lipsum.__globals__ }}", "html": "x"})
    assert globals_.status_code == 422
    unknown = admin("PUT", "/message-templates/link", {"txt": "{{ config }}", "html": "x"})
    assert unknown.status_code == 422
    assert "config" in unknown.json["error"]["fields"]["template"][0]
    fine = admin(
        "PUT", "/message-templates/link", {"txt": "{{ t('hello', name=name) }} {{ link }}", "html": "{{ link }}"}
    )
    assert fine.status_code == 200
    monkeypatch.setenv("K_SERVICE", "admin_api")  # as on Cloud Run
    wiring.reset()
    plain = admin("POST", "/webhooks", {"url": "http://gateway.example.vn/hook"})
    assert plain.status_code == 422
    assert plain.json["error"]["fields"] == {"url": ["The URL must be an https:// address."]}
    assert admin("POST", "/webhooks", {"url": "https://gateway.example.vn/hook"}).status_code == 201
    metadata = admin("POST", "/webhooks", {"url": "https://169.254.169.254/computeMetadata/v1/"})
    assert metadata.status_code == 422
    assert metadata.json["error"]["fields"] == {"url": ["The URL must name a public address, not an internal one."]}


def test_a_returned_report_sends_its_comments_and_an_accepted_one_its_own_pdf(
    project, admin, dispatcher, mail, unit_client
):
    tokens = with_contacts(admin)
    deliver_events(dispatcher, project)
    unit = unit_client(tokens["cong-an"])
    assert unit("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("cong-an")}).status_code == 201
    comments = {"chuong_trinh.so_cong_trinh": "Bổ sung danh sách <công trình> & số liệu."}
    returned = admin("POST", f"/rounds/{ROUND}/submissions/cong-an/return", {"comments": comments, "message": "Gấp"})
    assert returned.status_code == 200, returned.json
    deliver_events(dispatcher, project)
    (back,) = [m for m in emails_to(mail, "cuong@") if "trả lại" in m["Subject"]]
    text = text_of(back)
    assert "Bổ sung danh sách <công trình> & số liệu." in text
    assert "Lời nhắn: Gấp" in text
    html = back.get_body(preferencelist=("html",)).get_content()
    assert "&lt;công trình&gt; &amp; số liệu" in html  # the HTML part escapes what an admin wrote
    assert "<công trình>" not in html
    assert unit("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("cong-an")}).status_code == 201
    accepted = admin("POST", f"/rounds/{ROUND}/submissions/cong-an/accept", {})
    assert accepted.status_code == 200, accepted.json
    deliver_events(dispatcher, project)
    (done,) = [m for m in emails_to(mail, "cuong@") if "chấp nhận" in m["Subject"]]
    (pdf,) = [part for part in done.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"{ROUND}-cong-an.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert "lần gửi thứ 2" in text_of(done)


def test_one_reminder_during_the_grace_period_and_a_digest_at_most_hourly(
    project, admin, apps, dispatcher, mail, unit_client, monkeypatch
):
    clock = Clock(monkeypatch)
    admin("PUT", "/notifications/recipients", {"admin_emails": ["admin@tinhdoan.example.vn"]})
    # Opened an hour ago, closes in 12 hours, two hours' grace, reminded an hour before.
    tokens = with_contacts(admin, closes_in=timedelta(hours=12), grace_minutes=120, reminders_before_minutes=[60])
    deliver_events(dispatcher, project)
    closes_at = clock.now + timedelta(hours=12)
    scheduler = apps["close_due_rounds"].test_client()

    def tick():
        assert scheduler.post("/").status_code == 200
        deliver_events(dispatcher, project)

    def subjects(word):
        return [str(m["Subject"]) for m in mail.messages() if word in str(m["Subject"])]

    tick()
    assert subjects("báo cáo mới") == []  # no submission yet: no digest
    submit = {"answers": seed_answers("hai-quan")}
    assert unit_client(tokens["hai-quan"])("POST", f"/rounds/{ROUND}/submission", submit).status_code == 201
    clock.move(minutes=4)
    tick()
    # A digest covers up to five minutes before its tick (a submission may still be committing).
    assert subjects("báo cáo mới") == []
    clock.move(minutes=2)
    tick()
    # The first digest goes out at the first tick after a submission, to the admins.
    assert subjects("báo cáo mới") == [
        "[Kiểm tra công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2019, giao ban cụm thi đua] 1 báo cáo mới"
    ]
    (digest,) = emails_to(mail, "admin@tinhdoan.example.vn")
    assert "Đoàn TN Cục Hải quan tỉnh" in text_of(digest)
    submit = {"answers": seed_answers("tien-yen")}
    assert unit_client(tokens["tien-yen"])("POST", f"/rounds/{ROUND}/submission", submit).status_code == 201
    clock.move(minutes=30)
    tick()
    assert len(subjects("báo cáo mới")) == 1  # within the hour: none
    clock.move(minutes=31)
    tick()
    assert len(subjects("báo cáo mới")) == 2
    clock.to(closes_at - timedelta(minutes=59))
    tick()
    # cong-an has not submitted (hai-quan has; ba-che has no e-mail): its contact is reminded.
    assert [str(m["To"]) for m in mail.messages() if "Nhắc" in str(m["Subject"])] == [
        "Lê Văn Cường <cuong@congan.example.vn>"
    ]
    clock.to(closes_at + timedelta(minutes=5))  # past closes_at, inside the grace period
    tick()
    clock.move(minutes=30)
    tick()
    reminders = [m for m in mail.messages() if "Nhắc" in str(m["Subject"])]
    assert len(reminders) == 2  # one during the grace period, once
    assert "vẫn được nhận (là báo cáo muộn)" in text_of(reminders[1])
    clock.to(closes_at + timedelta(hours=3))  # past the grace: the round closes, nothing more
    tick()
    assert len([m for m in mail.messages() if "Nhắc" in str(m["Subject"])]) == 2


def test_two_dispatchers_racing_for_one_message_send_it_once(project, admin, mail, monkeypatch):
    """A redelivered event and the sweep at the same moment: both try to claim the message in a
    transaction, one wins and sends, the other sees it claimed."""
    import threading

    from checkround.notify import dispatch, expand

    with_contacts(admin)
    (request_id,) = outbox("pending", kind="request")
    ctx = wiring.context()
    expand.expand(ctx, request_id)
    message_id = next(key for key, doc in outbox(kind="message").items() if doc["unit_id"] == "cong-an")
    both_in = threading.Barrier(2)
    real_claim = dispatch._claim

    def claim_together(*args):
        both_in.wait(timeout=30)  # both dispatchers hold the message's id before either claims
        return real_claim(*args)

    monkeypatch.setattr(dispatch, "_claim", claim_together)
    outcomes = []
    threads = [threading.Thread(target=lambda: outcomes.append(dispatch.dispatch(ctx, message_id))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # The loser saw the winner's claim (or, retried after contention, its record).
    assert sorted(outcomes) in (["claimed elsewhere", "sent"], ["sent", "sent already"]), outcomes
    assert mail.deliveries == 1


def test_a_webhook_4xx_is_permanent_and_a_5xx_is_retried(project, admin, apps, dispatcher, mail, receiver, monkeypatch):
    clock = Clock(monkeypatch)
    assert admin("POST", "/webhooks", {"url": receiver.url, "kinds": ["link"]}).status_code == 201
    receiver.status = 503
    with_contacts(admin)
    deliver_events(dispatcher, project)
    hooks = {key: doc for key, doc in outbox(kind="message").items() if doc["channel"] == "webhook"}
    assert {doc["state"] for doc in hooks.values()} == {"retry"}
    assert all(doc["error"] == "HTTP 503" for doc in hooks.values())
    receiver.status = 410
    clock.move(minutes=1)
    swept = apps["close_due_rounds"].test_client().post("/").json["outbox"]
    assert swept == {"failed": len(hooks)}
    failed = {key: doc for key, doc in outbox("failed").items() if key in hooks}
    assert all(doc["permanent"] and doc["error"] == "HTTP 410" for doc in failed.values())
    clock.move(hours=3)
    assert apps["close_due_rounds"].test_client().post("/").json["outbox"] == {}
    assert len(receiver.requests) == 2 * len(hooks)  # one 503, one 410 each, then nothing


def test_the_console_shows_a_rounds_messages(project, admin, dispatcher, mail):
    from tests.integration.console_helpers import signed_in

    console_app = functions_framework.create_app(target="admin_console", source=str(MAIN))
    mail.refuse["cuong@congan.example.vn"] = "550 5.1.1 No such mailbox"
    with_contacts(admin)
    deliver_events(dispatcher, project)
    client = signed_in(console_app)
    page = client.get(f"/admin_console/rounds/{ROUND}/messages")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đã gửi: 2 · Không gửi được: 1" in text.replace("Chờ gửi: 0 · Đang gửi: 0 · Sẽ gửi lại: 0 · ", "")
    assert "an@haiquan.example.vn" in text
    assert "bị từ chối, không gửi lại" in text
    assert "SMTP 550 5.1.1 No such mailbox" in text
    one = client.get(f"/admin_console/rounds/{ROUND}/messages", query_string={"unit": "hai-quan", "lang": "en"})
    english = one.get_data(as_text=True)
    assert "cuong@" not in english
    assert english.count("binh@haiquan.example.vn") == 1
    assert "Messages sent" in english
