"""schemathesis over the generated OpenAPI documents, against the whole local stack.

Every operation of ``unit_api`` and ``admin_api`` gets a small budget of generated requests
(positive and negative, with generated and with the seed's real ids; ``benchmarks/fuzz.py``
runs the same with a larger one and records it). No 5xx, and every response conforms to the
document: a documented status, content type and body.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import pytest
import requests

from benchmarks.fuzz import SEED_ROUND, fuzz, unit_token
from checkround.http.operations import XLSX
from tests.e2e.test_local_stack import RunningStack

pytestmark = pytest.mark.e2e

# Per operation, generation mode (positive, negative) and id source (generated, seed): up to
# 24 cases an operation, about a minute in all.
EXAMPLES = 6


def _drain(stack: RunningStack, into: list[str]) -> None:
    """Keep reading the stack's output: a full pipe would block its logging (and the server),
    and a crash's traceback is what the failure message should show."""
    assert stack.proc is not None
    assert stack.proc.stdout is not None
    for line in stack.proc.stdout:
        into.append(line)


def test_every_operation_survives_fuzzing_and_answers_as_documented(stack: RunningStack) -> None:
    output: list[str] = []
    threading.Thread(target=_drain, args=(stack, output), daemon=True).start()
    token = (stack.local_dir / "admin-token").read_text().strip()

    report = fuzz(f"http://127.0.0.1:{stack.port}", token, EXAMPLES)

    # Both documents in full but for the two that serve the documents: schemathesis leaves out
    # the operation at the URL it loaded the schema from.
    documented = [
        (function, path, method)
        for function in ("admin_api", "unit_api")
        for path, item in requests.get(f"http://127.0.0.1:{stack.port}/{function}/openapi.json", timeout=30)
        .json()["paths"]
        .items()
        for method in item
        if path != "/openapi.json"
    ]
    assert len(report.operations) == len(documented), report.operations
    assert report.cases >= len(report.operations) * 2
    details = "\n\n".join(f"{f.operation} ({f.mode}):\n{f.message}" for f in report.failures[:10])
    assert not report.failures, (
        f"{len(report.failures)} failures:\n{details}\n\nstack output:\n{''.join(output)[-5000:]}"
    )


def test_every_json_body_route_refuses_other_media_types_and_oversized_bodies(stack: RunningStack) -> None:
    """Wherever the document says a body is JSON: another Content-Type is 415, a body over the
    limit is 413 (the limit holds with and without a declared Content-Length)."""
    base = f"http://127.0.0.1:{stack.port}"
    admin = (stack.local_dir / "admin-token").read_text().strip()
    tokens = {"admin_api": admin, "unit_api": unit_token(base, admin)}
    # The seed's ids, and any other path id (a template kind, a recommendation) a word: the
    # body is refused before the id is looked up.
    ids = defaultdict(
        lambda: "x", round_id=SEED_ROUND, form_id="kiem-tra-6-thang-2019", unit_id="hai-quan", kind="reminder"
    )
    checked = files = 0
    for function, token in tokens.items():
        document = requests.get(f"{base}/{function}/openapi.json", timeout=30).json()
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if "requestBody" not in operation:
                    continue
                url = f"{base}/{function}{path.format_map(ids)}"
                headers = {"Authorization": f"Bearer {token}", "If-Match": "x"}
                if list(operation["requestBody"]["content"]) == [XLSX]:
                    # A workbook is read whatever its content type; only the size limit applies.
                    big = b"x" * (1024 * 1024 + 1)
                    for body in (big, iter([big])):
                        too_large = requests.request(method, url, data=body, headers=headers, timeout=30)
                        assert too_large.status_code == 413, (method, path, too_large.text)
                    files += 1
                    continue
                assert list(operation["requestBody"]["content"]) == ["application/json"]
                as_text = requests.request(
                    method, url, data=b"{}", headers={**headers, "Content-Type": "text/plain"}, timeout=30
                )
                assert as_text.status_code == 415, (method, path, as_text.text)
                assert as_text.json()["error"]["code"] == "unsupported_media_type"
                big = b'{"a": "' + b"x" * (1024 * 1024) + b'"}'
                for body in (big, iter([big])):  # declared length, then chunked (no length)
                    too_large = requests.request(
                        method, url, data=body, headers={**headers, "Content-Type": "application/json"}, timeout=30
                    )
                    assert too_large.status_code == 413, (method, path, too_large.text)
                    assert too_large.json()["error"]["code"] == "too_large"
                checked += 1
    assert checked >= 12  # at least 10 admin_api and 2 unit_api operations take a JSON body
    assert files == 1  # POST /forms/import takes a workbook
