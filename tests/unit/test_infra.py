"""The Terraform in infra/ against the code, offline (``terraform init`` cannot reach the
provider registry here): every entry point of functions/main.py has exactly one 2nd-gen
function with its own name as entry point and the right trigger, every function resource
runs an entry point that exists, all of them are built from the one source object, and the
scheduler calls close_due_rounds with OIDC, and the answer maps no query reads are not
indexed. (``make bundle``'s archive: tests/unit/test_bundle.py.)"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = ROOT / "functions" / "main.py"

FIRESTORE_UPDATED = "google.cloud.firestore.document.v1.updated"
PUBLIC_FUNCTIONS = {"admin_api", "unit_api", "web_form"}


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps string literals quoted (``'"x"'``) and expressions as ``${...}``."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _entry_points() -> dict[str, str]:
    """``{function name: "http" | "cloud_event"}`` for every decorated function of main.py."""
    found = {}
    for node in ast.parse(MAIN.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "functions_framework"
                and target.attr in ("http", "cloud_event")
            ):
                found[node.name] = target.attr
    return found


@pytest.fixture(scope="module")
def tf() -> dict[str, Any]:
    """Every infra/*.tf merged: ``resources[type][name]`` and ``locals[name]``."""
    resources: dict[str, dict[str, Any]] = {}
    locals_: dict[str, Any] = {}
    files = sorted(INFRA.glob("*.tf"))
    assert files, "no Terraform in infra/"
    for path in files:
        with path.open(encoding="utf-8") as handle:
            doc = hcl2.load(handle)
        for block in doc.get("resource", []):
            for rtype, named in block.items():
                for name, body in named.items():
                    key = (_unquote(rtype), _unquote(name))
                    assert key[1] not in resources.get(key[0], {}), f"{key} declared twice"
                    resources.setdefault(key[0], {})[key[1]] = body
        for block in doc.get("locals", []):
            locals_.update({k: v for k, v in block.items() if not k.startswith("__")})
    return {"resources": resources, "locals": locals_}


def _functions(tf: dict[str, Any]) -> dict[str, Any]:
    return dict(tf["resources"].get("google_cloudfunctions2_function", {}))


def _resolve(tf: dict[str, Any], value: Any) -> Any:
    """Follow ``${local.a.b}`` one level into the locals (enough for this configuration)."""
    if isinstance(value, str) and value.startswith("${local.") and value.endswith("}"):
        path = value[len("${local.") : -1].split(".")
        node: Any = tf["locals"][path[0]]
        for part in path[1:]:
            node = node[part]
        return _resolve(tf, node)
    return _unquote(value)


def test_main_py_has_the_entry_points_the_infra_expects() -> None:
    points = _entry_points()
    assert points["on_round_closed"] == "cloud_event"
    assert {name for name, kind in points.items() if kind == "http"} >= {
        "admin_api",
        "unit_api",
        "web_form",
        "close_due_rounds",
    }


def test_every_entry_point_has_exactly_one_function_with_the_right_trigger(tf: dict[str, Any]) -> None:
    functions = _functions(tf)
    by_entry_point = Counter(_unquote(body["build_config"][0]["entry_point"]) for body in functions.values())
    for name, kind in _entry_points().items():
        assert by_entry_point[name] == 1, f"{name}: {by_entry_point[name]} function resources, expected 1"
        (body,) = (b for b in functions.values() if _unquote(b["build_config"][0]["entry_point"]) == name)
        assert _unquote(body["name"]) == name, "a function is named after its entry point (URL layout)"
        assert _unquote(body["build_config"][0]["runtime"]) == "python311"
        if kind == "http":
            assert "event_trigger" not in body, f"{name} is an HTTP function"
            continue
        (trigger,) = body["event_trigger"]
        assert _unquote(trigger["event_type"]) == FIRESTORE_UPDATED
        assert _unquote(trigger["retry_policy"]) == "RETRY_POLICY_RETRY"
        assert trigger.get("service_account_email"), "the trigger has its own identity"
        filters = {_unquote(f["attribute"]): f for f in trigger["event_filters"]}
        assert set(filters) == {"database", "document"}
        assert _unquote(filters["document"]["value"]) == "rounds/{roundId}"
        assert _unquote(filters["document"]["operator"]) == "match-path-pattern"


def test_every_function_resource_runs_an_existing_entry_point(tf: dict[str, Any]) -> None:
    points = _entry_points()
    for resource, body in _functions(tf).items():
        entry_point = _unquote(body["build_config"][0].get("entry_point"))
        assert entry_point in points, f"{resource}: entry point {entry_point!r} is not in functions/main.py"


def test_all_functions_are_built_from_the_one_source_object(tf: dict[str, Any]) -> None:
    objects = tf["resources"]["google_storage_bucket_object"]
    assert list(objects) == ["source"]
    assert objects["source"]["source"] == "${var.source_archive}"
    sources = set()
    for body in _functions(tf).values():
        (storage,) = body["build_config"][0]["source"][0]["storage_source"]
        sources.add((_resolve(tf, storage["bucket"]), _resolve(tf, storage["object"])))
    assert sources == {("${google_storage_bucket.source.name}", "${google_storage_bucket_object.source.name}")}


def test_every_function_has_its_own_service_account(tf: dict[str, Any]) -> None:
    accounts = [body["service_config"][0]["service_account_email"] for body in _functions(tf).values()]
    assert len(set(accounts)) == len(accounts) == len(_entry_points())


def test_scheduler_calls_close_due_rounds_with_oidc(tf: dict[str, Any]) -> None:
    jobs = tf["resources"]["google_cloud_scheduler_job"]
    assert len(jobs) == 1
    (job,) = jobs.values()
    (target,) = job["http_target"]
    assert "google_cloudfunctions2_function.close_due_rounds." in target["uri"]
    (oidc,) = target["oidc_token"]
    assert oidc["service_account_email"] == "${google_service_account.scheduler.email}"
    assert "close_due_rounds" in oidc["audience"]


def test_only_the_internet_facing_functions_are_public(tf: dict[str, Any]) -> None:
    public = set()
    for rtype, named in tf["resources"].items():
        if not rtype.endswith("_iam_member") and not rtype.endswith("_iam_binding"):
            continue
        for body in named.values():
            members = [body.get("member"), *(body.get("members") or [])]
            if any(_unquote(m) in ("allUsers", "allAuthenticatedUsers") for m in members if m):
                assert rtype == "google_cloud_run_v2_service_iam_member"
                assert _unquote(body["role"]) == "roles/run.invoker"
                public |= {ref.split(".")[1] for ref in body["for_each"].values()}
    assert public == PUBLIC_FUNCTIONS


def test_the_answer_maps_are_exempt_from_indexing_and_no_query_reads_them(tf: dict[str, Any]) -> None:
    exempt = {
        # python-hcl2 marks blocks with "__is_block__"; an empty block holds nothing else.
        (_unquote(body["collection"]), _unquote(body["field"])): [
            {k: v for k, v in block.items() if k != "__is_block__"} for block in body.get("index_config", [])
        ]
        for body in tf["resources"].get("google_firestore_field", {}).values()
    }
    # An empty index_config block is what switches every index of the field off.
    assert exempt == {("submissions", "answers"): [{}], ("entries", "draft"): [{}]}
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "functions").rglob("*.py"))
    for _, field in exempt:
        assert f'Where("{field}' not in source, f"a query filters on {field}, which is not indexed"


def test_the_pepper_goes_to_exactly_the_functions_that_refuse_to_start_without_it(tf: dict[str, Any]) -> None:
    from checkround.config import SECRETS_WITH_LOCAL_DEFAULTS

    _, users = SECRETS_WITH_LOCAL_DEFAULTS["CHECKROUND_TOKEN_PEPPER"]
    assert {_unquote(name) for name in tf["locals"]["pepper_functions"]} == users
    with_secret = {
        _unquote(body["name"])
        for body in _functions(tf).values()
        if any(
            _unquote(item["key"]) == "CHECKROUND_TOKEN_PEPPER"
            for item in body["service_config"][0].get("secret_environment_variables", [])
        )
    }
    assert with_secret == users
