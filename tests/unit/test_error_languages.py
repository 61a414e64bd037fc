"""Every message the code hands to an error is in Vietnamese and English: a ``detail`` is a
``{"vi", "en"}`` dict and a field's message a ``Bilingual`` (or comes from a catalogue), never a
bare English literal that a Vietnamese reader would get inside a Vietnamese sentence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "checkround"


def _literal_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _one_language(tree: ast.AST) -> list[int]:
    lines = []
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "AppError"):
            continue
        for keyword in call.keywords:
            if keyword.arg == "detail" and _literal_text(keyword.value):
                lines.append(call.lineno)
            if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    if isinstance(value, ast.List) and any(_literal_text(item) for item in value.elts):
                        lines.append(call.lineno)
    return lines


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_error_is_given_in_one_language(path: Path) -> None:
    assert _one_language(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_scan_finds_a_detail_and_a_field_message_in_one_language() -> None:
    code = 'AppError("bad_request", detail="only English")\nAppError("x", fields={"a": [f"only {b}"]})\n'
    assert _one_language(ast.parse(code)) == [1, 2]
    good = 'AppError("bad_request", detail={"vi": "v", "en": "e"})\nAppError("x", fields={"a": [Bilingual("v", "e")]})'
    assert _one_language(ast.parse(good)) == []
