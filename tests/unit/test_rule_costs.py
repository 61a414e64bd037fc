"""What a submission's rules may cost (review findings 1 and 2).

1. Validation grows linearly with a repeat group's rows: the rules engine is handed only what
   each rule reads, so a row's rules do not convert every other row again. Counted, not timed.
2. Repeat groups have a default row cap and a ceiling on ``max_items``.
3. Rule evaluation is metered: what can be refused is refused when the form is saved, and an
   evaluation that runs over its budget is a 422 in the unit's language, not a dead instance.
"""

from __future__ import annotations

from typing import Any

import pytest

from checkround.errors import AppError
from checkround.forms import rules
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import check_definition
from checkround.forms.rules import inspect_rule
from checkround.forms.validate import check_answers, rule_view


def f(key: str, type_: str, **options: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"vi": key, "en": key}, **options}


def form(*fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "mau-chi-phi",
        "title": {"vi": "Mẫu"},
        "sections": [{"key": "s", "title": {"vi": "P"}, "fields": list(fields)}],
    }


ROWS = f(
    "hang",
    "repeat",
    max_items=2000,
    fields=[
        f("ten", "text", required=True),
        f("so", "integer", min=0, constraint={"<=": [{"var": "_item.so"}, {"var": "s.tran"}]}),
        f("ghi_chu", "text", relevant={">": [{"var": ["_item.so", 0]}, 5]}),
        f("gap_doi", "calculated", calculate={"*": [{"var": ["_item.so", 0]}, 2]}),
    ],
)
TOTAL = f(
    "tong",
    "calculated",
    calculate={"reduce": [{"var": "s.hang"}, {"+": [{"var": "accumulator"}, {"var": ["current.so", 0]}]}, 0]},
)


def rows(n: int) -> list[dict[str, Any]]:
    return [{"ten": f"Dòng {i}", "so": i % 10, "ghi_chu": "x"} for i in range(n)]


def _nodes(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_nodes(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_nodes(v) for v in value)
    return 1


class _Counted:
    """A compiled rule that counts the JSON values handed to the engine to convert."""

    def __init__(self, rule: Any, seen: list[int]) -> None:
        self._rule, self._seen = rule, seen

    def evaluate(self, data: Any) -> Any:
        self._seen.append(_nodes(data))
        return self._rule.evaluate(data)

    def evaluate_metered(self, data: Any, budget: int | None = None) -> Any:
        self._seen.append(_nodes(data))
        return self._rule.evaluate_metered(data, budget)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rule, name)


class _CountingEngine:
    def __init__(self, engine: Any, seen: list[int]) -> None:
        self._engine, self._seen = engine, seen

    def compile(self, rule: Any) -> _Counted:
        return _Counted(self._engine.compile(rule), self._seen)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


@pytest.fixture
def converted(monkeypatch):
    """The number of JSON values the rules engine was handed, per validation."""
    seen: list[int] = []
    monkeypatch.setattr(rules, "_ENGINE", _CountingEngine(rules._ENGINE, seen))
    for cache in ("_BY_IDENTITY",):
        if hasattr(rules, cache):
            monkeypatch.setattr(rules, cache, {})
    rules._compiled.cache_clear()

    def count(definition: dict[str, Any], answers: dict[str, Any]) -> int:
        seen.clear()
        check_answers(definition, compile_schema(definition, "vi"), answers)
        return sum(seen)

    yield count
    rules._compiled.cache_clear()


def test_validation_hands_the_engine_data_linear_in_the_rows(converted):
    definition = check_definition(form(f("tran", "integer"), ROWS, TOTAL))
    small = converted(definition, {"s": {"tran": 100, "hang": rows(100)}})
    large = converted(definition, {"s": {"tran": 100, "hang": rows(400)}})
    # Four times the rows: four times the values (a little less, for what does not repeat).
    # Before, every rule of every row was handed every row: sixteen times.
    assert small > 0
    assert large <= 4.2 * small, (small, large)


def test_rows_beyond_the_default_cap_are_refused_before_they_are_loaded():
    definition = check_definition(form(f("nhom", "repeat", fields=[f("ten", "text", required=True)])))
    schema = compile_schema(definition, "en")
    check_answers(definition, schema, {"s": {"nhom": [{"ten": "a"}] * 200}}, "en")
    with pytest.raises(AppError) as caught:
        check_answers(definition, schema, {"s": {"nhom": [{}] * 50_000}}, "en")
    # One message for the list, not 50,000 for its empty rows.
    assert caught.value.fields == {"s": {"nhom": ["Choose at most 200."]}}


def test_max_items_has_a_ceiling_at_save_time():
    check_definition(form(f("nhom", "repeat", max_items=2000, fields=[f("ten", "text")])))
    with pytest.raises(AppError) as caught:
        check_definition(form(f("nhom", "repeat", max_items=2001, fields=[f("ten", "text")])))
    assert "max_items" in caught.value.fields["sections"][0]["fields"][0]


DOUBLING = {"reduce": [{"var": "s.hang"}, {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "ab"]}


@pytest.mark.parametrize(
    "rule",
    [
        DOUBLING,
        {"reduce": [{"var": "s.hang"}, {"merge": [{"var": "accumulator"}, {"var": "accumulator"}]}, [1]]},
        {"reduce": [{"var": "s.hang"}, {"cat": [{"var": "accumulator"}, "-", {"var": ["accumulator"]}]}, "a"]},
    ],
)
def test_a_reduce_that_doubles_its_accumulator_is_refused_at_save_time(rule):
    assert inspect_rule(rule).problems
    with pytest.raises(AppError) as caught:
        check_definition(form(ROWS, f("dai", "calculated", calculate=rule)))
    assert caught.value.fields["sections"][0]["fields"][1]["calculate"]


def test_a_reduce_that_reads_its_accumulator_once_is_fine():
    joined = {"reduce": [{"var": "s.hang"}, {"cat": [{"var": "accumulator"}, {"var": "current.ten"}]}, ""]}
    assert not inspect_rule(joined).problems


def test_a_row_rule_that_reads_its_whole_group_is_refused_at_save_time():
    """It would run over every row once per row."""
    sub = f(
        "so",
        "integer",
        constraint={
            "<=": [{"var": "_item.so"}, {"reduce": [{"var": "s.hang"}, {"+": [{"var": "accumulator"}, 1]}, 0]}]
        },
    )
    with pytest.raises(AppError) as caught:
        check_definition(form(f("hang", "repeat", fields=[sub])))
    assert caught.value.fields["sections"][0]["fields"][0]["fields"][0]["constraint"]


def _overrun(language: str, definition: dict[str, Any], answers: dict[str, Any]) -> AppError:
    with pytest.raises(AppError) as caught:
        check_answers(definition, compile_schema(definition, language), answers, language)
    return caught.value


def test_a_rule_that_runs_over_its_budget_is_a_422_in_both_languages():
    """Joining long notes row after row copies the growing text at every row: quadratic work
    that no shape check sees. 200 rows of 2,000 characters make a 400,000-character text
    and copy about 40 MB on the way."""
    notes = f("nhom", "repeat", fields=[f("ghi_chu", "textarea", max_length=2000)])
    joined = {"reduce": [{"var": "s.nhom"}, {"cat": [{"var": "accumulator"}, {"var": ["current.ghi_chu", ""]}]}, ""]}
    definition = check_definition(form(notes, f("tat_ca", "calculated", calculate=joined)))
    answers = {"s": {"nhom": [{"ghi_chu": "ư" * 2000}] * 200}}
    messages = {}
    for language in ("vi", "en"):
        error = _overrun(language, definition, answers)
        assert error.code == "rules_too_costly"
        assert error.status == 422
        messages[language] = error.message(language)
    assert messages["vi"] != messages["en"]
    # A handful of rows is fine.
    check_answers(definition, compile_schema(definition, "vi"), {"s": {"nhom": [{"ghi_chu": "ư" * 2000}] * 5}})


def test_a_doubling_rule_saved_before_the_check_is_stopped_at_run_time():
    """A definition stored before save-time refusal existed still holds such a rule."""
    definition = check_definition(
        form(f("nhom", "repeat", fields=[f("ten", "text")]), f("dai", "calculated", calculate=0))
    )
    definition["sections"][0]["fields"][1]["calculate"] = DOUBLING | {
        "reduce": [{"var": "s.nhom"}, *DOUBLING["reduce"][1:]]
    }
    # 24 rows double "ab" to 32 MB; a few more would take gigabytes.
    error = _overrun("en", definition, {"s": {"nhom": [{"ten": "a"}] * 24}})
    assert error.code == "rules_too_costly"
    with pytest.raises(AppError) as caught:
        rule_view(definition, {"s": {"nhom": [{"ten": "a"}] * 24}})
    assert caught.value.code == "rules_too_costly"


def test_the_web_form_preview_of_rules_over_budget_is_no_preview():
    """The page with what the unit typed is still drawn; the submission says why it failed."""
    from checkround.forms.webform import preview

    definition = check_definition(
        form(f("nhom", "repeat", fields=[f("ten", "text")]), f("dai", "calculated", calculate=0))
    )
    definition["sections"][0]["fields"][1]["calculate"] = {"reduce": [{"var": "s.nhom"}, *DOUBLING["reduce"][1:]]}
    values = {"s": {"nhom": [{"ten": "a"}] * 24}}
    assert preview(definition, 1, values, "vi") == ({}, set())


def test_a_calculated_text_longer_than_any_answer_is_not_stored():
    """Within its budget a rule can still join one 10,000-character answer 100 times: a
    megabyte that no database document would take with the rest of the submission."""
    many = {"cat": [{"var": ["s.ghi_chu", ""]}] * 100}
    definition = check_definition(
        form(f("ghi_chu", "textarea", max_length=10_000), f("dai", "calculated", calculate=many))
    )
    schema = compile_schema(definition, "vi")
    assert check_answers(definition, schema, {"s": {"ghi_chu": "ab"}}).answers["s"]["dai"] == "ab" * 100
    long = check_answers(definition, schema, {"s": {"ghi_chu": "ư" * 10_000}})
    assert long.answers["s"]["dai"] is None
