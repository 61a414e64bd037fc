"""The API under fuzzing (issue 8): schemathesis over the generated OpenAPI documents.

Every operation of ``unit_api`` and ``admin_api`` gets generated requests, valid ones
(positive) and invalid ones (negative: wrong types, missing fields, bodies that break the
schema), twice: with path ids drawn from the document's patterns (mostly unknown ids), and with
the seed's real ids (``kt-6-thang-2019`` and its form and units), so the routes get past their
404s to the validation and state checks. Each response is checked for: no 5xx, a documented
status, a documented content type, a body that matches the documented schema.

    PYTHONPATH=functions .venv/bin/python benchmarks/fuzz.py [--examples 100] [--write]

It starts a local stack of its own (free ports, a temporary directory) unless ``--url`` and
``--token`` point at a running one. ``--write`` replaces this section of benchmarks/RESULTS.md.
``tests/e2e/test_schemathesis.py`` runs the same :func:`fuzz` with a small budget in ``make test``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

import hypothesis  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.result import Err  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from checkround.forms.xlsform.write import XLSX_TYPE, write_workbook  # noqa: E402


def _workbooks() -> hypothesis.strategies.SearchStrategy[bytes]:
    """Bodies for POST /forms/import: any bytes, and real workbooks (a form, and one whose row
    is refused) so that the import itself runs, not only its refusal of a non-zip."""
    from hypothesis import strategies as st

    form = {
        "id": "fuzz-bang-tinh",
        "title": {"vi": "Bảng tính"},
        "sections": [
            {"key": "a", "title": {"vi": "A"}, "fields": [{"key": "n", "type": "integer", "label": {"vi": "N"}}]}
        ],
    }
    refused = {
        **form,
        "sections": [{**form["sections"][0], "fields": [{"key": "N", "type": "note", "label": {"vi": ""}}]}],
    }
    return st.one_of(st.binary(max_size=512), st.sampled_from([write_workbook(form), write_workbook(refused)]))


# schemathesis generates no body for a media type it does not know; this is how it learns one.
schemathesis.openapi.media_type(XLSX_TYPE, _workbooks())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SEED_ROUND = "kt-6-thang-2019"
# The seed's real ids, for the second pass over each operation.
SEED_IDS = {"round_id": SEED_ROUND, "form_id": "kiem-tra-6-thang-2019", "unit_id": "hai-quan", "version": 1}
# Operations whose real-id cases are slow (a PDF render each): fewer of them.
SLOW = {("POST", "/rounds/{round_id}/summary"), ("GET", "/rounds/{round_id}/submissions/{unit_id}.pdf")}


@dataclass
class Failure:
    operation: str
    mode: str
    message: str


@dataclass
class Report:
    operations: list[str] = field(default_factory=list)
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0


def unit_token(base: str, admin_token: str) -> str:
    """A fresh link of the seed round's first unit (issuing keeps the earlier links valid)."""
    response = requests.post(
        f"{base}/admin_api/rounds/{SEED_ROUND}/tokens",
        json={"unit_ids": [SEED_IDS["unit_id"]]},
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=30,
    )
    response.raise_for_status()
    token: str = response.json()["tokens"][SEED_IDS["unit_id"]]["token"]
    return token


def _run_cases(
    operation: Any, mode: Any, path_parameters: dict[str, Any] | None, examples: int, base_url: str, token: str
) -> tuple[int, Counter[int], list[str]]:
    cases = 0
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    session = requests.Session()

    # Explicit examples and generation only: failures are collected, not raised, so there is
    # nothing for hypothesis to shrink, and a fixed seed makes the run repeatable.
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case: Any) -> None:
        nonlocal cases
        cases += 1
        # The credential is ours; schemathesis would otherwise send a made-up bearer.
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        try:
            response = case.call(base_url=base_url, session=session, timeout=60)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # failed checks come as a group: count them
            problems.append(f"{exc}"[:4000])

    run()
    return cases, statuses, problems


def fuzz(base: str, admin_token: str, examples: int) -> Report:
    """Both documents, every operation, ``examples`` cases per operation, mode and id source."""
    from schemathesis import GenerationMode

    started = time.perf_counter()
    report = Report()
    # unit_api first: the admin pass may close the seed round or revoke its links.
    tokens = {"unit_api": unit_token(base, admin_token), "admin_api": admin_token}
    probe_deep_bodies(base, tokens, report)
    for function in ("unit_api", "admin_api"):
        schema = schemathesis.openapi.from_url(f"{base}/{function}/openapi.json", timeout=30)
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                raise result.err()  # an operation schemathesis cannot read: the document is wrong
            operation = result.ok()
            label = f"{operation.method.upper()} /{function}{operation.path}"
            report.operations.append(label)
            id_names = {p.name for p in operation.path_parameters}
            passes: list[dict[str, Any] | None] = [None]
            if id_names:
                passes.append({name: SEED_IDS[name] for name in id_names if name in SEED_IDS})
            for path_parameters in passes:
                budget = examples
                if path_parameters and (operation.method.upper(), operation.path) in SLOW:
                    budget = max(2, examples // 5)
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    cases, statuses, problems = _run_cases(
                        operation, mode, path_parameters, budget, f"{base}/{function}", tokens[function]
                    )
                    report.cases += cases
                    report.statuses.update(statuses)
                    where = "seed ids" if path_parameters else "generated ids"
                    report.failures.extend(Failure(label, f"{mode.value}, {where}", p) for p in problems)
    probe_doubled_slashes(base, tokens, report)
    report.seconds = time.perf_counter() - started
    return report


# Nested lists and objects, deeper than the API takes (64) and than its validators could walk.
DEEP_BODY = ('{"answers": {"a": ' + '[{"x": ' * 200 + "1" + "}]" * 200 + "}}").encode()


def _documented(
    session: requests.Session, base: str, tokens: dict[str, str]
) -> Iterator[tuple[str, str, str, str, Any]]:
    """``(function, method, path with ids, label, operation)`` of every documented operation."""
    for function in tokens:
        document = session.get(f"{base}/{function}/openapi.json", timeout=30).json()
        for path, item in document["paths"].items():
            for method, operation in item.items():
                # The seed's ids where it has them (an id it has not, such as a token's, is unknown).
                concrete = re.sub(r"\{(\w+)\}", lambda m: str(SEED_IDS.get(m.group(1), "unknown")), path)
                yield function, method, concrete, f"{method.upper()} /{function}{path}", operation


def probe_deep_bodies(base: str, tokens: dict[str, str], report: Report) -> None:
    """Every JSON-body operation gets a body nested 200 deep: 400 ``too_deep`` (review
    finding 6). Run first, while the unit's link is fresh: a 400 changes nothing."""
    session = requests.Session()
    for function, method, path, label, operation in _documented(session, base, tokens):
        if "application/json" not in operation.get("requestBody", {}).get("content", {}):
            continue  # no body, or a file (POST /forms/import): no JSON to nest
        headers = {"Authorization": f"Bearer {tokens[function]}", "Content-Type": "application/json", "If-Match": "x"}
        response = session.request(method, f"{base}/{function}{path}", headers=headers, data=DEEP_BODY, timeout=30)
        report.cases += 1
        report.statuses[response.status_code] += 1
        code = response.json().get("error", {}).get("code") if response.content else None
        if response.status_code != 400 or code != "too_deep":
            report.failures.append(Failure(label, "deep body", f"{response.status_code} {code}"))


def probe_doubled_slashes(base: str, tokens: dict[str, str], report: Report) -> None:
    """Every documented path with a doubled slash at each of its slashes: never a 5xx (review
    finding 6; inside a path it is a 404, and right after the function's name the local host
    and the functions framework pass the merged path on). Run last: such a request may act."""
    session = requests.Session()
    for function, method, path, label, _ in _documented(session, base, tokens):
        headers = {"Authorization": f"Bearer {tokens[function]}", "Content-Type": "application/json", "If-Match": "x"}
        for cut in [i for i, c in enumerate(path) if c == "/"]:
            url = f"{base}/{function}{path[:cut]}/{path[cut:]}"
            response = session.request(method, url, headers=headers, data=b"{}", allow_redirects=False, timeout=30)
            report.cases += 1
            report.statuses[response.status_code] += 1
            if response.status_code >= 500:
                report.failures.append(Failure(label, "doubled slash", f"{url}: {response.status_code}"))


def section(report: Report, examples: int) -> str:
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(report.statuses.items()))
    failures = "".join(f"\n  - {f.operation} ({f.mode}): {f.message.splitlines()[0]}" for f in report.failures[:20])
    return f"""## API fuzzing (tests/e2e/test_schemathesis.py)

schemathesis {schemathesis.__version__} against the local stack (real emulator and functions host) over
the generated documents `/admin_api/openapi.json` and `/unit_api/openapi.json` (`benchmarks/fuzz.py`,
{machine_line()}). Each operation gets up to {examples} positive and {examples} negative generated cases with
path ids from the document's patterns, and as many again with the seed's real ids (a fifth of that for
the two PDF-rendering operations); checks: `not_a_server_error`, `status_code_conformance`,
`content_type_conformance`, `response_schema_conformance`.

- operations: {len(report.operations)}
- cases: {report.cases} in {report.seconds:.0f} s
- responses by status: {statuses}
- failures: {len(report.failures)}{failures}

Operations: every one of both documents (32) but the two that serve the documents, which schemathesis
leaves out (the e2e test fetches them). `make test` runs the same checks with 6 cases per operation,
mode and id source (`tests/e2e/test_schemathesis.py`, about a minute), and sends every JSON-body
operation a `text/plain` body (415) and a body over 1 MiB, with and without Content-Length (413).
The cases above include two probes of review finding 6: a body nested 200 deep to each
JSON-body operation (400 `too_deep`), and each documented path with a doubled slash at each of
its slashes (never a 5xx; it was a 500).
Found and fixed by the first runs: two 500s on form definitions (`POST /forms`, `PUT /forms/{id}/draft`,
`POST /forms/{id}/diff`): a rule holding an integer beyond 64 bits crashed the JSON Logic engine's check,
and a section that is not an object crashed the duplicate-key check; both are now 422 `invalid_definition`.
And two faults of the document: a version's answer (the frozen definition itself), and 404 for path ids
that match no route.

"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="cases per operation, mode and id source")
    parser.add_argument("--url", help="a running stack's base (default: start one)")
    parser.add_argument("--token", help="its admin token")
    parser.add_argument("--write", action="store_true", help="replace this section of benchmarks/RESULTS.md")
    args = parser.parse_args()
    if args.url:
        report = fuzz(args.url.rstrip("/"), args.token, args.examples)
    else:
        from checkround.devstack.emulator import free_port
        from tests.e2e.test_local_stack import RunningStack

        with tempfile.TemporaryDirectory() as tmp:
            stack = RunningStack(Path(tmp) / "local", free_port(), free_port())
            stack.start()
            try:
                token = (stack.local_dir / "admin-token").read_text().strip()
                report = fuzz(f"http://127.0.0.1:{stack.port}", token, args.examples)
            finally:
                stack.stop()
    text = section(report, args.examples)
    print(text)
    for failure in report.failures:
        print(f"--- {failure.operation} ({failure.mode})\n{failure.message}\n")
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
