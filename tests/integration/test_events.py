"""``on_round_closed`` receives Eventarc's binary CloudEvent, exactly once in effect."""

from __future__ import annotations

import subprocess
import threading

import pytest
from google.events.cloud.firestore import Document, DocumentEventData, Value

from checkround import wiring
from tests.integration.helpers import setup_seed_round
from tests.support import UNIT_NAMES, seed_answers

pytestmark = pytest.mark.integration


def round_event(project, round_id, old_status, new_status, close_count=1, event_id="evt-1"):
    name = f"projects/{project}/databases/(default)/documents/rounds/{round_id}"

    def doc(status, count):
        return Document(
            name=name, fields={"status": Value(string_value=status), "close_count": Value(integer_value=count)}
        )

    data = DocumentEventData(value=doc(new_status, close_count), old_value=doc(old_status, close_count - 1))
    headers = {
        "ce-id": event_id,
        "ce-specversion": "1.0",
        "ce-type": "google.cloud.firestore.document.v1.updated",
        "ce-source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
        "ce-subject": f"documents/rounds/{round_id}",
        "Content-Type": "application/protobuf",
    }
    return DocumentEventData.serialize(data), headers


def pdfs(round_id):
    folder = wiring.context().settings.blob_dir / "summaries" / round_id
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def close_with_submissions(admin, unit_client, reporting):
    tokens = setup_seed_round(admin)
    for unit_id in reporting:
        response = unit_client(tokens[unit_id])(
            "POST", "/rounds/kt-6-thang-2019/submission", {"answers": seed_answers(unit_id)}
        )
        assert response.status_code == 201
    assert admin("POST", "/rounds/kt-6-thang-2019/close").status_code == 200


def test_same_event_twice_gives_one_pdf_and_one_summary(project, admin, unit_client, apps):
    close_with_submissions(admin, unit_client, ["hai-quan", "tien-yen"])
    body, headers = round_event(project, "kt-6-thang-2019", "open", "closed")
    client = apps["on_round_closed"].test_client()
    assert client.post("/", data=body, headers=headers).status_code == 200
    assert client.post("/", data=body, headers=headers).status_code == 200
    assert len(pdfs("kt-6-thang-2019")) == 1
    summaries = list(wiring.context().store.list("summaries"))
    assert [doc_id for doc_id, _ in summaries] == ["kt-6-thang-2019"]
    assert summaries[0][1]["state"] == "ready"
    assert summaries[0][1]["renders"] == 1
    status = admin("GET", "/rounds/kt-6-thang-2019/summary").json
    assert status["state"] == "ready"
    assert status["pdf_url"].endswith("/admin_api/rounds/kt-6-thang-2019/summary.pdf")
    pdf = admin("GET", "/rounds/kt-6-thang-2019/summary.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")


def test_concurrent_deliveries_render_once(project, admin, unit_client, apps):
    close_with_submissions(admin, unit_client, ["cong-an"])
    body, headers = round_event(project, "kt-6-thang-2019", "open", "closed")
    codes = []

    def deliver():
        codes.append(apps["on_round_closed"].test_client().post("/", data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 4
    assert len(pdfs("kt-6-thang-2019")) == 1


def test_updates_that_are_not_a_close_do_nothing(project, admin, apps):
    setup_seed_round(admin)
    client = apps["on_round_closed"].test_client()
    for old, new in (("draft", "open"), ("closed", "closed")):
        body, headers = round_event(project, "kt-6-thang-2019", old, new)
        assert client.post("/", data=body, headers=headers).status_code == 200
    assert pdfs("kt-6-thang-2019") == []
    assert admin("GET", "/rounds/kt-6-thang-2019/summary").json["state"] == "pending"
    assert admin("GET", "/rounds/kt-6-thang-2019/summary.pdf").status_code == 409


def test_pdf_lists_units_participation_and_the_missing_unit(project, admin, unit_client, apps, tmp_path):
    reporting = [u for u in UNIT_NAMES if u != "ba-che"]
    close_with_submissions(admin, unit_client, reporting)
    body, headers = round_event(project, "kt-6-thang-2019", "open", "closed")
    assert apps["on_round_closed"].test_client().post("/", data=body, headers=headers).status_code == 200
    (path,) = pdfs("kt-6-thang-2019")
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for name in UNIT_NAMES.values():
        assert name in flat
    assert "6/7 đơn vị đã nộp báo cáo" in flat
    # The report at the close is the committee's draft, and says who did not report.
    assert "DỰ THẢO" in flat
    assert "BTV Huyện Đoàn Ba Chẽ chưa gửi báo cáo" in flat
    assert "BTV Huyện Đoàn Tiên Yên chưa gửi" not in flat


def test_one_units_pdf_through_the_api(project, admin, unit_client):
    tokens = setup_seed_round(admin)
    unit_client(tokens["tien-yen"])("POST", "/rounds/kt-6-thang-2019/submission", {"answers": seed_answers("tien-yen")})
    response = admin("GET", "/rounds/kt-6-thang-2019/submissions/tien-yen.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    path = wiring.context().settings.blob_dir.parent / "tien-yen.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(response.data)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout.split()
    )
    assert "BTV Huyện Đoàn Tiên Yên" in text
    assert seed_answers("tien-yen")["danh_gia"]["diem_manh"].split()[0] in text
    assert admin("GET", "/rounds/kt-6-thang-2019/submissions/ba-che.pdf").status_code == 404
    assert unit_client(tokens["tien-yen"])("GET", "/rounds/kt-6-thang-2019/submissions/tien-yen.pdf").status_code == 404


def test_a_late_redelivery_of_an_earlier_close_does_nothing(project, admin, unit_client, apps):
    close_with_submissions(admin, unit_client, ["hai-quan"])
    client = apps["on_round_closed"].test_client()
    first, first_headers = round_event(project, "kt-6-thang-2019", "open", "closed", close_count=1, event_id="e1")
    assert client.post("/", data=first, headers=first_headers).status_code == 200
    assert admin("POST", "/rounds/kt-6-thang-2019/reopen").status_code == 200
    assert admin("POST", "/rounds/kt-6-thang-2019/close").status_code == 200
    second, second_headers = round_event(project, "kt-6-thang-2019", "open", "closed", close_count=2, event_id="e2")
    assert client.post("/", data=second, headers=second_headers).status_code == 200
    rendered = pdfs("kt-6-thang-2019")
    assert len(rendered) == 2
    # Eventarc delivers the first close's event once more, late: nothing moves back.
    assert client.post("/", data=first, headers=first_headers).status_code == 200
    assert pdfs("kt-6-thang-2019") == rendered
    summary = admin("GET", "/rounds/kt-6-thang-2019/summary").json
    assert (summary["state"], summary["generation"]) == ("ready", 2)
    assert [item["generation"] for item in summary["history"]] == [1, 2]
