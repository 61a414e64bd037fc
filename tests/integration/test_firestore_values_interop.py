"""The adapter's documents are the high-level client's documents: what one writes the other
reads back the same, through the emulator and the library's public API only."""

from __future__ import annotations

import itertools

from google.cloud import firestore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkround.storage.firestore import store_for
from tests.unit.test_firestore_values import KEYS, VALUES, as_utc

_ids = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(KEYS, VALUES, max_size=5))
def test_each_reads_what_the_other_wrote(project, data):
    ours = store_for(project)
    theirs = firestore.Client(project=project)
    n = next(_ids)
    ours.set(f"things/ours-{n}", data)
    assert theirs.document(f"things/ours-{n}").get().to_dict() == as_utc(data)
    theirs.document(f"things/theirs-{n}").set(data)
    assert ours.get(f"things/theirs-{n}") == as_utc(data)
    assert ours.transaction(lambda tx: tx.get(f"things/theirs-{n}")) == as_utc(data)
