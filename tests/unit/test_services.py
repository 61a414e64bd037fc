"""Forms, rounds and submissions services over the in-memory store (no Firestore here)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkround.errors import AppError
from checkround.forms import service as forms
from checkround.rounds import service as rounds
from checkround.rounds.tokens import authenticate, issue_admin_token
from checkround.submissions import service as submissions
from checkround.submissions.inputs import SubmissionInput
from tests.support import T0, memory_context, small_form


def make_round(ctx, unit_ids=("u1", "u2", "u3"), open_it=True, **extra):
    if ctx.store.get("forms/mau-nho") is None:
        forms.create_form(ctx, small_form())
        forms.publish_version(ctx, "mau-nho")
    for uid in unit_ids:
        rounds.put_unit(ctx, uid, {"name": f"Đơn vị {uid}", "cluster": "cum-1"})
    body = {
        "id": "r1",
        "title": {"vi": "Đợt 1"},
        "form_id": "mau-nho",
        "unit_ids": list(unit_ids),
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + timedelta(days=7)).isoformat(),
        **extra,
    }
    rounds.create_round(ctx, body)
    if open_it:
        rounds.open_round(ctx, "r1")
    links = rounds.issue_tokens(ctx, "r1", {})["tokens"]
    return {uid: authenticate(ctx, link["token"]) for uid, link in links.items()}


VALID = {"a": {"ck1": {"status": "yes", "score": 8}}}


@pytest.fixture
def ctx(tmp_path):
    return memory_context(tmp_path)


def test_submission_is_stored_with_its_form_version(ctx):
    units = make_round(ctx)
    result, created = submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, None, "vi")
    assert created
    assert result["revision"] == 1
    assert result["late"] is False
    stored = ctx.store.get(f"rounds/r1/submissions/{result['submission_id']}")
    assert stored["form_id"] == "mau-nho"
    assert stored["form_version"] == 1
    assert stored["answers"]["a"]["ck1"] == {"status": "yes", "score": 8.0}


def test_invalid_submission_stores_nothing(ctx):
    units = make_round(ctx)
    before = dict(ctx.store.docs)
    with pytest.raises(AppError) as caught:
        submissions.submit(ctx, units["u1"], "r1", {"answers": {"a": {"so": "x"}}}, "k1", "en")
    missing_item = ["Choose a result and enter a score for this item."]
    assert caught.value.fields == {"a": {"ck1": missing_item, "so": ["Must be a whole number."]}}
    assert ctx.store.docs == before


def test_resubmission_is_a_new_revision_and_keeps_the_old_one(ctx):
    units = make_round(ctx)
    submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, None, "vi")
    second = {"a": {"ck1": {"status": "partial", "score": 5}}}
    result, _ = submissions.submit(ctx, units["u1"], "r1", {"answers": second}, None, "vi")
    assert result["revision"] == 2
    assert ctx.store.get("rounds/r1/submissions/u1-0001")["answers"]["a"]["ck1"]["status"] == "yes"
    assert submissions.get_submission(ctx, units["u1"], "r1")["answers"]["a"]["ck1"]["status"] == "partial"


def test_idempotency_key_replays_and_conflicts(ctx):
    units = make_round(ctx)
    first, created = submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, "key-1", "vi")
    again, created_again = submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, "key-1", "vi")
    assert created
    assert not created_again
    assert again == first
    assert len([p for p in ctx.store.docs if p.startswith("rounds/r1/submissions/")]) == 1
    with pytest.raises(AppError) as caught:
        submissions.submit(
            ctx, units["u1"], "r1", {"answers": {"a": {"ck1": {"status": "no", "score": 0}}}}, "key-1", "vi"
        )
    assert caught.value.code == "idempotency_conflict"
    # The same key from another unit is another key.
    _, created_other = submissions.submit(ctx, units["u2"], "r1", {"answers": VALID}, "key-1", "vi")
    assert created_other


def test_round_not_open_then_closed(ctx):
    units = make_round(ctx, open_it=False)
    with pytest.raises(AppError) as caught:
        submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, None, "vi")
    assert caught.value.code == "round_not_open"
    rounds.open_round(ctx, "r1")
    rounds.close_round(ctx, "r1")
    with pytest.raises(AppError) as caught:
        submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, None, "vi")
    assert caught.value.code == "round_closed"
    assert not [p for p in ctx.store.docs if "/submissions/" in p or "/entries/" in p]


def test_late_inside_grace_and_the_link_expires_after_it(ctx):
    units = make_round(ctx, grace_minutes=30)
    ctx.clock.advance(days=7, minutes=10)
    result, _ = submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, None, "vi")
    assert result["late"] is True
    ctx.clock.advance(minutes=30)
    for call in (
        lambda: submissions.submit(ctx, units["u2"], "r1", {"answers": VALID}, None, "vi"),
        lambda: submissions.get_form_for_unit(ctx, units["u1"], "r1"),
    ):
        with pytest.raises(AppError) as caught:
            call()
        assert caught.value.code == "token_expired"
        assert caught.value.status == 401


def test_token_scope(ctx):
    units = make_round(ctx)
    with pytest.raises(AppError) as caught:
        submissions.submit(ctx, units["u1"], "r2", {"answers": VALID}, None, "vi")
    assert caught.value.code == "forbidden"
    with pytest.raises(AppError) as caught:
        submissions.submit(ctx, units["u1"], "r1", {"answers": VALID, "unit_id": "u2"}, None, "vi")
    assert caught.value.code == "forbidden"
    admin = authenticate(ctx, issue_admin_token(ctx))
    with pytest.raises(AppError):
        submissions.get_form_for_unit(ctx, admin, "r1")
    for bad in (None, "", "not a token!", "x" * 500, "abc"):
        with pytest.raises(AppError) as caught:
            authenticate(ctx, bad)
        assert caught.value.code == "unauthenticated"


def test_tokens_are_stored_hashed(ctx):
    make_round(ctx)
    links = rounds.issue_tokens(ctx, "r1", {"unit_ids": ["u2"]})["tokens"]
    token, link = links["u2"]["token"], links["u2"]["form_url"].split("?t=")[1]
    assert links["u2"]["form_url"].endswith(f"/web_form/r/r1?t={link}")
    assert link != token  # the link's secret is not the API token (a logged link opens no API)
    for secret in (token, link):
        assert not [path for path in ctx.store.docs if secret in path]
        assert all(secret not in str(doc) for doc in ctx.store.docs.values())
    assert authenticate(ctx, token).kind == "unit"
    with pytest.raises(AppError):
        authenticate(ctx, link)


def test_board_states_and_close_twice(ctx):
    units = make_round(ctx)
    submissions.save_draft(ctx, units["u2"], "r1", {"answers": {"a": {"so": 4}}}, "vi")
    submissions.submit(ctx, units["u1"], "r1", {"answers": VALID}, None, "vi")
    board = {row["unit_id"]: row for row in rounds.get_round(ctx, "r1")["board"]}
    assert board["u1"]["state"] == "submitted"
    assert board["u1"]["revision"] == 1
    assert board["u2"]["state"] == "draft"
    assert board["u3"]["state"] == "missing"
    assert rounds.close_round(ctx, "r1") == {"status": "closed", "closed_now": True}
    assert rounds.close_round(ctx, "r1") == {"status": "closed", "closed_now": False}
    assert ctx.store.get("rounds/r1")["close_count"] == 1


def test_close_due_rounds_closes_only_past_deadline(ctx):
    make_round(ctx, grace_minutes=60)
    ctx.clock.advance(days=7, minutes=30)
    assert rounds.close_due_rounds(ctx) == {"closed": []}
    ctx.clock.advance(minutes=31)
    assert rounds.close_due_rounds(ctx) == {"closed": ["r1"]}
    assert rounds.close_due_rounds(ctx) == {"closed": []}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"opens_at": "2019-06-20T00:00:00+07:00"}, {"closes_at": ["closes_at must be after opens_at."]}),
        ({"unit_ids": ["u1", "khong-co"]}, {"unit_ids": ["Unknown units: khong-co."]}),
        ({"unit_ids": ["u1", "u1"]}, {"unit_ids": ["A unit appears twice."]}),
        ({"time_zone": "Mars/Olympus"}, {"time_zone": ["Unknown IANA time zone."]}),
        ({"form_id": "khong-co"}, {"form_id": ["Unknown form."]}),
        ({"form_version": 7}, {"form_version": ["The form has no such published version."]}),
        ({"opens_at": "2019-06-12"}, {"opens_at": ["Not a valid aware datetime."]}),
    ],
)
def test_round_input_is_checked(ctx, change, expected):
    make_round(ctx)
    body = {
        "title": {"vi": "X"},
        "form_id": "mau-nho",
        "unit_ids": ["u1"],
        "opens_at": "2019-06-12T00:00:00+07:00",
        "closes_at": "2019-06-19T00:00:00+07:00",
        **change,
    }
    with pytest.raises(AppError) as caught:
        rounds.create_round(ctx, body)
    assert caught.value.fields == expected


def test_draft_etag_and_version_conflict(ctx):
    created = forms.create_form(ctx, small_form())
    edited = small_form(title={"vi": "Mẫu nhỏ (sửa)"})
    first = forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    with pytest.raises(AppError) as caught:
        forms.put_draft(ctx, "mau-nho", small_form(title={"vi": "Sửa khác"}), created["etag"])
    assert caught.value.code == "version_conflict"
    assert caught.value.status == 412
    assert forms.get_form(ctx, "mau-nho")["draft"]["title"]["vi"] == "Mẫu nhỏ (sửa)"
    assert forms.get_form(ctx, "mau-nho")["etag"] == first["etag"]


def test_publish_freezes_versions_and_reports_changes(ctx):
    created = forms.create_form(ctx, small_form())
    assert forms.publish_version(ctx, "mau-nho")["version"] == 1
    edited = small_form()
    edited["sections"][1]["fields"].append({"key": "moi", "type": "text", "label": {"vi": "Mới"}})
    edited["sections"][0]["fields"][2]["label"] = {"vi": "Số lượng công trình"}
    forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    published = forms.publish_version(ctx, "mau-nho")
    assert published["version"] == 2
    kinds = {(c["change"], c["field"]) for c in published["changes"]}
    assert kinds == {("field_added", "b.moi"), ("relabelled", "a.so")}
    assert len(forms.get_version(ctx, "mau-nho", 1)["sections"][1]["fields"]) == 3


def test_changing_the_type_of_a_published_key_is_refused(ctx):
    created = forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    edited = small_form()
    edited["sections"][0]["fields"][2]["type"] = "decimal"
    forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    with pytest.raises(AppError) as caught:
        forms.publish_version(ctx, "mau-nho")
    assert "use a new key" in caught.value.fields["a.so"][0]
    assert forms.get_form(ctx, "mau-nho")["versions"] == [1]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"answers": VALID, "colour": "red"}, {"colour": ["Unknown field."]}),
        ({}, {"answers": ["Missing data for required field."]}),
        ({"answers": VALID, "unit_id": "U 1"}, {"unit_id": ["String does not match expected pattern."]}),
    ],
)
def test_a_submission_body_is_loaded_with_the_schema_its_document_shows(ctx, body, fields):
    """SubmissionInput (the unit_api document's body) is what refuses these, for drafts and
    submissions alike: the unit_id pattern is its, not a hand-written check's."""
    units = make_round(ctx)
    for call in (
        lambda: submissions.submit(ctx, units["u1"], "r1", body, None, "en"),
        lambda: submissions.save_draft(ctx, units["u1"], "r1", body, "en"),
    ):
        with pytest.raises(AppError) as caught:
            call()
        assert caught.value.code == "validation_failed"
        assert caught.value.fields == fields
    assert SubmissionInput().validate(body) == fields
