"""In-process caches have bounds, and serve only what they were filled from (issue 13 §3)."""

from __future__ import annotations

import pytest

from checkround.errors import AppError
from checkround.forms import service as forms
from checkround.forms.compiler import CACHE
from checkround.forms.service import VERSIONS_KEPT, get_version
from checkround.forms.validate import check_answers
from checkround.submissions import service as submissions
from tests.support import memory_context, small_form
from tests.unit.test_services import VALID, make_round


class CountingStore:
    """The memory store, counting reads of form versions."""

    def __init__(self, store):
        self._store = store
        self.version_reads = 0

    def get(self, path):
        if "/versions/" in path:
            self.version_reads += 1
        return self._store.get(path)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_form_versions_kept_in_memory_are_bounded(tmp_path):
    ctx = memory_context(tmp_path)
    counting = CountingStore(ctx.store)
    ctx = type(ctx)(**{**vars(ctx), "store": counting})
    count = VERSIONS_KEPT + 8
    for version in range(1, count + 1):
        ctx.store.set(f"forms/f/versions/{version}", {"definition": {"version": version}})
    for version in range(1, count + 1):
        assert get_version(ctx, "f", version) == {"version": version}
    assert counting.version_reads == count
    get_version(ctx, "f", count)  # among the most recent: still kept
    assert counting.version_reads == count
    get_version(ctx, "f", 1)  # the oldest was let go: read again
    assert counting.version_reads == count + 1
    with pytest.raises(AppError):
        get_version(ctx, "f", count + 1)


def test_a_compiled_schema_serves_only_the_definition_it_was_compiled_from(tmp_path):
    """The same form id and version in two stores (two projects, two tests) with different
    fields: each store's answers are checked against its own definition."""
    first, second = memory_context(tmp_path / "1"), memory_context(tmp_path / "2")
    forms.create_form(first, small_form())
    forms.publish_version(first, "mau-nho")
    other = small_form()
    other["sections"][0]["fields"][0]["key"] = "ck_khac"
    forms.create_form(second, other)
    forms.publish_version(second, "mau-nho")
    answers = {"a": {"ck1": {"status": "yes", "score": 8}}}
    for ctx, accepted in ((first, True), (second, False), (first, True)):
        definition = get_version(ctx, "mau-nho", 1)
        schema = CACHE.get("mau-nho", 1, definition, "vi", False)
        if accepted:
            check_answers(definition, schema, answers)
        else:
            with pytest.raises(AppError) as caught:
                check_answers(definition, schema, answers)
            assert "ck1" in caught.value.fields["a"]


def test_unit_locks_are_let_go_when_no_submission_holds_them(tmp_path):
    ctx = memory_context(tmp_path)
    units = make_round(ctx, unit_ids=tuple(f"u{i}" for i in range(20)))
    for principal in units.values():
        submissions.submit(ctx, principal, "r1", {"answers": VALID}, None, "vi")
    assert len(submissions._LOCKS) == 0
