"""Property-based tests: random definitions compile, accept their valid answers, reject each
kind of mutation, and nothing a client sends produces a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client
from werkzeug.wrappers import Request

from checkround.errors import AppError
from checkround.forms import service as forms
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import check_definition
from checkround.forms.validate import check_answers
from checkround.http.admin_routes import router as admin_router
from checkround.http.core import dispatch
from checkround.http.unit_routes import router as unit_router
from checkround.rounds import service as rounds
from checkround.rounds.tokens import issue_admin_token
from tests.fieldtype_cases import CASES, KEYS, example_field
from tests.support import memory_context
from tests.unit.test_services import make_round

LABEL = st.fixed_dictionaries({"vi": st.text(min_size=1, max_size=20)})
# Every answered type of the registry (a computed type is added whole, below).
ANSWERED = sorted(name for name, case in CASES.items() if case.valid is not None)
COMPUTED = sorted(name for name, case in CASES.items() if case.valid is None)


@st.composite
def field_defs(draw, key):
    kind = draw(st.sampled_from(ANSWERED))
    field = {"key": key, "type": kind, "label": draw(LABEL), "required": draw(st.booleans())}
    return field | CASES[kind].options(draw)


@st.composite
def definitions(draw):
    sections = []
    for s_index in range(draw(st.integers(1, 3))):
        keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique=True))
        sections.append(
            {"key": f"s{s_index}", "title": {"vi": f"Phần {s_index}"}, "fields": [draw(field_defs(k)) for k in keys]}
        )
    if draw(st.booleans()):
        # Rules change the pipeline's path (calculations, then relevance): cover it too.
        sections[0]["fields"].extend(example_field(kind, f"tinh_{kind}") for kind in COMPUTED)
        # The mutation tests change the first section: only a later one may be hidden.
        shown = len(sections) == 1 or draw(st.booleans())
        sections[-1]["relevant"] = {"==": [1, 1 if shown else 2]}
    return {"id": "ngau-nhien", "title": {"vi": "Ngẫu nhiên"}, "sections": sections}


def valid_value(draw, field):
    return CASES[field["type"]].valid(draw, field)


@st.composite
def form_and_answers(draw):
    definition = check_definition(draw(definitions()))
    answers = {}
    for section in definition["sections"]:
        answers[section["key"]] = {
            f["key"]: valid_value(draw, f)
            for f in section["fields"]
            if f["type"] in ANSWERED and (f["required"] or draw(st.booleans()))
        }
    return definition, answers


def check(definition, answers):
    return check_answers(definition, compile_schema(definition, "en"), answers, "en")


@settings(max_examples=60, deadline=None)
@given(form_and_answers())
def test_generated_valid_answers_are_accepted(case):
    definition, answers = case
    assert set(check(definition, answers).answers) == {s["key"] for s in definition["sections"]}


MUTATIONS = ["wrong_type", "unknown_key", "missing_required", "out_of_range"]


def mutate(definition, answers, mutation, data):
    section = definition["sections"][0]
    field = data.draw(st.sampled_from([f for f in section["fields"] if f["type"] in ANSWERED]))
    values = answers[section["key"]]
    if mutation == "unknown_key":
        values["zz_khong_co"] = 1
        return ("zz_khong_co",)
    if mutation == "missing_required":
        field = next((f for f in section["fields"] if f.get("required")), None)
        if field is None:
            return None
        values.pop(field["key"], None)
        return (field["key"],)
    case = CASES[field["type"]]
    if mutation == "wrong_type":
        values[field["key"]] = case.wrong_type
        return (field["key"],)
    if case.too_big is None:
        return None
    values[field["key"]] = case.too_big(field)
    return (field["key"],)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form_and_answers(), st.sampled_from(MUTATIONS), st.data())
def test_each_kind_of_mutation_is_rejected_at_its_field(case, mutation, data):
    definition, answers = case
    where = mutate(definition, answers, mutation, data)
    if where is None:
        return
    with pytest.raises(AppError) as caught:
        check(definition, answers)
    assert caught.value.code == "validation_failed"
    assert where[0] in caught.value.fields[definition["sections"][0]["key"]]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def app_for(router, ctx):
    def app(environ, start_response):
        return dispatch(router, Request(environ), lambda: ctx)(environ, start_response)

    return Client(app)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(JSON, definitions().map(lambda d: {**d, "sections": d["sections"] + [{"key": 1}]})))
def test_no_definition_produces_a_500(tmp_path, body):
    ctx = memory_context(tmp_path)
    client = app_for(admin_router, ctx)
    headers = {"Authorization": f"Bearer {issue_admin_token(ctx)}", "Content-Type": "application/json"}
    response = client.post("/forms", data=json.dumps(body), headers=headers)
    assert response.status_code in (201, 400, 409, 422)
    if response.status_code == 422:
        assert response.json["error"]["code"] in ("invalid_definition", "validation_failed")


# Answers shaped like the form's (its section keys) holding anything at all, or any JSON.
ANSWERS = st.one_of(JSON, st.dictionaries(st.sampled_from(["s0", "s1", "s2"]), JSON, max_size=3))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definitions(), ANSWERS)
def test_no_answers_produce_a_500(tmp_path, definition, answers):
    ctx = memory_context(tmp_path)
    forms.create_form(ctx, {**definition, "id": "mau-nho"})
    forms.publish_version(ctx, "mau-nho")
    make_round(ctx, unit_ids=("u1",))  # uses the form just published
    token = rounds.issue_tokens(ctx, "r1", {"unit_ids": ["u1"]})["tokens"]["u1"]["token"]
    client = app_for(unit_router, ctx)
    response = client.post(
        "/rounds/r1/submission",
        data=json.dumps({"answers": answers}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code in (201, 422), response.json


# -- review finding 6: nothing a client sends is a 500 --------------------------------------------

PATHS = {
    "admin": ["/forms", "/forms/mau-nho", "/rounds", "/rounds/r1", "/rounds/r1/status", "/units", "/healthz"],
    "unit": ["/rounds/r1/form", "/rounds/r1/submission", "/rounds/r1/draft", "/healthz"],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(PATHS)), st.data())
def test_a_double_slash_anywhere_in_a_path_is_a_404(tmp_path, which, data):
    """werkzeug merges slashes by raising ``RequestRedirect``, which was not caught."""
    ctx = memory_context(tmp_path)
    router = admin_router if which == "admin" else unit_router
    path = data.draw(st.sampled_from(PATHS[which]))
    cut = data.draw(st.sampled_from([i for i, c in enumerate(path) if c == "/"]))
    doubled = path[:cut] + "/" + path[cut:]
    method = data.draw(st.sampled_from(["GET", "POST", "PUT"]))
    headers = {"Authorization": f"Bearer {issue_admin_token(ctx)}", "Content-Type": "application/json"}
    response = app_for(router, ctx).open(doubled, method=method, data="{}", headers=headers)
    assert response.status_code == 404, (method, doubled, response.status_code)
    assert response.json["error"]["code"] == "not_found"


def _nest(value, depth, draw):
    for _ in range(depth):
        value = [value] if draw(st.booleans()) else {draw(st.sampled_from(["a", "s0", "answers"])): value}
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(65, 950), st.data())
def test_json_nested_deeper_than_the_limit_is_a_400_in_both_languages(tmp_path, depth, data):
    """Deep enough for Python's JSON parser, too deep for the validators' walks (RecursionError)."""
    ctx = memory_context(tmp_path)
    make_round(ctx, unit_ids=("u1",))
    unit_token = rounds.issue_tokens(ctx, "r1", {"unit_ids": ["u1"]})["tokens"]["u1"]["token"]
    deep = _nest(data.draw(JSON), depth, data.draw)
    requests = [
        (admin_router, issue_admin_token(ctx), "/forms", deep),
        (unit_router, unit_token, "/rounds/r1/submission", {"answers": {"a": {"ck1": deep}}}),
        (unit_router, unit_token, "/rounds/r1/submission", {"answers": {"a": {"zz": deep}}}),
    ]
    for router, token, path, body in requests:
        for language in ("vi", "en"):
            headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
            response = app_for(router, ctx).post(path, json=body, headers=headers)
            assert response.status_code == 400, (path, response.status_code)
            assert response.json["error"]["code"] == "too_deep"
            assert "64" in response.json["error"]["message"]


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=3))
def test_row_indices_with_digits_int_does_not_read_are_ignored(digits):
    """``"²".isdigit()`` is true but ``int("²")`` fails: a page could post such a row index."""
    from werkzeug.datastructures import MultiDict

    from checkround.forms.formdata import answers_from_form
    from checkround.forms.webform import read_post

    definition = check_definition(
        {
            "id": "mau-dong",
            "title": {"vi": "Mẫu"},
            "sections": [
                {
                    "key": "s",
                    "title": {"vi": "P"},
                    "fields": [{"key": "g", "type": "repeat", "label": {"vi": "G"},
                                "fields": [{"key": "t", "type": "text", "label": {"vi": "T"}}]}],
                }
            ],
        }
    )  # fmt: skip
    posted = MultiDict([("s.g.0.t", "một"), (f"s.g.{digits}.t", "hai"), ("action", f"remove:s.g.{digits}")])
    answers = answers_from_form(definition, posted)
    assert answers["s"]["g"][0] == {"t": "một"}
    if not digits.isascii():
        assert answers["s"]["g"] == [{"t": "một"}]
    assert read_post(definition, posted).action == "redraw"


def test_digit_checks_in_the_source_are_ascii_only():
    """A guard for new code: ``isdigit``, ``isnumeric`` and ``isdecimal`` accept digits that
    ``int`` refuses ("²") or reads from other scripts ("٣"); each use must also ask ``isascii``."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "functions"
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(f".{name}()" in line for name in ("isdigit", "isnumeric", "isdecimal")) and ".isascii()" not in line
    ]
    assert offenders == []


@pytest.mark.parametrize("function", ["admin_api", "unit_api", "web_form"])
def test_a_path_the_functions_framework_cannot_route_is_our_json_404(function):
    """Flask's path rule takes no line break: such a path never reached our router, and the
    answer was Flask's HTML page (found by fuzzing: an undocumented content type)."""
    from pathlib import Path

    import functions_framework

    main = Path(__file__).resolve().parents[2] / "functions" / "main.py"
    client = functions_framework.create_app(target=function, source=str(main)).test_client()
    for path in ("/forms/a%0Ab/diff", "/rounds/%0A", "/favicon.ico"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404, path
        assert response.content_type.startswith("application/json"), (path, response.content_type)
        assert response.json["error"]["code"] == "not_found"
