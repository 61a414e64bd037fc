"""The summary job over the memory store: rendered once per close, retried after a failure."""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta

import pytest

from checkround.reports import render
from checkround.reports import service as reports
from checkround.reports.display import format_number
from checkround.rounds import service as rounds
from checkround.submissions import service as submissions
from tests.support import memory_context
from tests.unit.test_services import VALID, make_round


@pytest.fixture
def closed_round(tmp_path):
    ctx = memory_context(tmp_path)
    units = make_round(ctx)
    answers = {**VALID, "b": {"uu_diem": '<img src="file:///etc/passwd"> Làm tốt', "han_che": "Họp chưa đều"}}
    submissions.submit(ctx, units["u1"], "r1", {"answers": answers}, None, "vi")
    rounds.close_round(ctx, "r1")
    return ctx


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_close_transition_only():
    assert reports.is_close_transition({"status": "open"}, {"status": "closed"})
    assert not reports.is_close_transition({"status": "closed"}, {"status": "closed"})
    assert not reports.is_close_transition({"status": "draft"}, {"status": "open"})
    assert not reports.is_close_transition({"status": "open"}, None)


def test_rendered_once_per_close(closed_round, tmp_path):
    ctx = closed_round
    new = ctx.store.get("rounds/r1")
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, new) == "rendered"
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, new) == "skipped"
    summary = reports.get_summary(ctx, "r1")
    assert summary["state"] == "ready"
    assert len(list((tmp_path / "blobs" / "summaries" / "r1").glob("*.pdf"))) == 1
    text = pdf_text(reports.get_summary_pdf(ctx, "r1"), tmp_path)
    assert "Đơn vị u1" in text
    assert "1/3 đơn vị đã nộp báo cáo" in text


def test_failed_render_is_completed_by_the_retry(closed_round, monkeypatch):
    ctx = closed_round
    new = ctx.store.get("rounds/r1")
    real = render.render_pdf

    def crash(*args, **kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(render, "render_pdf", crash)
    with pytest.raises(RuntimeError):
        reports.handle_round_update(ctx, "r1", {"status": "open"}, new)
    assert reports.get_summary(ctx, "r1")["state"] == "failed"
    monkeypatch.setattr(render, "render_pdf", real)
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, new) == "rendered"
    assert reports.get_summary(ctx, "r1")["state"] == "ready"


def test_unit_text_is_printed_as_text_and_fetches_nothing(closed_round, tmp_path):
    ctx = closed_round
    summary = reports.build_summary(ctx, "r1")
    html = render.render_html(summary, ctx.settings.templates_dir)
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt; Làm tốt" in html
    text = pdf_text(render.render_pdf(summary, ctx.settings.templates_dir), tmp_path)
    assert '<img src="file:///etc/passwd"> Làm tốt' in text
    assert "root:" not in text


def test_fetcher_allows_only_data_uris_and_shipped_assets(tmp_path):
    from checkround.config import settings

    fetcher = render.ShippedAssetsFetcher(settings().templates_dir)
    font = (settings().templates_dir / "fonts" / "NotoSans-Regular.ttf").as_uri()
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in ("file:///etc/passwd", f"{font}/../../../../etc/passwd", "http://127.0.0.1:1/x", "ftp://x/y"):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)


def test_number_format_is_vietnamese():
    assert format_number(1234567) == "1.234.567"
    assert format_number(2.5) == "2,5"
    assert format_number(1234567.5, language="en") == "1,234,567.5"
    assert format_number(None) == "—"


def test_a_claim_left_by_a_dead_delivery_blocks_until_its_lease_ends(closed_round):
    ctx = closed_round
    new = ctx.store.get("rounds/r1")
    # A delivery claimed the job and died without a word: its lease is still running.
    ctx.store.set(
        "summaries/r1",
        {"round_id": "r1", "generation": 1, "state": "rendering", "claim_id": "dead",
         "lease_until": ctx.clock.now() + timedelta(minutes=10)},
    )  # fmt: skip
    with pytest.raises(reports.SummaryBusy):
        reports.run_summary(ctx, "r1", 1, wait_seconds=0.6)
    assert reports.get_summary(ctx, "r1")["state"] == "rendering"
    ctx.clock.advance(minutes=11)  # the lease runs out; the next delivery takes over
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, new) == "rendered"
    assert reports.get_summary(ctx, "r1")["state"] == "ready"


def test_an_older_close_neither_renders_nor_moves_the_generation_back(closed_round, tmp_path):
    ctx = closed_round
    first = ctx.store.get("rounds/r1")
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, first) == "rendered"
    rounds.reopen_round(ctx, "r1", None)
    rounds.close_round(ctx, "r1")
    second = ctx.store.get("rounds/r1")
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, second) == "rendered"
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, first) == "stale"
    assert reports.run_summary(ctx, "r1", 1, force=True) == "stale"
    assert reports.get_summary(ctx, "r1")["generation"] == 2
    assert len(list((tmp_path / "blobs" / "summaries" / "r1").glob("*.pdf"))) == 2


def test_an_event_of_a_close_that_a_newer_close_followed_does_nothing(closed_round, tmp_path):
    ctx = closed_round
    first = ctx.store.get("rounds/r1")
    rounds.reopen_round(ctx, "r1", None)
    rounds.close_round(ctx, "r1")
    # The first close's event arrives after the second close, before the second's event.
    assert reports.handle_round_update(ctx, "r1", {"status": "open"}, first) == "stale"
    assert reports.get_summary(ctx, "r1")["state"] == "pending"
    assert not (tmp_path / "blobs" / "summaries").exists()


def test_two_renders_at_once_write_two_file_names(closed_round, monkeypatch):
    ctx = closed_round
    assert reports.run_summary(ctx, "r1", 1) == "rendered"
    real = render.render_pdf
    both_rendering = threading.Barrier(2, timeout=10)
    met: list[bool] = []

    def render_in_step(*args, **kwargs):
        data = real(*args, **kwargs)
        both_rendering.wait()  # both claims were taken before either stores its file
        met.append(True)
        return data

    names: list[str] = []
    put = ctx.blobs.put

    def recording_put(name, data, content_type):
        names.append(name)
        return put(name, data, content_type)

    monkeypatch.setattr(render, "render_pdf", render_in_step)
    monkeypatch.setattr(ctx.blobs, "put", recording_put)
    outcomes: list[str] = []
    admins = [
        threading.Thread(target=lambda: outcomes.append(reports.run_summary(ctx, "r1", 1, force=True)))
        for _ in range(2)
    ]
    for thread in admins:
        thread.start()
    for thread in admins:
        thread.join()
    assert met == [True, True]  # the race happened: two renders ran at once
    assert sorted(outcomes) == ["rendered", "superseded"]
    # Two PDFs, and each render's numbers kept for a later round's comparison: no name twice.
    assert len(set(names)) == len(names), names
    assert len([n for n in names if n.endswith(".pdf")]) == 2, names
    summary = reports.get_summary(ctx, "r1")
    assert summary["state"] == "ready"
    assert len({item["file"] for item in summary["history"]}) == len(summary["history"]) == 2
