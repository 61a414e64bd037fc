"""The Terraform in infra/ against the code, offline (``terraform init`` cannot reach the
provider registry here): every entry point of functions/main.py has exactly one 2nd-gen
function with its own name as entry point and the right trigger, every function resource
runs an entry point that exists, all of them are built from the one source object, and the
scheduler calls close_due_rounds with OIDC, the answer maps no query reads are not indexed,
and the request log drops the entries of a unit's link (their URL holds the link's secret).
Issue 21, what a first apply needs that ``terraform validate`` cannot see: the
provider bills a user's login to the project, the waits after the API enables and the grants
come before what needs them, the service agents exist before their grants, the functions run a
pinned pepper version, no secret value is in a plain argument (so none in the state), state is
remote and ignored by git, and the source bucket's lifecycle never deletes a live archive.
(``make bundle``'s archive: tests/unit/test_bundle.py.)"""

from __future__ import annotations

import ast
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MAIN = ROOT / "functions" / "main.py"

FIRESTORE_UPDATED = "google.cloud.firestore.document.v1.updated"
FIRESTORE_CREATED = "google.cloud.firestore.document.v1.created"
# Each event function's Firestore event and document pattern, as the local stack registers them.
EVENT_TRIGGERS = {
    "on_round_closed": (FIRESTORE_UPDATED, "rounds/{roundId}"),
    "on_outbox_created": (FIRESTORE_CREATED, "outbox/{docId}"),
}
PUBLIC_FUNCTIONS = {"admin_api", "unit_api", "web_form", "admin_console"}


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
    """Every infra/*.tf merged: ``resources[type][name]``, ``locals[name]``, and the other
    top-level blocks as python-hcl2 reads them (``blocks["provider"]``, ``blocks["terraform"]``...)."""
    resources: dict[str, dict[str, Any]] = {}
    locals_: dict[str, Any] = {}
    blocks: dict[str, list[Any]] = {}
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
        for kind, found in doc.items():
            if kind not in ("resource", "locals") and not kind.startswith("__"):
                blocks.setdefault(kind, []).extend(found)
    return {"resources": resources, "locals": locals_, "blocks": blocks}


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
        "admin_console",
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
        event_type, document = EVENT_TRIGGERS[name]
        assert _unquote(trigger["event_type"]) == event_type
        assert _unquote(trigger["retry_policy"]) == "RETRY_POLICY_RETRY"
        assert trigger.get("service_account_email"), "the trigger has its own identity"
        filters = {_unquote(f["attribute"]): f for f in trigger["event_filters"]}
        assert set(filters) == {"database", "document"}
        assert _unquote(filters["document"]["value"]) == document
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
        if "ttl_config" not in body
    }
    # An empty index_config block is what switches every index of the field off.
    assert exempt == {("submissions", "answers"): [{}], ("entries", "draft"): [{}], ("roster_snapshot", "units"): [{}]}
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "functions").rglob("*.py"))
    for _, field in exempt:
        assert f'Where("{field}' not in source, f"a query filters on {field}, which is not indexed"


def _given(tf: dict[str, Any], key: str) -> set[str]:
    """The functions that get the secret ``key`` as an environment variable."""
    return {
        _unquote(body["name"])
        for body in _functions(tf).values()
        if any(
            _unquote(item["key"]) == key for item in body["service_config"][0].get("secret_environment_variables", [])
        )
    }


def test_the_pepper_goes_to_exactly_the_functions_that_refuse_to_start_without_it(tf: dict[str, Any]) -> None:
    from checkround.config import SECRETS_WITH_LOCAL_DEFAULTS

    _, users = SECRETS_WITH_LOCAL_DEFAULTS["CHECKROUND_TOKEN_PEPPER"]
    assert {_unquote(name) for name in tf["locals"]["pepper_functions"]} == users
    assert _given(tf, "CHECKROUND_TOKEN_PEPPER") == users


def test_the_notify_secrets_go_to_exactly_the_functions_that_send(tf: dict[str, Any]) -> None:
    from checkround.config import OPTIONAL_SECRETS, SECRETS_WITH_LOCAL_DEFAULTS

    _, users = SECRETS_WITH_LOCAL_DEFAULTS["CHECKROUND_NOTIFY_KEY"]
    assert {_unquote(name) for name in tf["locals"]["notify_functions"]} == users
    assert _given(tf, "CHECKROUND_NOTIFY_KEY") == users
    assert _given(tf, "CHECKROUND_SMTP_PASSWORD") == OPTIONAL_SECRETS["CHECKROUND_SMTP_PASSWORD"] == users
    grants = tf["resources"]["google_secret_manager_secret_iam_member"]
    for name in ("notify_key", "smtp_password"):
        assert grants[name]["for_each"] == "${toset(local.notify_functions)}"


def _named(blocks: list[Any]) -> dict[str, Any]:
    """``[{'"name"': body}, ...]`` (python-hcl2's labelled blocks) as ``{name: body}``."""
    return {_unquote(label): body for block in blocks for label, body in block.items()}


def _depends_on(body: dict[str, Any]) -> set[str]:
    return {ref.strip("${}") for ref in body.get("depends_on", [])}


def _references(value: Any) -> str:
    """Every expression inside ``value`` (an argument, a nested block), as one string."""
    if isinstance(value, dict):
        return " ".join(_references(v) for k, v in value.items() if not k.startswith("__"))
    if isinstance(value, list):
        return " ".join(_references(v) for v in value)
    return str(value)


def test_the_providers_bill_a_user_login_to_the_project(tf: dict[str, Any]) -> None:
    """Without a quota project the Firebase Rules API refuses user credentials (403)."""
    providers = _named(tf["blocks"]["provider"])
    assert set(providers) == {"google", "google-beta"}
    for name, body in providers.items():
        assert body["user_project_override"] is True, name
        assert body["billing_project"] == "${var.project}", name


def test_the_versions_have_what_the_configuration_uses(tf: dict[str, Any]) -> None:
    (terraform,) = tf["blocks"]["terraform"]
    assert _unquote(terraform["required_version"]) == ">= 1.11"  # write-only arguments
    (required,) = terraform["required_providers"]
    versions = {name: _unquote(spec["version"]) for name, spec in required.items() if not name.startswith("__")}
    assert versions["google"] == versions["google-beta"] == "~> 6.23"  # secret_data_wo
    assert versions["random"] == "~> 3.7"  # ephemeral random_password
    assert "time" in versions


def test_state_lives_in_a_gcs_backend_and_git_ignores_local_state() -> None:
    (terraform,) = hcl2.load((INFRA / "providers.tf").open(encoding="utf-8"))["terraform"]
    (backend,) = terraform["backend"]
    assert list(_named([backend])) == ["gcs"]
    for path in (
        "infra/terraform.tfstate",
        "infra/terraform.tfstate.backup",
        "infra/.terraform/providers/x",
        "infra/imports.tf",
    ):
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False)
        assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"
    kept = subprocess.run(["git", "check-ignore", "--no-index", "-q", "infra/.terraform.lock.hcl"], cwd=ROOT)
    assert kept.returncode == 1, "the provider lock file belongs in git"


def test_everything_that_calls_an_api_waits_after_the_enables(tf: dict[str, Any]) -> None:
    resources = tf["resources"]
    (sleep,) = [resources["time_sleep"]["apis_enabled"]]
    assert _depends_on(sleep) == {"google_project_service.apis"}
    assert _unquote(sleep["create_duration"]).endswith("s")
    for rtype, named in resources.items():
        for name, body in named.items():
            if (rtype, name) != ("time_sleep", "apis_enabled"):
                assert "google_project_service.apis" not in _depends_on(body), f"{rtype}.{name}: wait for the sleep"


def test_the_functions_wait_for_every_grant_they_rely_on(tf: dict[str, Any]) -> None:
    resources = tf["resources"]
    sleep = resources["time_sleep"]["grants_propagated"]
    waited = _depends_on(sleep)
    # Every project and service-account grant (the builds, the trigger and the service agents
    # use them during the apply) and the pepper's accessors (a function's first start reads it).
    # Firestore access is used at request time only, not by the apply.
    grants = {
        f"{rtype}.{name}"
        for rtype in (
            "google_project_iam_member",
            "google_service_account_iam_member",
            "google_secret_manager_secret_iam_member",
        )
        for name in resources.get(rtype, {})
    } - {"google_project_iam_member.datastore_user"}
    assert grants <= waited, f"not waited for: {sorted(grants - waited)}"
    assert {
        "google_project_iam_member.build",
        "google_project_iam_member.build_sources",
        "google_project_iam_member.eventarc_agent",
        "google_project_iam_member.trigger_event_receiver",
        "google_service_account_iam_member.pubsub_mints_trigger_tokens",
        "google_secret_manager_secret_iam_member.pepper",
    } <= waited
    for name, body in _functions(tf).items():
        assert "time_sleep.grants_propagated" in _depends_on(body), name


def test_the_service_agents_exist_before_their_grants(tf: dict[str, Any]) -> None:
    resources = tf["resources"]
    identities = resources["google_project_service_identity"]["agents"]
    assert identities["provider"] == "google-beta"
    services = identities["for_each"]
    assert "eventarc.googleapis.com" in services
    assert "pubsub.googleapis.com" in services
    pubsub = resources["google_service_account_iam_member"]["pubsub_mints_trigger_tokens"]["member"]
    assert 'google_project_service_identity.agents["pubsub.googleapis.com"].email' in pubsub
    assert "gcp-sa-pubsub" not in pubsub, "named by the identity resource, not spelled out"
    eventarc = resources["google_project_iam_member"]["eventarc_agent"]
    assert 'google_project_service_identity.agents["eventarc.googleapis.com"].email' in eventarc["member"]
    assert _unquote(eventarc["role"]) == "roles/eventarc.serviceAgent"


SECRET_VERSIONS = {
    "CHECKROUND_TOKEN_PEPPER": "token_pepper",
    "CHECKROUND_NOTIFY_KEY": "notify_key",
    "CHECKROUND_SMTP_PASSWORD": "smtp_password",
}


def test_the_functions_run_the_pepper_version_the_configuration_made(tf: dict[str, Any]) -> None:
    seen = 0
    for name, body in _functions(tf).items():
        for item in body["service_config"][0].get("secret_environment_variables", []):
            secret = SECRET_VERSIONS[_unquote(item["key"])]
            pinned = f"${{google_secret_manager_secret_version.{secret}.version}}"
            assert item["version"] == pinned, f"{name}: {item['version']} (a rotation must redeploy)"
            seen += 1
    assert seen == len(tf["locals"]["pepper_functions"]) + 2 * len(tf["locals"]["notify_functions"])
    version = tf["resources"]["google_secret_manager_secret_version"]["token_pepper"]
    assert version["secret_data_wo_version"] == "${var.token_pepper_version}"
    assert version["lifecycle"][0]["create_before_destroy"] is True


SECRET_SOURCES = (
    "var.token_pepper}",
    "var.token_pepper ",
    "var.smtp_password}",
    "var.smtp_password ",
    "random_password.",
    "ephemeral.",
)


def test_no_secret_value_is_in_a_plain_argument(tf: dict[str, Any]) -> None:
    """A plain argument is kept in the state; only write-only (``*_wo``) arguments are not."""
    assert "random_password" not in tf["resources"], "a random_password resource keeps its result in the state"
    for ephemeral in tf["blocks"]["ephemeral"]:
        assert list(_named([ephemeral])) == ["random_password"]
    variables = _named(tf["blocks"]["variable"])
    for secret in ("token_pepper", "smtp_password"):
        assert variables[secret]["ephemeral"] is True
        assert variables[secret]["sensitive"] is True
    found = []
    for rtype, named in tf["resources"].items():
        for name, body in named.items():
            for argument, value in body.items():
                text = _references(value) + " "
                if any(source in text for source in SECRET_SOURCES) and not argument.endswith("_wo"):
                    found.append(f"{rtype}.{name}.{argument}")
    assert found == []
    version = tf["resources"]["google_secret_manager_secret_version"]["token_pepper"]
    assert "secret_data" not in version
    assert "ephemeral.random_password.token_pepper.result" in version["secret_data_wo"]
    outputs = _named(tf["blocks"].get("output", []))
    assert not [n for n, body in outputs.items() if any(s in _references(body) + " " for s in SECRET_SOURCES)]


def test_the_source_bucket_never_deletes_a_live_archive(tf: dict[str, Any]) -> None:
    bucket = tf["resources"]["google_storage_bucket"]["source"]
    assert bucket["versioning"][0]["enabled"] is True
    deletes = [rule for rule in bucket["lifecycle_rule"] if _unquote(rule["action"][0]["type"]) == "Delete"]
    assert deletes, "noncurrent versions must not be kept forever"
    for rule in deletes:
        (condition,) = rule["condition"]
        assert _unquote(condition.get("with_state")) == "ARCHIVED", condition
        assert "age" not in condition, "an age rule would delete the current archive too"
        assert condition.get("days_since_noncurrent_time") or condition.get("num_newer_versions")


def test_request_logs_drop_the_entries_of_a_units_link(tf: dict[str, Any]) -> None:
    """Cloud Run's request log would keep the first visit of a link with its ``?t=`` secret."""
    import re

    (exclusion,) = tf["resources"]["google_logging_project_exclusion"].values()
    query = _unquote(exclusion["filter"]).replace('\\"', '"')
    assert 'log_id("run.googleapis.com/requests")' in query
    (pattern,) = re.findall(r'httpRequest\.requestUrl=~"([^"]+)"', query)
    link = re.compile(pattern)  # RE2 in Cloud Logging; this pattern reads the same in Python
    for logged in (
        "https://web-form-abc-uc.a.run.app/r/kt-6-thang-2019?t=Db3muRnOeax1-S-90Hb1pJ",
        "https://asia-southeast1-p.cloudfunctions.net/web_form/r/kt-6-thang-2019?lang=en&t=Db3m",
        "https://asia-southeast1-p.cloudfunctions.net/admin_console/sign-in?t=Db3muRnOeax1",
    ):
        assert link.search(logged), logged
    for kept in (
        "https://web-form-abc-uc.a.run.app/r/kt-6-thang-2019",
        "https://web-form-abc-uc.a.run.app/r/kt-6-thang-2019?lang=en",
        "https://admin-api-abc-uc.a.run.app/rounds/kt-6-thang-2019/tokens",
        "https://web-form-abc-uc.a.run.app/assets/form.js?t=1",
        "https://admin-console-abc-uc.a.run.app/sign-in?next=rounds",
    ):
        assert not link.search(kept), kept


def test_the_public_functions_ingress_is_one_switch_and_the_others_stay_internal(tf: dict[str, Any]) -> None:
    """Behind a load balancer, ``public_ingress = ALLOW_INTERNAL_AND_GCLB`` closes the functions'
    own URLs; the scheduler's and Eventarc's functions are internal whatever it says."""
    variable = _named(tf["blocks"]["variable"])["public_ingress"]
    assert _unquote(variable["default"]) == "ALLOW_ALL"
    (validation,) = variable["validation"]
    assert "ALLOW_INTERNAL_AND_GCLB" in validation["condition"]
    for name, body in _functions(tf).items():
        ingress = body["service_config"][0]["ingress_settings"]
        if name in PUBLIC_FUNCTIONS:
            assert ingress == "${var.public_ingress}", name
        else:
            assert _unquote(ingress) == "ALLOW_INTERNAL_ONLY", name


def test_the_functions_images_go_to_a_repository_that_cleans_itself(tf: dict[str, Any]) -> None:
    (repository,) = tf["resources"]["google_artifact_registry_repository"].values()
    assert _unquote(repository["format"]) == "DOCKER"
    assert repository["cleanup_policy_dry_run"] is False, "a dry run deletes nothing"
    policies = {_unquote(p["action"]): p for p in repository["cleanup_policies"]}
    assert set(policies) == {"KEEP", "DELETE"}
    assert policies["KEEP"]["most_recent_versions"][0]["keep_count"] >= 1  # the running image stays
    assert _unquote(policies["DELETE"]["condition"][0]["older_than"]).endswith("s")
    for name, body in _functions(tf).items():
        assert body["build_config"][0]["docker_repository"] == "${google_artifact_registry_repository.functions.id}", (
            name
        )


def test_the_outbox_expires_on_the_field_the_code_writes(tf: dict[str, Any]) -> None:
    from checkround.notify.outbox import EXPIRE_FIELD, OUTBOX

    ttl = [
        (_unquote(body["collection"]), _unquote(body["field"]))
        for body in tf["resources"].get("google_firestore_field", {}).values()
        if "ttl_config" in body
    ]
    assert ttl == [(OUTBOX, EXPIRE_FIELD)]
